// The multi-tensor optimizers against libtorch's per-parameter ones: the same parameters after several
// steps of a small network (SGD with momentum, weight decay and Nesterov; Adam with weight decay; AdamW),
// a parameter without a gradient left alone, and a checkpoint of one loaded into the other carrying on
// as before. Dynamic loss scaling (float16 training): the same steps as unscaled ones, an overflow skipped
// with the scale halved, and the scale grown after a run of good steps.

#include "train/LossScaler.h"
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
    const torch::Device device = model.parameters().front().device();
    for (int i = 0; i < steps; ++i) {
        const torch::Tensor x = torch::randn({32, 8}).to(device); // drawn on the CPU: the same on any device
        const torch::Tensor y = torch::randint(0, 3, {32}).to(device);
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

template <typename Reference, typename MultiTensor, typename Options>
void compare(const Options& options, torch::Device device = torch::kCPU)
{
    auto reference = net(7), multi = net(7);
    reference->to(device);
    multi->to(device);
    Reference referenceOptimizer(reference->parameters(), options);
    MultiTensor multiOptimizer(multi->parameters(), options);
    // The fused kernel orders its float arithmetic otherwise than the per-parameter ops.
    const double tolerance = device.is_cuda() ? 1e-5 : 1e-6;
    train(*reference, referenceOptimizer, 6, 11);
    train(*multi, multiOptimizer, 6, 11);
    QVERIFY2(largestDifference(*reference, *multi) < tolerance,
             qPrintable(QString::number(largestDifference(*reference, *multi))));
    auto start = net(7);
    start->to(device);
    QVERIFY(largestDifference(*reference, *start) > 1e-3);        // they did move
    QVERIFY(torch::equal(multi->unused.cpu(), torch::ones({4}))); // no gradient, no step

    // A checkpoint of the per-parameter optimizer carries on in the multi-tensor one.
    std::stringstream saved;
    torch::save(referenceOptimizer, saved);
    auto resumed = net(0);
    resumed->to(device);
    {
        torch::NoGradGuard noGrad;
        for (size_t i = 0; i < resumed->parameters().size(); ++i)
            resumed->parameters()[i].copy_(reference->parameters()[i]);
    }
    MultiTensor resumedOptimizer(resumed->parameters(), options);
    torch::load(resumedOptimizer, saved);
    train(*reference, referenceOptimizer, 3, 13);
    train(*resumed, resumedOptimizer, 3, 13);
    QVERIFY2(largestDifference(*reference, *resumed) < tolerance,
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
    // On CUDA, Adam and AdamW take the fused kernel, with the reference's numbers; on the CPU (all Debian's
    // libtorch has) it is not taken, and the foreach kernels give them (the tests above).
    void adamIsFusedOnCudaOnly()
    {
        auto model = net(7);
        const auto gradients = [](Net& net) {
            std::vector<torch::Tensor> all;
            for (const auto& p : net.parameters())
                all.push_back(torch::ones_like(p));
            return all;
        };
        QVERIFY(!fusedAdamTakes(model->parameters(), gradients(*model)));
        if (!torch::cuda::is_available())
            return;
        model->to(torch::kCUDA);
        QVERIFY(fusedAdamTakes(model->parameters(), gradients(*model)));
        compare<torch::optim::Adam, MultiTensorAdam>(torch::optim::AdamOptions(1e-2).weight_decay(1e-3), torch::kCUDA);
        compare<torch::optim::AdamW, MultiTensorAdamW>(torch::optim::AdamWOptions(1e-2).weight_decay(0.05),
                                                       torch::kCUDA);
    }
    // Amsgrad is not multi-tensor: the per-parameter step is taken, with the same result.
    void amsgradFallsBack()
    {
        compare<torch::optim::Adam, MultiTensorAdam>(torch::optim::AdamOptions(1e-2).amsgrad(true));
    }

    // Scaled by a power of two and unscaled again, float32 gradients are the same numbers: so are the steps.
    void scaledStepsAreTheUnscaledOnes()
    {
        auto plain = net(7), scaled = net(7);
        torch::optim::SGD plainStep(plain->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
        torch::optim::SGD scaledStep(scaled->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
        train(*plain, plainStep, 5, 11);
        LossScaler scaler;
        torch::manual_seed(11);
        for (int i = 0; i < 5; ++i) {
            const torch::Tensor x = torch::randn({32, 8});
            const torch::Tensor y = torch::randint(0, 3, {32});
            for (auto& p : scaled->parameters())
                p.mutable_grad() = torch::Tensor();
            scaler.scale(torch::nn::functional::cross_entropy(scaled->forward(x), y)).backward();
            QVERIFY(scaler.step(scaledStep));
        }
        QCOMPARE(scaler.scaleValue(), 65536.0);
        QVERIFY2(largestDifference(*plain, *scaled) < 1e-6,
                 qPrintable(QString::number(largestDifference(*plain, *scaled))));
    }

    // Gradients that overflowed: no step (the weights stay), the scale halves; the next good step steps.
    void anOverflowSkipsTheStepAndHalvesTheScale()
    {
        auto model = net(3), before = net(3);
        torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(1e-2));
        LossScaler scaler;
        const torch::Tensor x = torch::randn({4, 8});
        const torch::Tensor y = torch::randint(0, 3, {4});
        scaler.scale(torch::nn::functional::cross_entropy(model->forward(x), y) * INFINITY).backward();
        QVERIFY(!scaler.step(adam));
        QCOMPARE(largestDifference(*model, *before), 0.0);
        QCOMPARE(scaler.scaleValue(), 32768.0);
        for (auto& p : model->parameters())
            p.mutable_grad() = torch::Tensor();
        scaler.scale(torch::nn::functional::cross_entropy(model->forward(x), y)).backward();
        QVERIFY(scaler.step(adam));
        QVERIFY(largestDifference(*model, *before) > 0);
    }

    // After `growthInterval` good steps in a row the scale grows; an overflow starts the count again.
    void theScaleGrowsAfterARunOfGoodSteps()
    {
        auto model = net(5);
        torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(0.01));
        LossScaler::Options options;
        options.initialScale = 8;
        options.growthInterval = 3;
        LossScaler scaler(options);
        const torch::Tensor x = torch::randn({4, 8});
        const torch::Tensor y = torch::randint(0, 3, {4});
        const auto stepWith = [&](double factor) {
            for (auto& p : model->parameters())
                p.mutable_grad() = torch::Tensor();
            scaler.scale(torch::nn::functional::cross_entropy(model->forward(x), y) * factor).backward();
            return scaler.step(sgd);
        };
        QVERIFY(stepWith(1) && stepWith(1));
        QCOMPARE(scaler.scaleValue(), 8.0);
        QVERIFY(!stepWith(NAN));
        QCOMPARE(scaler.scaleValue(), 4.0);
        QVERIFY(stepWith(1) && stepWith(1) && stepWith(1));
        QCOMPARE(scaler.scaleValue(), 8.0);
    }
};

QTEST_APPLESS_MAIN(TestOptimizers)
#include "TestOptimizers.moc"
