#pragma once

#include <QString>
#include <QStringList>

#include <cstdint>
#include <vector>

namespace jikken {

/// Images as raw bytes, N x C x H x W, with one class label each. Plain memory: the trainer turns it
/// into tensors, and core stays free of torch.
struct ImageDataset
{
    QString name;
    int channels = 0;
    int height = 0;
    int width = 0;
    int classes = 0;
    std::vector<uint8_t> pixels;
    std::vector<uint8_t> labels;

    size_t size() const { return labels.size(); }
    size_t imageBytes() const { return static_cast<size_t>(channels) * height * width; }
    std::vector<int> classCounts() const;
    /// Keeps the images at `indices`, in that order.
    ImageDataset subset(const std::vector<size_t>& indices) const;
};

} // namespace jikken
