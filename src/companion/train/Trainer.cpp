#include "Trainer.h"

#include "AllocatorTuning.h"
#include "Classifier.h"
#include "ComputeMode.h"
#include "Losses.h"
#include "MultiTensorOptimizers.h"
#include "data/DatasetLoader.h"
#include "data/Subsampling.h"

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

/// A dataset as one normalised float tensor on the training device, plus its labels.
struct TensorData
{
    torch::Tensor images;
    torch::Tensor labels;
    int64_t size() const { return labels.size(0); }
};

TensorData toTensors(const ImageDataset& data, const std::vector<double>& mean, const std::vector<double>& stddev,
                     torch::Device device)
{
    const auto n = static_cast<int64_t>(data.size());
    torch::Tensor pixels = torch::from_blob(const_cast<uint8_t*>(data.pixels.data()),
                                            {n, data.channels, data.height, data.width}, torch::kUInt8)
                               .to(torch::kFloat32)
                               .div_(255.0);
    for (int c = 0; c < data.channels; ++c)
        pixels.select(1, c).sub_(mean[static_cast<size_t>(c)]).div_(stddev[static_cast<size_t>(c)]);
    torch::Tensor labels =
        torch::from_blob(const_cast<uint8_t*>(data.labels.data()), {n}, torch::kUInt8).to(torch::kInt64);
    return {pixels.to(device), labels.to(device)};
}

void channelStatistics(const ImageDataset& data, std::vector<double>& mean, std::vector<double>& stddev)
{
    const size_t plane = static_cast<size_t>(data.height) * static_cast<size_t>(data.width);
    for (int c = 0; c < data.channels; ++c) {
        double sum = 0, squares = 0;
        for (size_t i = 0; i < data.size(); ++i) {
            const uint8_t* p = data.pixels.data() + i * data.imageBytes() + static_cast<size_t>(c) * plane;
            uint64_t s = 0, q = 0;
            for (size_t k = 0; k < plane; ++k) {
                s += p[k];
                q += static_cast<uint64_t>(p[k]) * p[k];
            }
            sum += static_cast<double>(s);
            squares += static_cast<double>(q);
        }
        const double n = std::max(1.0, static_cast<double>(data.size() * plane));
        const double m = sum / n / 255.0;
        mean.push_back(m);
        stddev.push_back(std::max(std::sqrt(std::max(0.0, squares / n / (255.0 * 255.0) - m * m)), 1e-6));
    }
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
                                                       const torch::Device& device)
{
    const bool multi = spec.optimizerStep == QLatin1String("multi-tensor") ||
                       (spec.optimizerStep == QLatin1String("auto") && device.is_cuda());
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

struct Checkpoint
{
    int epoch = 0; ///< epochs completed
    int batch = 0; ///< batches of the next epoch already done (a stop mid-epoch)
    int64_t step = 0;
    QString modelFile;
    QString optimizerFile;
};

std::optional<Checkpoint> readCheckpoint(const QString& runDirectory)
{
    QFile file(QDir(runDirectory).filePath(Trainer::checkpointFileName()));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
    if (!json.contains(QLatin1String("model")))
        throw failure(QStringLiteral("%1 is not a Jikken checkpoint").arg(file.fileName()));
    return Checkpoint{json.value(QLatin1String("epoch")).toInt(), json.value(QLatin1String("batch")).toInt(),
                      static_cast<int64_t>(json.value(QLatin1String("step")).toDouble()),
                      json.value(QLatin1String("model")).toString(), json.value(QLatin1String("optimizer")).toString()};
}

/// Writes `bytes` under a temporary name renamed over `path` once complete (QSaveFile). A full disk is an
/// error naming the file, never a torn .pt file; serializing to memory first keeps libtorch's file writer,
/// whose destructor aborts the process on a failed write, out of it.
void writeWhole(const QString& path, const std::string& bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(bytes.data(), static_cast<qint64>(bytes.size())) != static_cast<qint64>(bytes.size()) ||
        !file.commit())
        throw failure(QStringLiteral("cannot write the checkpoint %1: %2").arg(path, file.errorString()));
}

// Weights first, then the JSON that names them, replaced atomically: a kill, or a full disk, at any moment
// leaves the previous checkpoint or the new one, never a mix.
void writeCheckpoint(const QString& runDirectory, const Checkpoint& c, models::ClassifierImpl& model,
                     torch::optim::Optimizer& optimizer)
{
    const QDir dir(runDirectory);
    const QString modelFile = QStringLiteral("model-%1.pt").arg(c.step);
    const QString optimizerFile = QStringLiteral("optimizer-%1.pt").arg(c.step);
    const auto serialized = [](const auto& save) {
        std::ostringstream stream;
        save(stream);
        return std::move(stream).str();
    };
    const std::optional<Checkpoint> previous = readCheckpoint(runDirectory);
    try {
        writeWhole(dir.filePath(modelFile), serialized([&](std::ostream& stream) {
                       torch::serialize::OutputArchive archive;
                       model.save(archive);
                       archive.save_to(stream);
                   }));
        writeWhole(dir.filePath(optimizerFile),
                   serialized([&](std::ostream& stream) { torch::save(optimizer, stream); }));
    } catch (...) {
        if (!previous || previous->modelFile != modelFile)
            QFile::remove(dir.filePath(modelFile)); // complete, but named by no checkpoint
        throw;
    }
    QSaveFile file(dir.filePath(Trainer::checkpointFileName()));
    const QJsonObject json{{QStringLiteral("epoch"), c.epoch},
                           {QStringLiteral("batch"), c.batch},
                           {QStringLiteral("step"), static_cast<double>(c.step)},
                           {QStringLiteral("model"), modelFile},
                           {QStringLiteral("optimizer"), optimizerFile}};
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(json).toJson()) < 0 || !file.commit())
        throw failure(QStringLiteral("cannot write the checkpoint in %1: %2").arg(runDirectory, file.errorString()));
    if (previous && previous->modelFile != modelFile) {
        QFile::remove(dir.filePath(previous->modelFile));
        QFile::remove(dir.filePath(previous->optimizerFile));
    }
}

struct Evaluation
{
    double loss;
    double error;
    QVector<qint64> confusion; ///< [true * classes + predicted]
    int classes;
};

Evaluation evaluate(models::ClassifierImpl& model, const TensorData& test, const ComputeMode& compute)
{
    torch::NoGradGuard noGrad;
    model.eval();
    double lossSum = 0;
    int64_t correct = 0;
    torch::Tensor confusion;
    int64_t classes = 0;
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
        classes = logits.size(1);
        // Each (true, predicted) pair counted in one pass: bincount over true * classes + predicted.
        const torch::Tensor pairs = torch::bincount(labels * classes + predicted, {}, classes * classes);
        confusion = confusion.defined() ? confusion + pairs : pairs;
    }
    model.train();
    const auto n = static_cast<double>(std::max<int64_t>(test.size(), 1));
    QVector<qint64> counts;
    if (confusion.defined()) {
        const torch::Tensor onHost = confusion.to(torch::kCPU, torch::kInt64).contiguous();
        counts = QVector<qint64>(onHost.data_ptr<int64_t>(), onHost.data_ptr<int64_t>() + onHost.numel());
    }
    return {lossSum / n, 1.0 - static_cast<double>(correct) / n, counts, static_cast<int>(classes)};
}

} // namespace

Trainer::Trainer(RunSpec spec, QString runDirectory) : m_spec(std::move(spec)), m_runDirectory(std::move(runDirectory))
{
}

Trainer::~Trainer() = default;

QString Trainer::deviceProblem(const QString& device)
{
    if (!device.startsWith(QLatin1String("cuda")))
        return {};
    if (!torch::cuda::is_available())
        return QStringLiteral("device %1 requested, but this libtorch has no usable CUDA").arg(device);
    const int index = device.contains(u':') ? device.section(u':', 1).toInt() : 0;
    const auto count = static_cast<int>(torch::cuda::device_count());
    if (index >= count)
        return QStringLiteral("device %1 requested, but this machine has %2 CUDA devices").arg(device).arg(count);
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
    const RunSpec& spec = m_spec;
    const int threads =
        spec.threads > 0 ? spec.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    torch::set_num_threads(threads);
    keepFreedMemoryForReuse();
    torch::manual_seed(static_cast<uint64_t>(spec.seed));
    const torch::Device device = chooseDevice(spec.device);

    QString error;
    std::optional<ImageDataset> train =
        DatasetLoader::load(spec.dataset, spec.dataRoot, DatasetLoader::Split::Train, &error);
    if (!train)
        throw failure(error);
    std::optional<ImageDataset> test =
        DatasetLoader::load(spec.dataset, spec.dataRoot, DatasetLoader::Split::Test, &error);
    if (!test)
        throw failure(error);
    if (spec.imbalanceRatio > 1.0)
        train = train->subset(pickPerClass(*train, longTailCounts(train->classCounts(), spec.imbalanceRatio),
                                           static_cast<uint64_t>(spec.seed)));
    if (spec.trainLimit > 0)
        train = train->subset(
            pickRandom(train->size(), static_cast<size_t>(spec.trainLimit), static_cast<uint64_t>(spec.seed)));
    if (spec.testLimit > 0)
        test = test->subset(
            pickRandom(test->size(), static_cast<size_t>(spec.testLimit), static_cast<uint64_t>(spec.seed)));

    std::vector<double> mean, stddev;
    channelStatistics(*train, mean, stddev);
    const TensorData trainData = toTensors(*train, mean, stddev, device);
    const TensorData testData = toTensors(*test, mean, stddev, device);

    auto model = models::makeClassifier(spec.model.toStdString(),
                                        {train->channels, train->height, train->width, train->classes});
    if (!model)
        throw failure(QStringLiteral("unknown model %1").arg(spec.model));
    model->to(device);
    const ComputeMode compute(spec, device);
    auto optimizer = makeOptimizer(spec, model->parameters(), device);
    const Loss loss(spec, train->classCounts(), device);

    Checkpoint state;
    if (m_resume) {
        const std::optional<Checkpoint> saved = readCheckpoint(m_runDirectory);
        if (!saved)
            throw failure(QStringLiteral("no checkpoint to resume from in %1").arg(m_runDirectory));
        state = *saved;
        const QDir dir(m_runDirectory);
        torch::serialize::InputArchive archive;
        archive.load_from(dir.filePath(state.modelFile).toStdString(), device);
        model->load(archive);
        torch::load(*optimizer, dir.filePath(state.optimizerFile).toStdString(), device);
    }
    compute.prepare(*model); // after a checkpoint's weights are in: loading keeps the saved layout

    const int64_t batchSize = spec.batchSize;
    const auto batches = static_cast<int>((trainData.size() + batchSize - 1) / batchSize);
    TrainingPlan plan;
    plan.epochs = spec.epochs;
    plan.startEpoch = state.epoch;
    plan.startStep = state.step;
    plan.batchesPerEpoch = batches;
    plan.trainImages = trainData.size();
    plan.testImages = testData.size();
    plan.classCounts = train->classCounts();
    plan.device = QString::fromStdString(device.str());
    plan.threads = threads;
    observer.onPlan(plan);

    int64_t step = state.step;
    model->train();
    for (int epochIndex = state.epoch; epochIndex < spec.epochs; ++epochIndex) {
        const double lr = learningRateAt(spec, epochIndex);
        setLearningRate(*optimizer, lr);
        const std::vector<int64_t> order = epochOrder(trainData.size(), spec.seed, epochIndex);
        const torch::Tensor orderTensor =
            torch::from_blob(const_cast<int64_t*>(order.data()), {static_cast<int64_t>(order.size())}, torch::kInt64)
                .to(device);
        const int firstBatch = epochIndex == state.epoch ? state.batch : 0;
        torch::Tensor lossSum = torch::zeros({}, torch::TensorOptions().device(device));
        torch::Tensor correct = torch::zeros({}, torch::TensorOptions().dtype(torch::kInt64).device(device));
        torch::Tensor reportLoss = torch::zeros({}, torch::TensorOptions().device(device));
        int reportSteps = 0;
        int64_t seen = 0;
        const auto epochStart = Clock::now();
        auto reportStart = epochStart;
        for (int b = firstBatch; b < batches; ++b) {
            const int64_t start = b * batchSize;
            const torch::Tensor index = orderTensor.slice(0, start, std::min(start + batchSize, trainData.size()));
            const torch::Tensor images = compute.input(trainData.images.index_select(0, index));
            const torch::Tensor labels = trainData.labels.index_select(0, index);
            clearGradients(*optimizer);
            const torch::Tensor logits = [&] {
                const ComputeMode::Autocast autocast = compute.autocast();
                return ComputeMode::logits(model->forward(images));
            }();
            const torch::Tensor batchLoss = loss(logits, labels);
            batchLoss.backward();
            optimizer->step();
            ++step;
            seen += index.size(0);
            {
                torch::NoGradGuard noGrad;
                lossSum += batchLoss.detach() * index.size(0);
                reportLoss += batchLoss.detach();
                correct += logits.argmax(1).eq(labels).sum();
            }
            ++reportSteps;
            if (reportSteps == kLossReportEvery || b + 1 == batches) {
                const auto now = Clock::now();
                const double seconds = std::chrono::duration<double>(now - reportStart).count();
                observer.onBatch({epochIndex + 1, b + 1, batches, step, reportLoss.item<double>() / reportSteps,
                                  seconds > 0 ? reportSteps * static_cast<double>(batchSize) / seconds : 0});
                reportLoss.zero_();
                reportSteps = 0;
                reportStart = now;
            }
            if (stop.load() && b + 1 < batches) {
                writeCheckpoint(m_runDirectory, {epochIndex, b + 1, step, {}, {}}, *model, *optimizer);
                return Outcome::Stopped;
            }
        }
        const double seconds = std::chrono::duration<double>(Clock::now() - epochStart).count();
        const Evaluation evaluation = evaluate(*model, testData, compute);
        EpochReport report;
        report.epoch = epochIndex + 1;
        report.step = step;
        report.trainLoss = seen > 0 ? lossSum.item<double>() / static_cast<double>(seen) : 0;
        report.trainAccuracy = seen > 0 ? static_cast<double>(correct.item<int64_t>()) / static_cast<double>(seen) : 0;
        report.testLoss = evaluation.loss;
        report.testError = evaluation.error;
        report.confusion = evaluation.confusion;
        report.classes = evaluation.classes;
        report.learningRate = lr;
        report.seconds = seconds;
        report.imagesPerSecond = seconds > 0 ? static_cast<double>(seen) / seconds : 0;
        // Report first, then checkpoint: a kill between the two re-runs the epoch on resume (and the restart
        // marker drops its first report) instead of resuming past an epoch nobody recorded.
        observer.onEpoch(report);
        writeCheckpoint(m_runDirectory, {epochIndex + 1, 0, step, {}, {}}, *model, *optimizer);
        if (stop.load() && epochIndex + 1 < spec.epochs)
            return Outcome::Stopped;
    }
    return Outcome::Finished;
}

} // namespace jikken
