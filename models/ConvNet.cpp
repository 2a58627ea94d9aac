#include "Classifier.h"

namespace jikken::models {

namespace {

/// "2 Conv+pooling" of the Fashion-MNIST benchmark table (benchmark/convnet.py, after TensorFlow's layers
/// tutorial): two 5x5 'same' convolutions with 32 and 64 filters, each followed by ReLU and 2x2 max
/// pooling, a 1024-unit dense layer with dropout 0.4, and the class layer.
struct ConvNetImpl : ClassifierImpl
{
    explicit ConvNetImpl(const InputShape& s)
        : conv1(register_module(
              "conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(s.channels, 32, /*kernel_size=*/5).padding(2)))),
          conv2(register_module("conv2",
                                torch::nn::Conv2d(torch::nn::Conv2dOptions(32, 64, /*kernel_size=*/5).padding(2)))),
          dense(register_module("dense", Dense(64 * (s.height / 4) * (s.width / 4), 1024))),
          dropout(register_module("dropout", torch::nn::Dropout(/*p=*/0.4))),
          logits(register_module("logits", Dense(1024, s.classes)))
    {
    }

    torch::Tensor forward(torch::Tensor x) override
    {
        x = torch::max_pool2d(torch::relu(conv1(x)), /*kernel_size=*/2);
        x = torch::max_pool2d(torch::relu(conv2(x)), /*kernel_size=*/2);
        x = dropout(torch::relu(dense(x.flatten(1))));
        return logits(x);
    }

    torch::nn::Conv2d conv1, conv2;
    Dense dense;
    torch::nn::Dropout dropout;
    Dense logits;
};

} // namespace

std::shared_ptr<ClassifierImpl> makeConvNet(const InputShape& shape)
{
    return std::make_shared<ConvNetImpl>(shape);
}

} // namespace jikken::models
