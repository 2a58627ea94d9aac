// The multi-tensor optimizers against libtorch's per-parameter ones: the same parameters after several
// steps of a small network (SGD with momentum, weight decay and Nesterov; Adam with weight decay; AdamW),
// a parameter without a gradient left alone, and a checkpoint of one loaded into the other carrying on
// as before. Dynamic loss scaling (float16 training): the same steps as unscaled ones, an overflow skipped
// with the scale halved, and the scale grown after a run of good steps. CUDA graphs: which steps can be
// recorded, the replayed steps counted in what a checkpoint saves, and (on a GPU) a recorded step replayed
// with the numbers of the steps run as they are.

#include "train/LossScaler.h"
#include "train/MultiTensorOptimizers.h"
#include "train/StepGraph.h"

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

/// One training step on `x`, `y`, the gradients dropped first (as the trainer does).
void trainStep(Net& model, torch::optim::Optimizer& optimizer, const torch::Tensor& x, const torch::Tensor& y)
{
    for (auto& p : model.parameters())
        p.mutable_grad() = torch::Tensor();
    torch::nn::functional::cross_entropy(model.forward(x), y).backward();
    optimizer.step();
}

void train(Net& model, torch::optim::Optimizer& optimizer, int steps, uint64_t dataSeed)
{
    torch::manual_seed(dataSeed);
    const torch::Device device = model.parameters().front().device();
    for (int i = 0; i < steps; ++i) {
        const torch::Tensor x = torch::randn({32, 8}).to(device); // drawn on the CPU: the same on any device
        const torch::Tensor y = torch::randint(0, 3, {32}).to(device);
        trainStep(model, optimizer, x, y);
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

/// The step count a saved Adam or AdamW keeps for each parameter that stepped.
template <typename Reference, typename State, typename Options>
std::vector<int64_t> savedStepCounts(torch::optim::Optimizer& optimizer, Net& model, const Options& options)
{
    std::stringstream saved;
    torch::save(optimizer, saved);
    Reference loaded(model.parameters(), options);
    torch::load(loaded, saved);
    std::vector<int64_t> counts;
    for (const auto& state : loaded.state())
        counts.push_back(static_cast<const State&>(*state.second).step());
    return counts;
}

/// Steps `eager` and `recorded` (the same network and optimizer) on the same ten batches: one runs each
/// step as it is, the other runs three, then records the fourth in a CUDA graph and replays it for the rest.
template <typename Optimizer, typename Options> void replayAgainstEager(const Options& options)
{
    const torch::Device cuda(torch::kCUDA);
    torch::manual_seed(21);
    std::vector<torch::Tensor> xs, ys;
    for (int i = 0; i < 10; ++i) {
        xs.push_back(torch::randn({32, 8}).to(cuda));
        ys.push_back(torch::randint(0, 3, {32}).to(cuda));
    }
    auto eager = net(7), recorded = net(7);
    eager->to(cuda);
    recorded->to(cuda);
    Optimizer eagerOptimizer(eager->parameters(), options), recordedOptimizer(recorded->parameters(), options);
    for (int i = 0; i < 10; ++i)
        trainStep(*eager, eagerOptimizer, xs[static_cast<size_t>(i)], ys[static_cast<size_t>(i)]);

    StepGraph graph(0);
    const torch::Tensor x = torch::zeros({32, 8}, torch::TensorOptions().device(cuda));
    const torch::Tensor y = torch::zeros({32}, torch::TensorOptions().dtype(torch::kInt64).device(cuda));
    const auto step = [&] { trainStep(*recorded, recordedOptimizer, x, y); };
    for (int i = 0; i < 10; ++i) {
        x.copy_(xs[static_cast<size_t>(i)]);
        y.copy_(ys[static_cast<size_t>(i)]);
        if (i < 3) {
            step();
            continue;
        }
        if (i == 3) {
            QVERIFY(recordedOptimizer.stepRecordable());
            graph.record(step);
        }
        graph.replay();
    }
    recordedOptimizer.countReplayedSteps(6); // the replays after the one that took the recorded step
    QVERIFY2(largestDifference(*eager, *recorded) < 1e-5,
             qPrintable(QString::number(largestDifference(*eager, *recorded))));
    auto start = net(7);
    start->to(cuda);
    QVERIFY(largestDifference(*eager, *start) > 1e-3); // they did move
    if constexpr (std::is_same_v<Optimizer, MultiTensorAdam>) {
        const auto counts =
            savedStepCounts<torch::optim::Adam, torch::optim::AdamParamState>(recordedOptimizer, *recorded, options);
        QVERIFY((counts == std::vector<int64_t>(4, 10)));
    }
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
    // Which steps a CUDA graph can record: SGD's multi-tensor step once taken (its momentum buffers are
    // there), not the per-parameter step it falls back to; Adam's only through the fused kernel (CUDA).
    void whichStepsCanBeRecorded()
    {
        auto model = net(7);
        MultiTensorSGD sgd(model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
        QVERIFY(!sgd.stepRecordable());
        train(*model, sgd, 1, 3);
        QVERIFY(sgd.stepRecordable());
        sgd.step([] { return torch::zeros({}); }); // a loss closure: the per-parameter step
        QVERIFY(!sgd.stepRecordable());
        MultiTensorAdam adam(model->parameters(), torch::optim::AdamOptions(1e-2));
        train(*model, adam, 1, 3);
        QCOMPARE(adam.stepRecordable(), model->parameters().front().is_cuda()); // false on the CPU
    }
    // A replay runs none of the host's code: the steps it took are counted in what a checkpoint saves.
    void replayedStepsAreCountedInTheCheckpoint()
    {
        auto model = net(7);
        const auto adamOptions = torch::optim::AdamOptions(1e-2);
        MultiTensorAdam adam(model->parameters(), adamOptions);
        train(*model, adam, 2, 3);
        adam.countReplayedSteps(3);
        const std::vector<int64_t> fiveEach(4, 5); // the four parameters with gradients
        QVERIFY(
            (savedStepCounts<torch::optim::Adam, torch::optim::AdamParamState>(adam, *model, adamOptions) == fiveEach));
        const auto adamWOptions = torch::optim::AdamWOptions(1e-2);
        MultiTensorAdamW adamW(model->parameters(), adamWOptions);
        train(*model, adamW, 1, 3);
        adamW.countReplayedSteps(4);
        QVERIFY((savedStepCounts<torch::optim::AdamW, torch::optim::AdamWParamState>(adamW, *model, adamWOptions) ==
                 fiveEach));
    }
    // On a GPU, with a libtorch that has CUDA graphs: a step recorded once and replayed leaves the
    // parameters (and Adam's step counts) the steps run as they are leave. Elsewhere StepGraph says why not.
    void aRecordedStepReplaysAsItRan()
    {
        if (!StepGraph::problem().isEmpty()) {
            QVERIFY2(StepGraph::problem().contains(QStringLiteral("without CUDA graphs")),
                     qPrintable(StepGraph::problem()));
            return;
        }
        if (!torch::cuda::is_available())
            return;
        replayAgainstEager<MultiTensorSGD>(torch::optim::SGDOptions(0.1).momentum(0.9).weight_decay(5e-4));
        replayAgainstEager<MultiTensorAdam>(torch::optim::AdamOptions(1e-2).weight_decay(1e-3));
        replayAgainstEager<MultiTensorAdamW>(torch::optim::AdamWOptions(1e-2).weight_decay(0.05));
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
