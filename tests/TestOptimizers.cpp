// The multi-tensor optimizers against libtorch's per-parameter ones: the same parameters after several
// steps of a small network (SGD with momentum, weight decay and Nesterov; Adam with weight decay; AdamW),
// a parameter without a gradient left alone, and a checkpoint of one loaded into the other carrying on
// as before.

#include "train/MultiTensorOptimizers.h"

#include <QtTest>

#include <sstream>

using namespace jikken;

namespace {

/// Two layers and a parameter the loss never uses (its gradient stays undefined).
struct Net : torch::nn::Module
{
    Net()
    {
        first = register_module("first", torch::nn::Linear(8, 16));
        second = register_module("second", torch::nn::Linear(16, 3));
        unused = register_parameter("unused", torch::ones({4}));
    }
    torch::Tensor forward(const torch::Tensor& x) { return second(torch::relu(first(x))); }
    torch::nn::Linear first{nullptr}, second{nullptr};
    torch::Tensor unused;
};

/// A network with the seed's weights.
std::shared_ptr<Net> net(uint64_t seed)
{
    torch::manual_seed(seed);
    return std::make_shared<Net>();
}

void train(Net& model, torch::optim::Optimizer& optimizer, int steps, uint64_t dataSeed)
{
    torch::manual_seed(dataSeed);
    for (int i = 0; i < steps; ++i) {
        const torch::Tensor x = torch::randn({32, 8});
        const torch::Tensor y = torch::randint(0, 3, {32});
        for (auto& p : model.parameters())
            p.mutable_grad() = torch::Tensor();
        torch::nn::functional::cross_entropy(model.forward(x), y).backward();
        optimizer.step();
    }
}

/// Largest difference between the two networks' parameters.
double largestDifference(Net& a, Net& b)
{
    double worst = 0;
    const auto pa = a.parameters(), pb = b.parameters();
    for (size_t i = 0; i < pa.size(); ++i)
        worst = std::max(worst, (pa[i] - pb[i]).abs().max().item<double>());
    return worst;
}

template <typename Reference, typename MultiTensor, typename Options> void compare(const Options& options)
{
    auto reference = net(7), multi = net(7);
    Reference referenceOptimizer(reference->parameters(), options);
    MultiTensor multiOptimizer(multi->parameters(), options);
    train(*reference, referenceOptimizer, 6, 11);
    train(*multi, multiOptimizer, 6, 11);
    QVERIFY2(largestDifference(*reference, *multi) < 1e-6,
             qPrintable(QString::number(largestDifference(*reference, *multi))));
    QVERIFY(largestDifference(*reference, *net(7)) > 1e-3); // they did move
    QVERIFY(torch::equal(multi->unused, torch::ones({4}))); // no gradient, no step

    // A checkpoint of the per-parameter optimizer carries on in the multi-tensor one.
    std::stringstream saved;
    torch::save(referenceOptimizer, saved);
    auto resumed = net(0);
    {
        torch::NoGradGuard noGrad;
        for (size_t i = 0; i < resumed->parameters().size(); ++i)
            resumed->parameters()[i].copy_(reference->parameters()[i]);
    }
    MultiTensor resumedOptimizer(resumed->parameters(), options);
    torch::load(resumedOptimizer, saved);
    train(*reference, referenceOptimizer, 3, 13);
    train(*resumed, resumedOptimizer, 3, 13);
    QVERIFY2(largestDifference(*reference, *resumed) < 1e-6,
             qPrintable(QString::number(largestDifference(*reference, *resumed))));
}

} // namespace

class TestOptimizers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sgdWithMomentumAndWeightDecay()
    {
        compare<torch::optim::SGD, MultiTensorSGD>(torch::optim::SGDOptions(0.1).momentum(0.9).weight_decay(5e-4));
    }
    void sgdNesterovWithDampening()
    {
        compare<torch::optim::SGD, MultiTensorSGD>(torch::optim::SGDOptions(0.05).momentum(0.9).nesterov(true));
        compare<torch::optim::SGD, MultiTensorSGD>(torch::optim::SGDOptions(0.05).momentum(0.5).dampening(0.1));
    }
    void plainSgd() { compare<torch::optim::SGD, MultiTensorSGD>(torch::optim::SGDOptions(0.1)); }
    void adamWithWeightDecay()
    {
        compare<torch::optim::Adam, MultiTensorAdam>(torch::optim::AdamOptions(1e-2).weight_decay(1e-3));
    }
    void adamW()
    {
        compare<torch::optim::AdamW, MultiTensorAdamW>(torch::optim::AdamWOptions(1e-2).weight_decay(0.05));
    }
    // Amsgrad is not multi-tensor: the per-parameter step is taken, with the same result.
    void amsgradFallsBack()
    {
        compare<torch::optim::Adam, MultiTensorAdam>(torch::optim::AdamOptions(1e-2).amsgrad(true));
    }
};

QTEST_APPLESS_MAIN(TestOptimizers)
#include "TestOptimizers.moc"
