#include "Trainer.h"

#include "AllocatorTuning.h"
#include "CheckpointKeeper.h"
#include "Classifier.h"
#include "ComputeMode.h"
#include "GradientBuckets.h"
#include "LossScaler.h"
#include "Losses.h"
#include "ModelInputs.h"
#include "MultiTensorOptimizers.h"
#include "RankGroup.h"
#include "RecordedSteps.h"
#include "ResumeCheckpoint.h"
#include "RunData.h"
#include "data/Subsampling.h"
#include "spec/ComputeChoices.h"
#include "spec/Device.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QSaveFile>

#include <sstream>

#include <chrono>
#include <cmath>
#include <stdexcept>
#include <thread>

namespace jikken {

namespace {

constexpr int kLossReportEvery = 10; // steps between train/loss points; fewer host syncs on a GPU
constexpr int64_t kEvalBatch = 1000;

using Clock = std::chrono::steady_clock;

std::runtime_error failure(const QString& message)
{
    return std::runtime_error(message.toStdString());
}

torch::Device chooseDevice(const QString& requested)
{
    if (requested == QLatin1String("auto"))
        return torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
    const QString problem = Trainer::deviceProblem(requested);
    if (!problem.isEmpty())
        throw failure(problem);
    return torch::Device(requested.toStdString());
}

/// Multi-tensor where kernel launches dominate a step (CUDA) or where asked; the same numbers either way.
template <typename PerParameter, typename MultiTensor, typename Options>
std::unique_ptr<torch::optim::Optimizer> optimizerOf(bool multiTensor, std::vector<torch::Tensor> parameters,
                                                     const Options& options)
{
    if (multiTensor)
        return std::make_unique<MultiTensor>(std::move(parameters), options);
    return std::make_unique<PerParameter>(std::move(parameters), options);
}

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const RunSpec& spec, std::vector<torch::Tensor> parameters,
                                                       const torch::Device& device, const ComputeMode& compute)
{
    using Step = ComputeChoices::OptimizerStep;
    const Step step = compute.choices().optimizerStep;
    const bool multi = step == Step::MultiTensor || (step == Step::Auto && device.is_cuda());
    if (spec.optimizer == QLatin1String("sgd"))
        return optimizerOf<torch::optim::SGD, MultiTensorSGD>(
            multi, std::move(parameters),
            torch::optim::SGDOptions(spec.lr).momentum(spec.momentum).weight_decay(spec.weightDecay));
    if (spec.optimizer == QLatin1String("adamw"))
        return optimizerOf<torch::optim::AdamW, MultiTensorAdamW>(
            multi, std::move(parameters), torch::optim::AdamWOptions(spec.lr).weight_decay(spec.weightDecay));
    return optimizerOf<torch::optim::Adam, MultiTensorAdam>(
        multi, std::move(parameters), torch::optim::AdamOptions(spec.lr).weight_decay(spec.weightDecay));
}

double learningRateAt(const RunSpec& spec, int epochIndex)
{
    if (spec.schedule == QLatin1String("step"))
        return spec.lr * std::pow(spec.lrStepGamma, epochIndex / spec.lrStepSize);
    if (spec.schedule == QLatin1String("cosine"))
        return spec.lr * 0.5 * (1.0 + std::cos(M_PI * epochIndex / spec.epochs));
    return spec.lr;
}

void setLearningRate(torch::optim::Optimizer& optimizer, double lr)
{
    for (auto& group : optimizer.param_groups())
        group.options().set_lr(lr);
}

/// Drops the gradients instead of zeroing them (PyTorch 2's default): backward then writes fresh ones
/// and no step pays for clearing megabytes of memory. zero_grad(set_to_none) is not in libtorch 1.13.
void clearGradients(torch::optim::Optimizer& optimizer)
{
    for (auto& group : optimizer.param_groups()) {
        for (auto& parameter : group.params())
            parameter.mutable_grad() = torch::Tensor();
    }
}

/// The order of an epoch's batches depends only on the seed and the epoch, so a resumed run sees the
/// same batches it would have seen.
std::vector<int64_t> epochOrder(int64_t size, int seed, int epochIndex)
{
    const std::vector<size_t> order = pickRandom(
        static_cast<size_t>(size), 0, static_cast<uint64_t>(seed) * 1000003u + static_cast<uint64_t>(epochIndex));
    return std::vector<int64_t>(order.begin(), order.end());
}

/// This rank's share of an epoch's order, dealt as PyTorch's DistributedSampler deals it: every
/// world-size-th image from the rank's place on, the order wrapped round so every rank gets as many.
std::vector<int64_t> shareOf(std::vector<int64_t> order, int rank, int worldSize)
{
    if (worldSize <= 1 || order.empty())
        return order;
    const auto ranks = static_cast<size_t>(worldSize);
    const size_t share = (order.size() + ranks - 1) / ranks;
    std::vector<int64_t> mine;
    mine.reserve(share);
    for (size_t k = 0; k < share; ++k)
        mine.push_back(order[(k * ranks + static_cast<size_t>(rank)) % order.size()]);
    return mine;
}

/// The value of the spec's `best_metric` in an epoch's report.
double metricOf(const RunSpec& spec, const EpochReport& report)
{
    if (spec.bestMetric == QLatin1String("test/loss"))
        return report.testLoss;
    if (spec.bestMetric == QLatin1String("train/loss"))
        return report.trainLoss;
    if (spec.bestMetric == QLatin1String("train/accuracy"))
        return report.trainAccuracy;
    return report.testError;
}

struct Evaluation
{
    double loss;
    double error;
    QVector<qint64> confusion; ///< [true * classes + predicted]
    int classes;
};

/// The test images' loss, error and confusion; with ranks, each evaluates its share and the sums are added.
Evaluation evaluate(models::ClassifierImpl& model, const TensorData& test, const ComputeMode& compute, int64_t classes,
                    RankGroup* group)
{
    torch::NoGradGuard noGrad;
    model.eval();
    double lossSum = 0;
    int64_t correct = 0;
    torch::Tensor confusion = torch::zeros({classes * classes}, test.labels.options());
    for (int64_t start = 0; start < test.size(); start += kEvalBatch) {
        const int64_t end = std::min(start + kEvalBatch, test.size());
        const torch::Tensor logits = [&] {
            const ComputeMode::Autocast autocast = compute.autocast();
            return ComputeMode::logits(model.forward(compute.input(test.images.slice(0, start, end))));
        }();
        const torch::Tensor labels = test.labels.slice(0, start, end);
        lossSum += torch::nn::functional::cross_entropy(
                       logits, labels, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                       .item<double>();
        const torch::Tensor predicted = logits.argmax(1);
        correct += predicted.eq(labels).sum().item<int64_t>();
        // Each (true, predicted) pair counted in one pass: bincount over true * classes + predicted.
        confusion += torch::bincount(labels * classes + predicted, {}, classes * classes);
    }
    model.train();
    int64_t images = test.size();
    if (group) { // counts up to 2^53 are exact in a double
        torch::Tensor sums =
            torch::cat({torch::tensor({lossSum, static_cast<double>(correct), static_cast<double>(images)},
                                      torch::TensorOptions().dtype(torch::kFloat64)),
                        confusion.to(torch::kCPU, torch::kFloat64)})
                .to(test.labels.device());
        group->sum(sums);
        sums = sums.cpu();
        lossSum = sums[0].item<double>();
        correct = static_cast<int64_t>(sums[1].item<double>());
        images = static_cast<int64_t>(sums[2].item<double>());
        confusion = sums.slice(0, 3).to(torch::kInt64);
    }
    const auto n = static_cast<double>(std::max<int64_t>(images, 1));
    const torch::Tensor onHost = confusion.to(torch::kCPU, torch::kInt64).contiguous();
    const QVector<qint64> counts(onHost.data_ptr<int64_t>(), onHost.data_ptr<int64_t>() + onHost.numel());
    return {lossSum / n, 1.0 - static_cast<double>(correct) / n, counts, static_cast<int>(classes)};
}

/// Loads the weights and the optimizer's state the run folder's checkpoint names, and says where it was.
Checkpoint restore(const QString& runDirectory, models::ClassifierImpl& model, torch::optim::Optimizer& optimizer,
                   torch::Device device)
{
    const std::optional<Checkpoint> saved = readCheckpoint(runDirectory);
    if (!saved)
        throw failure(QStringLiteral("no checkpoint to resume from in %1").arg(runDirectory));
    const QDir dir(runDirectory);
    torch::serialize::InputArchive archive;
    archive.load_from(dir.filePath(saved->modelFile).toStdString(), device);
    model.load(archive);
    torch::load(optimizer, dir.filePath(saved->optimizerFile).toStdString(), device);
    return *saved;
}

/// A run's epochs of batches from a checkpoint on: each step, the observer's reports (the loss every
/// `kLossReportEvery` steps, an evaluation each epoch) and a checkpoint after each epoch or at a stop.
/// With a rank group, each rank trains on its share of every batch, gradients are averaged over the ranks,
/// what is reported is the mean over them, they stop at the same step, and only rank 0 checkpoints.
class TrainingLoop
{
public:
    TrainingLoop(const RunSpec& spec, const QString& runDirectory, const RunData& data, models::ClassifierImpl& model,
                 torch::optim::Optimizer& optimizer, const ComputeMode& compute, const Loss& loss,
                 TrainingObserver& observer, CheckpointKeeper& keeper, const std::atomic<bool>& stop, RankGroup* group)
        : m_spec(spec), m_runDirectory(runDirectory), m_data(data), m_model(model), m_optimizer(optimizer),
          m_compute(compute), m_loss(loss), m_observer(observer), m_keeper(keeper), m_stop(stop), m_group(group),
          m_device(data.train.labels.device()), m_sums(m_device),
          m_reportLoss(torch::zeros({}, torch::TensorOptions().device(m_device)))
    {
        if (compute.scalesLoss())
            m_scaler.emplace();
        if (m_group) {
            m_buckets.emplace(model.parameters(), *m_group);
            m_buffers = model.buffers();
            return; // a step that waits for other ranks is not recorded in a CUDA graph
        }
        auto* recordable = dynamic_cast<RecordableStep*>(&optimizer);
        using Graphs = ComputeChoices::CudaGraphs;
        const Graphs graphs = compute.choices().cudaGraphs;
        if (graphs != Graphs::Off && m_device.is_cuda() && !m_scaler && recordable && StepGraph::problem().isEmpty())
            m_recorded.emplace(m_device.index() < 0 ? 0 : m_device.index(), spec.batchSize, *recordable,
                               graphs == Graphs::On);
    }

    /// Whether steps are recorded in a CUDA graph and replayed.
    bool recordsSteps() const { return m_recorded.has_value(); }

    int batches() const { return static_cast<int>((shareSize() + m_spec.batchSize - 1) / m_spec.batchSize); }

    Trainer::Outcome run(const Checkpoint& from)
    {
        m_step = from.step;
        if (m_scaler && from.lossScale > 0)
            m_scaler->setScale(from.lossScale);
        m_model.train();
        for (int epochIndex = from.epoch; epochIndex < m_spec.epochs; ++epochIndex) {
            const double lr = learningRateAt(m_spec, epochIndex);
            setLearningRate(m_optimizer, lr);
            const auto epochStart = Clock::now();
            m_sums.zero();
            if (!trainBatches(epochIndex, epochIndex == from.epoch ? from.batch : 0, lr))
                return Trainer::Outcome::Stopped;
            const double seconds = std::chrono::duration<double>(Clock::now() - epochStart).count();
            // Report first, then checkpoint: a kill between the two re-runs the epoch on resume (and the
            // restart marker drops its first report) instead of resuming past an epoch nobody recorded.
            const EpochReport report = reportOf(epochIndex, lr, seconds);
            m_observer.onEpoch(report);
            checkpoint(epochIndex + 1, 0, metricOf(m_spec, report));
            if (stopping() && epochIndex + 1 < m_spec.epochs)
                return Trainer::Outcome::Stopped;
        }
        return Trainer::Outcome::Finished;
    }

private:
    int ranks() const { return m_group ? m_group->size() : 1; }
    /// The training images this rank sees an epoch.
    int64_t shareSize() const { return (m_data.train.size() + ranks() - 1) / ranks(); }
    /// Whether to stop here: alone, as soon as asked; with ranks, as the ranks last agreed (at a loss report).
    bool stopping() const { return m_group ? m_stopAgreed : m_stop.load(); }
    bool writesCheckpoints() const { return !m_group || m_group->rank() == 0; }

    /// The mean loss since the last report over every rank, and whether any rank was asked to stop.
    double agreeOnReport(int reportSteps)
    {
        if (!m_group)
            return m_reportLoss.item<double>() / reportSteps;
        torch::Tensor both =
            torch::stack({m_reportLoss.to(torch::kFloat64),
                          torch::full({}, m_stop.load() ? 1.0 : 0.0,
                                      torch::TensorOptions().dtype(torch::kFloat64).device(m_device))});
        m_group->sum(both);
        both = both.cpu();
        m_stopAgreed = both[1].item<double>() > 0;
        return both[0].item<double>() / reportSteps / ranks();
    }

    /// An epoch's training loss and correct answers, summed on the device: read once, at its end. The
    /// same tensors all run long, zeroed in place, as a step recorded in a CUDA graph adds to them.
    struct EpochSums
    {
        explicit EpochSums(const torch::Device& device)
            : loss(torch::zeros({}, torch::TensorOptions().device(device))),
              correct(torch::zeros({}, torch::TensorOptions().dtype(torch::kInt64).device(device)))
        {
        }
        void zero()
        {
            loss.zero_();
            correct.zero_();
            seen = 0;
        }
        torch::Tensor loss;
        torch::Tensor correct;
        int64_t seen = 0;
    };

    /// The batches of an epoch from `firstBatch` on; false once stopped mid-epoch (and checkpointed there).
    bool trainBatches(int epochIndex, int firstBatch, double lr)
    {
        const std::vector<int64_t> order =
            shareOf(epochOrder(m_data.train.size(), m_spec.seed, epochIndex), m_group ? m_group->rank() : 0, ranks());
        const torch::Tensor orderTensor =
            torch::from_blob(const_cast<int64_t*>(order.data()), {static_cast<int64_t>(order.size())}, torch::kInt64)
                .to(m_device);
        const int count = batches();
        m_reportLoss.zero_();
        int reportSteps = 0;
        auto reportStart = Clock::now();
        for (int b = firstBatch; b < count; ++b) {
            const int64_t start = static_cast<int64_t>(b) * m_spec.batchSize;
            const torch::Tensor index = orderTensor.slice(0, start, std::min(start + m_spec.batchSize, shareSize()));
            step(index, lr);
            ++reportSteps;
            if (reportSteps == kLossReportEvery || b + 1 == count) {
                const auto now = Clock::now();
                const double seconds = std::chrono::duration<double>(now - reportStart).count();
                const double loss = agreeOnReport(reportSteps);
                const double images = static_cast<double>(reportSteps) * m_spec.batchSize * ranks();
                m_observer.onBatch({epochIndex + 1, b + 1, count, m_step, loss, seconds > 0 ? images / seconds : 0});
                m_reportLoss.zero_();
                reportSteps = 0;
                reportStart = now;
            }
            if (stopping() && b + 1 < count) {
                checkpoint(epochIndex, b + 1);
                return false;
            }
        }
        return true;
    }

    /// One optimizer step on the training images at `index`, replayed from a CUDA graph where steps are
    /// recorded; counted on the host, as a replay runs no code of ours.
    void step(const torch::Tensor& index, double lr)
    {
        if (m_recorded)
            m_recorded->take(index, lr, [this](const torch::Tensor& batch) { deviceStep(batch); });
        else
            deviceStep(index);
        ++m_step;
        m_sums.seen += index.size(0);
    }

    /// The step's work on the device, nothing read back to the host: forward, loss, backward, the
    /// optimizer, and the batch's loss and correct answers added to the epoch's and the report's sums.
    void deviceStep(const torch::Tensor& index)
    {
        const torch::Tensor images = m_compute.input(m_data.train.images.index_select(0, index));
        const torch::Tensor labels = m_data.train.labels.index_select(0, index);
        clearGradients(m_optimizer);
        if (!m_buffers.empty()) // as DDP: rank 0's batch-norm statistics on every rank before each forward
            m_group->broadcast(m_buffers);
        const torch::Tensor logits = [&] {
            const ComputeMode::Autocast autocast = m_compute.autocast();
            return ComputeMode::logits(m_model.forward(images));
        }();
        const torch::Tensor batchLoss = m_loss(logits, labels);
        if (m_scaler) { // a step whose float16 gradients overflowed is skipped; it still counts as a step
            m_scaler->scale(batchLoss).backward();
            averageGradients();
            m_scaler->step(m_optimizer);
        } else {
            batchLoss.backward();
            averageGradients();
            m_optimizer.step();
        }
        torch::NoGradGuard noGrad;
        const torch::Tensor detached = batchLoss.detach();
        m_sums.loss += detached * index.size(0);
        m_sums.correct += logits.argmax(1).eq(labels).sum();
        m_reportLoss += detached;
    }

    void averageGradients()
    {
        if (m_buckets)
            m_buckets->reduce();
    }

    /// Checkpoints `batch` batches into epoch `epochIndex`, the replayed steps counted in the optimizer first;
    /// the keeper keeps it as the best, or every N epochs', by `value` (none mid-epoch), and the observer
    /// hears which files are kept.
    void checkpoint(int epochIndex, int batch, std::optional<double> value = std::nullopt)
    {
        if (!writesCheckpoints())
            return;
        if (m_recorded)
            m_recorded->settle();
        const WrittenModel written =
            writeCheckpoint(m_runDirectory, at(epochIndex, batch), m_model, m_data.inputs, m_optimizer);
        m_observer.onCheckpoints(m_keeper.saved(written.file, m_step, epochIndex, batch == 0 ? value : std::nullopt,
                                                written.sha256, written.size));
    }

    /// Where the run is, for a checkpoint: `batch` batches into epoch `epochIndex`.
    Checkpoint at(int epochIndex, int batch) const
    {
        return {epochIndex, batch, m_step, {}, {}, m_scaler ? m_scaler->scaleValue() : 0};
    }

    EpochReport reportOf(int epochIndex, double lr, double seconds)
    {
        const Evaluation evaluation = evaluate(m_model, m_data.test, m_compute, m_data.inputs.shape.classes, m_group);
        // The epoch's sums, over every rank: [loss, correct, seen].
        torch::Tensor sums =
            torch::stack({m_sums.loss.to(torch::kFloat64), m_sums.correct.to(torch::kFloat64),
                          torch::full({}, static_cast<double>(m_sums.seen),
                                      torch::TensorOptions().dtype(torch::kFloat64).device(m_device))});
        if (m_group)
            m_group->sum(sums);
        sums = sums.cpu();
        const double seen = sums[2].item<double>();
        EpochReport report;
        report.epoch = epochIndex + 1;
        report.step = m_step;
        report.trainLoss = seen > 0 ? sums[0].item<double>() / seen : 0;
        report.trainAccuracy = seen > 0 ? sums[1].item<double>() / seen : 0;
        report.testLoss = evaluation.loss;
        report.testError = evaluation.error;
        report.confusion = evaluation.confusion;
        report.classes = evaluation.classes;
        report.learningRate = lr;
        report.seconds = seconds;
        report.imagesPerSecond = seconds > 0 ? seen / seconds : 0;
        return report;
    }

    const RunSpec& m_spec;
    const QString& m_runDirectory;
    const RunData& m_data;
    models::ClassifierImpl& m_model;
    torch::optim::Optimizer& m_optimizer;
    const ComputeMode& m_compute;
    const Loss& m_loss;
    TrainingObserver& m_observer;
    CheckpointKeeper& m_keeper;
    const std::atomic<bool>& m_stop;
    RankGroup* const m_group; ///< null when the run is one process
    bool m_stopAgreed = false;
    std::optional<GradientBuckets> m_buckets; ///< with ranks
    std::vector<torch::Tensor> m_buffers;     ///< with ranks: the model's buffers, kept as rank 0's
    const torch::Device m_device;
    std::optional<LossScaler> m_scaler; ///< float16 runs only
    EpochSums m_sums;
    torch::Tensor m_reportLoss; ///< the batches' mean losses since the last report, summed on the device
    /// Runs whose steps are recorded in a CUDA graph only. Last: its stream is done with before the
    /// tensors above are freed.
    std::optional<RecordedSteps> m_recorded;
    int64_t m_step = 0;
};

} // namespace

Trainer::Trainer(RunSpec spec, QString runDirectory) : m_spec(std::move(spec)), m_runDirectory(std::move(runDirectory))
{
}

Trainer::~Trainer() = default;

QString Trainer::deviceProblem(const QString& device)
{
    const auto parsed = Device::parse(device);
    if (!parsed || !parsed->isCuda())
        return {};
    if (!torch::cuda::is_available())
        return QStringLiteral("device %1 requested, but this libtorch has no usable CUDA").arg(device);
    const int index = parsed->cudaIndex();
    const auto count = static_cast<int>(torch::cuda::device_count());
    if (index >= count)
        return QStringLiteral("device %1 requested, but this machine has %2 CUDA devices").arg(device).arg(count);
    return {};
}

QString Trainer::computeProblem(const RunSpec& spec)
{
    const auto device = Device::parse(spec.device);
    const bool cuda =
        device && (device->isCuda() || (device->kind == Device::Kind::Auto && torch::cuda::is_available()));
    const ComputeChoices choices = ComputeChoices::of(spec);
    const bool fp16 = choices.precision == ComputeChoices::Precision::Fp16;
    if (spec.worldSize() > 1) {
        if (const QString problem = rankGroupProblem(cuda); !problem.isEmpty())
            return problem;
    }
    if (fp16 && !cuda)
        return QStringLiteral("precision fp16 needs a CUDA device (float16 autocast runs on CUDA; on the CPU "
                              "give --precision bf16)");
    if (choices.cudaGraphs != ComputeChoices::CudaGraphs::On)
        return {};
    if (spec.worldSize() > 1)
        return QStringLiteral("cuda graphs on does not go with data-parallel ranks (a step waits for the other "
                              "ranks); give --cuda-graphs auto or off");
    if (!cuda)
        return QStringLiteral("cuda graphs on needs a CUDA device (the step is recorded on one); give --cuda-graphs "
                              "auto or off");
    if (const QString problem = StepGraph::problem(); !problem.isEmpty())
        return QStringLiteral("cuda graphs on: %1; give --cuda-graphs auto or off").arg(problem);
    if (fp16)
        return QStringLiteral("cuda graphs on does not go with precision fp16: its loss scaler reads back every step "
                              "whether the gradients overflowed; give --precision bf16, or --cuda-graphs auto");
    if (choices.optimizerStep == ComputeChoices::OptimizerStep::PerParameter)
        return QStringLiteral("cuda graphs on needs the multi-tensor optimizer step (libtorch's per-parameter "
                              "optimizers count their steps on the host); give --optimizer-step auto");
    return {};
}

QJsonObject Trainer::libraryVersions()
{
    QJsonObject versions{{QStringLiteral("jikken"), QStringLiteral(JIKKEN_VERSION)},
                         {QStringLiteral("libtorch"), QStringLiteral(TORCH_VERSION)},
                         {QStringLiteral("cuda_available"), torch::cuda::is_available()}};
    if (torch::cuda::is_available())
        versions.insert(QStringLiteral("cuda_devices"), static_cast<int>(torch::cuda::device_count()));
    return versions;
}

Trainer::Outcome Trainer::run(TrainingObserver& observer, const std::atomic<bool>& stop)
{
    const int threads =
        m_spec.threads > 0 ? m_spec.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    torch::set_num_threads(threads);
    keepFreedMemoryForReuse();
    torch::manual_seed(static_cast<uint64_t>(m_spec.seed));
    const torch::Device device = chooseDevice(m_spec.device);
    // The ranks meet first: a rank that cannot join fails them all before anyone loads a dataset.
    const std::unique_ptr<RankGroup> group =
        m_place.isDistributed() ? std::make_unique<RankGroup>(m_place, device) : nullptr;
    const RunData data = loadRunData(m_spec, device, m_place);

    auto model = models::makeClassifier(m_spec.model.toStdString(), data.inputs.shape);
    if (!model)
        throw failure(QStringLiteral("unknown model %1").arg(m_spec.model));
    model->to(device);
    const ComputeMode compute(m_spec, device);
    auto optimizer = makeOptimizer(m_spec, model->parameters(), device, compute);
    const Loss loss(m_spec, data.classCounts, device);
    const Checkpoint state = m_resume ? restore(m_runDirectory, *model, *optimizer, device) : Checkpoint();
    compute.prepare(*model); // after a checkpoint's weights are in: loading keeps the saved layout
    if (group) {             // every rank starts from rank 0's weights, whatever its seed or checkpoint gave it
        std::vector<torch::Tensor> state = model->parameters();
        for (const torch::Tensor& buffer : model->buffers())
            state.push_back(buffer);
        torch::NoGradGuard noGrad;
        group->broadcast(state);
    }

    CheckpointKeeper keeper(m_spec, m_runDirectory, m_host);
    TrainingLoop loop{m_spec, m_runDirectory, data,   *model, *optimizer, compute,
                      loss,   observer,       keeper, stop,   group.get()};
    TrainingPlan plan;
    plan.epochs = m_spec.epochs;
    plan.startEpoch = state.epoch;
    plan.startStep = state.step;
    plan.batchesPerEpoch = loop.batches();
    plan.trainImages = data.train.size();
    plan.testImages = data.testImages;
    plan.classCounts = data.classCounts;
    plan.device = QString::fromStdString(device.str());
    plan.threads = threads;
    plan.cudaGraphs = loop.recordsSteps();
    plan.worldSize = m_place.worldSize;
    observer.onPlan(plan);
    const Outcome outcome = loop.run(state);
    if (outcome == Outcome::Finished && m_place.rank == 0) {
        const std::optional<Checkpoint> last = readCheckpoint(m_runDirectory);
        observer.onCheckpoints(keeper.finished(
            last ? QStringList{last->modelFile, last->optimizerFile, checkpointFileName()} : QStringList()));
    }
    return outcome;
}

} // namespace jikken
