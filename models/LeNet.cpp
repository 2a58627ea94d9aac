#include "Classifier.h"

namespace jikken::models {

namespace {

/// LeNet-5 with ReLU and max pooling; 28x28 inputs are padded by 2 so both 28 and 32 pixels give 5x5 maps.
struct LeNetImpl : ClassifierImpl
{
    explicit LeNetImpl(const InputShape& s)
        : conv1(register_module(
              "conv1",
              torch::nn::Conv2d(torch::nn::Conv2dOptions(s.channels, 6, /*kernel_size=*/5).padding(padding(s))))),
          conv2(register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(6, 16, /*kernel_size=*/5)))),
          fc1(register_module("fc1", Dense(16 * mapSize(s.height, padding(s)) * mapSize(s.width, padding(s)), 120))),
          fc2(register_module("fc2", Dense(120, 84))), fc3(register_module("fc3", Dense(84, s.classes)))
    {
    }

    static int64_t padding(const InputShape& s) { return s.height == 28 ? 2 : 0; }
    /// The side of the last feature map: (5x5 conv, 2x2 pool) twice.
    static int64_t mapSize(int64_t side, int64_t pad) { return ((side + 2 * pad - 4) / 2 - 4) / 2; }

    torch::Tensor forward(torch::Tensor x) override
    {
        x = torch::max_pool2d(torch::relu(conv1(x)), /*kernel_size=*/2);
        x = torch::max_pool2d(torch::relu(conv2(x)), /*kernel_size=*/2);
        x = x.flatten(1);
        x = torch::relu(fc1(x));
        x = torch::relu(fc2(x));
        return fc3(x);
    }

    torch::nn::Conv2d conv1, conv2;
    Dense fc1, fc2, fc3;
};

} // namespace

std::shared_ptr<ClassifierImpl> makeLeNet(const InputShape& shape)
{
    return std::make_shared<LeNetImpl>(shape);
}

} // namespace jikken::models
