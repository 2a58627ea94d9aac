#include "Classifier.h"

#include <vector>

namespace jikken::models {

namespace {

constexpr int kPool = 0;

/// VGG with batch normalisation for small images: 3x3 convolutions, a 2x2 pooling wherever the
/// configuration says and the map is still at least 2 pixels, then global average pooling and one
/// linear layer (as the CIFAR versions of VGG do).
struct VggImpl : ClassifierImpl
{
    VggImpl(const std::vector<int>& config, const InputShape& s)
    {
        int64_t channels = s.channels;
        int64_t size = std::min(s.height, s.width);
        for (int item : config) {
            if (item == kPool) {
                if (size >= 2) {
                    features->push_back(torch::nn::MaxPool2d(torch::nn::MaxPool2dOptions(2)));
                    size /= 2;
                }
                continue;
            }
            features->push_back(
                torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, item, /*kernel_size=*/3).padding(1)));
            features->push_back(torch::nn::BatchNorm2d(item));
            features->push_back(torch::nn::ReLU(torch::nn::ReLUOptions(/*inplace=*/true)));
            channels = item;
        }
        register_module("features", features);
        classifier = register_module("classifier", Dense(channels, s.classes));
    }

    torch::Tensor forward(torch::Tensor x) override
    {
        x = features->forward(x);
        x = torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1);
        return classifier(x);
    }

    torch::nn::Sequential features;
    Dense classifier{nullptr};
};

} // namespace

std::shared_ptr<ClassifierImpl> makeVgg(int depth, const InputShape& shape)
{
    const std::vector<int> vgg11{64, kPool, 128, kPool, 256, 256, kPool, 512, 512, kPool, 512, 512, kPool};
    const std::vector<int> vgg16{64,    64,  kPool, 128, 128,   kPool, 256, 256, 256,
                                 kPool, 512, 512,   512, kPool, 512,   512, 512, kPool};
    return std::make_shared<VggImpl>(depth == 16 ? vgg16 : vgg11, shape);
}

} // namespace jikken::models
