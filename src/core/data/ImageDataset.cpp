#include "ImageDataset.h"

#include <cstring>

namespace jikken {

std::vector<int> ImageDataset::classCounts() const
{
    std::vector<int> counts(static_cast<size_t>(classes), 0);
    for (uint8_t label : labels) {
        if (label < counts.size())
            ++counts[label];
    }
    return counts;
}

ImageDataset ImageDataset::subset(const std::vector<size_t>& indices) const
{
    ImageDataset result = *this;
    result.pixels.resize(indices.size() * imageBytes());
    result.labels.resize(indices.size());
    for (size_t i = 0; i < indices.size(); ++i) {
        std::memcpy(result.pixels.data() + i * imageBytes(), pixels.data() + indices[i] * imageBytes(), imageBytes());
        result.labels[i] = labels[indices[i]];
    }
    return result;
}

} // namespace jikken
