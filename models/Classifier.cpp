#include "Classifier.h"

namespace jikken::models {

std::shared_ptr<ClassifierImpl> makeClassifier(const std::string& name, const InputShape& shape)
{
    if (name == "lenet")
        return makeLeNet(shape);
    if (name == "convnet")
        return makeConvNet(shape);
    if (name == "vgg11")
        return makeVgg(11, shape);
    if (name == "vgg16")
        return makeVgg(16, shape);
    if (name == "resnet18")
        return makeResNet(18, shape);
    if (name == "resnet34")
        return makeResNet(34, shape);
    if (name == "densenet")
        return makeDenseNet(shape);
    return nullptr;
}

} // namespace jikken::models
