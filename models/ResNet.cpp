#include "Classifier.h"

#include <array>

namespace jikken::models {

namespace {

torch::nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride)
{
    return torch::nn::Conv2d(
        torch::nn::Conv2dOptions(in, out, /*kernel_size=*/3).stride(stride).padding(1).bias(false));
}

struct BasicBlockImpl : torch::nn::Module
{
    BasicBlockImpl(int64_t in, int64_t out, int64_t stride)
        : conv1(register_module("conv1", conv3x3(in, out, stride))),
          bn1(register_module("bn1", torch::nn::BatchNorm2d(out))),
          conv2(register_module("conv2", conv3x3(out, out, 1))),
          bn2(register_module("bn2", torch::nn::BatchNorm2d(out)))
    {
        if (stride != 1 || in != out) {
            shortcut = register_module(
                "shortcut",
                torch::nn::Sequential(
                    torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, /*kernel_size=*/1).stride(stride).bias(false)),
                    torch::nn::BatchNorm2d(out)));
        }
    }

    torch::Tensor forward(torch::Tensor x)
    {
        torch::Tensor y = torch::relu(bn1(conv1(x)));
        y = bn2(conv2(y));
        return torch::relu(y + (shortcut.is_empty() ? x : shortcut->forward(x)));
    }

    torch::nn::Conv2d conv1;
    torch::nn::BatchNorm2d bn1;
    torch::nn::Conv2d conv2;
    torch::nn::BatchNorm2d bn2;
    torch::nn::Sequential shortcut{nullptr};
};
TORCH_MODULE(BasicBlock);

/// ResNet-18/34 with the small-image stem (one 3x3 convolution, no max pooling), as used for CIFAR.
struct ResNetImpl : ClassifierImpl
{
    ResNetImpl(const std::array<int, 4>& blocks, const InputShape& s)
        : stem(register_module("stem", conv3x3(s.channels, 64, 1))),
          bn(register_module("bn", torch::nn::BatchNorm2d(64)))
    {
        int64_t in = 64;
        const std::array<int64_t, 4> widths{64, 128, 256, 512};
        for (size_t stage = 0; stage < 4; ++stage) {
            for (int b = 0; b < blocks[stage]; ++b) {
                const int64_t stride = (stage > 0 && b == 0) ? 2 : 1;
                layers->push_back(BasicBlock(in, widths[stage], stride));
                in = widths[stage];
            }
        }
        register_module("layers", layers);
        fc = register_module("fc", Dense(512, s.classes));
    }

    torch::Tensor forward(torch::Tensor x) override
    {
        x = torch::relu(bn(stem(x)));
        x = layers->forward(x);
        return fc(torch::adaptive_avg_pool2d(x, {1, 1}).flatten(1));
    }

    torch::nn::Conv2d stem;
    torch::nn::BatchNorm2d bn;
    torch::nn::Sequential layers;
    Dense fc{nullptr};
};

} // namespace

std::shared_ptr<ClassifierImpl> makeResNet(int depth, const InputShape& shape)
{
    return std::make_shared<ResNetImpl>(depth == 34 ? std::array<int, 4>{3, 4, 6, 3} : std::array<int, 4>{2, 2, 2, 2},
                                        shape);
}

} // namespace jikken::models
