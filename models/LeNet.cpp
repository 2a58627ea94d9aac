#include "Classifier.h"

namespace jikken::models {

namespace {

/// LeNet-5 with ReLU and max pooling; 28x28 inputs are padded by 2 so both 28 and 32 pixels give 5x5 maps.
struct LeNetImpl : ClassifierImpl
{
    explicit LeNetImpl(const InputShape& s)
        : conv1(register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(s.channels, 6, /*kernel_size=*/5)
                                                                .padding(s.height == 28 ? 2 : 0))))
        , conv2(register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(6, 16, /*kernel_size=*/5))))
        , fc1(register_module("fc1", torch::nn::Linear(16 * ((s.height + (s.height == 28 ? 4 : 0) - 4) / 2 - 4) / 2
                                                            * ((s.width + (s.width == 28 ? 4 : 0) - 4) / 2 - 4) / 2,
                                                       120)))
        , fc2(register_module("fc2", torch::nn::Linear(120, 84)))
        , fc3(register_module("fc3", torch::nn::Linear(84, s.classes)))
    {
    }

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
    torch::nn::Linear fc1, fc2, fc3;
};

} // namespace

std::shared_ptr<ClassifierImpl> makeLeNet(const InputShape& shape)
{
    return std::make_shared<LeNetImpl>(shape);
}

} // namespace jikken::models
