#include "Classifier.h"

namespace jikken::models {

namespace {

/// BN-ReLU-1x1 bottleneck, then BN-ReLU-3x3 producing `growth` new maps that join the input.
struct DenseLayerImpl : torch::nn::Module
{
    DenseLayerImpl(int64_t in, int64_t growth)
        : bn1(register_module("bn1", torch::nn::BatchNorm2d(in))),
          conv1(register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, 4 * growth, 1).bias(false)))),
          bn2(register_module("bn2", torch::nn::BatchNorm2d(4 * growth))),
          conv2(register_module(
              "conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(4 * growth, growth, 3).padding(1).bias(false))))
    {
    }

    torch::Tensor forward(torch::Tensor x)
    {
        torch::Tensor y = conv1(torch::relu(bn1(x)));
        y = conv2(torch::relu(bn2(y)));
        return torch::cat({x, y}, /*dim=*/1);
    }

    torch::nn::BatchNorm2d bn1;
    torch::nn::Conv2d conv1;
    torch::nn::BatchNorm2d bn2;
    torch::nn::Conv2d conv2;
};
TORCH_MODULE(DenseLayer);

/// A small DenseNet-BC for 28-32 pixel images: growth 12, three dense blocks of 6 layers, compression 0.5.
struct DenseNetImpl : ClassifierImpl
{
    explicit DenseNetImpl(const InputShape& s)
    {
        constexpr int64_t kGrowth = 12;
        constexpr int kLayersPerBlock = 6;
        int64_t channels = 2 * kGrowth;
        features->push_back(
            torch::nn::Conv2d(torch::nn::Conv2dOptions(s.channels, channels, 3).padding(1).bias(false)));
        for (int block = 0; block < 3; ++block) {
            for (int layer = 0; layer < kLayersPerBlock; ++layer) {
                features->push_back(DenseLayer(channels, kGrowth));
                channels += kGrowth;
            }
            if (block < 2) {
                const int64_t out = channels / 2;
                features->push_back(torch::nn::BatchNorm2d(channels));
                features->push_back(torch::nn::ReLU());
                features->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, out, 1).bias(false)));
                features->push_back(torch::nn::AvgPool2d(torch::nn::AvgPool2dOptions(2)));
                channels = out;
            }
        }
        features->push_back(torch::nn::BatchNorm2d(channels));
        features->push_back(torch::nn::ReLU());
        register_module("features", features);
        fc = register_module("fc", Dense(channels, s.classes));
    }

    torch::Tensor forward(torch::Tensor x) override
    {
        x = features->forward(x);
        return fc(torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1));
    }

    torch::nn::Sequential features;
    Dense fc{nullptr};
};

} // namespace

std::shared_ptr<ClassifierImpl> makeDenseNet(const InputShape& shape)
{
    return std::make_shared<DenseNetImpl>(shape);
}

} // namespace jikken::models
