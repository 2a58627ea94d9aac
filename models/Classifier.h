#pragma once

#include "Dense.h"

#include <torch/torch.h>

#include <memory>
#include <string>

namespace jikken::models {

/// What every Jikken model is: images N x C x H x W in, class logits N x classes out.
struct ClassifierImpl : torch::nn::Module
{
    virtual torch::Tensor forward(torch::Tensor x) = 0;
};

struct InputShape
{
    int64_t channels;
    int64_t height;
    int64_t width;
    int64_t classes;
};

/// lenet, convnet, vgg11, vgg16, resnet18, resnet34, densenet; nullptr for any other name.
std::shared_ptr<ClassifierImpl> makeClassifier(const std::string& name, const InputShape& shape);

std::shared_ptr<ClassifierImpl> makeLeNet(const InputShape& shape);
std::shared_ptr<ClassifierImpl> makeConvNet(const InputShape& shape);
std::shared_ptr<ClassifierImpl> makeVgg(int depth, const InputShape& shape);
std::shared_ptr<ClassifierImpl> makeResNet(int depth, const InputShape& shape);
std::shared_ptr<ClassifierImpl> makeDenseNet(const InputShape& shape);

} // namespace jikken::models
