#include "RunSpec.h"

#include "Device.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>
#include <limits>
#include <tuple>
#include <vector>

namespace jikken {

namespace {

constexpr double kAny = std::numeric_limits<double>::max();

QStringList list(std::initializer_list<const char*> names)
{
    QStringList result;
    for (const char* name : names)
        result << QString::fromLatin1(name);
    return result;
}

bool fail(QString* error, const QString& message)
{
    if (error)
        *error = message;
    return false;
}

} // namespace

const std::vector<RunSpec::Field>& RunSpec::fields()
{
    static const std::vector<Field> kFields = {
        {"dataset", &RunSpec::dataset, list({"fashion-mnist", "mnist", "cifar10"}), 0, 0, "dataset to train on"},
        {"data_root", &RunSpec::dataRoot, {}, 0, 0, "folder holding the datasets (default ~/datasets)"},
        {"model", &RunSpec::model, list({"lenet", "convnet", "vgg11", "vgg16", "resnet18", "resnet34", "densenet"}), 0,
         0, "network architecture"},
        {"method", &RunSpec::method, list({"softmax", "focalloss", "label-smoothing", "class-balanced"}), 0, 0,
         "loss; also the method part of the model ID"},
        {"focal_gamma", &RunSpec::focalGamma, {}, 0, 100, "focusing parameter of focalloss"},
        {"label_smoothing", &RunSpec::labelSmoothing, {}, 0, 0.999, "smoothing of label-smoothing"},
        {"class_balanced_beta", &RunSpec::classBalancedBeta, {}, 0, 0.999999999, "beta of class-balanced"},
        {"optimizer", &RunSpec::optimizer, list({"sgd", "adam", "adamw"}), 0, 0, "optimizer"},
        {"lr", &RunSpec::lr, {}, 1e-12, 100, "initial learning rate"},
        {"momentum", &RunSpec::momentum, {}, 0, 1, "momentum of sgd"},
        {"weight_decay", &RunSpec::weightDecay, {}, 0, 10, "weight decay"},
        {"schedule", &RunSpec::schedule, list({"none", "step", "cosine"}), 0, 0, "learning-rate schedule per epoch"},
        {"lr_step_size", &RunSpec::lrStepSize, {}, 1, 1e6, "epochs between decays of the step schedule"},
        {"lr_step_gamma", &RunSpec::lrStepGamma, {}, 0, 1, "decay factor of the step schedule"},
        {"epochs", &RunSpec::epochs, {}, 1, 1e6, "epochs to train"},
        {"batch_size", &RunSpec::batchSize, {}, 1, 1e6, "training batch size"},
        {"seed", &RunSpec::seed, {}, 0, 2147483647, "random seed (weights, shuffling, subsampling)"},
        {"device", &RunSpec::device, {}, 0, 0, "auto, cpu, cuda or cuda:N"},
        {"threads", &RunSpec::threads, {}, 0, 1024, "CPU threads (0: all cores)"},
        {"nproc",
         &RunSpec::nproc,
         {},
         1,
         1024,
         "data-parallel processes on each node, each training batch_size images a step (one per GPU of --gpus)"},
        {"nnodes", &RunSpec::nnodes, {}, 1, 1024, "nodes the run's processes are on (with --node-rank, --master)"},
        {"optimizer_step", &RunSpec::optimizerStep, list({"auto", "multi-tensor", "per-parameter"}), 0, 0,
         "optimizer kernels: all parameters at once (auto: on CUDA) or one at a time"},
        {"precision", &RunSpec::precision, list({"fp32", "bf16", "fp16"}), 0, 0,
         "the forward pass in float32, or under autocast in bfloat16, or in float16 with dynamic loss scaling "
         "(CUDA only); weights stay float32"},
        {"memory_format", &RunSpec::memoryFormat, list({"contiguous", "channels-last"}), 0, 0,
         "tensor layout: channels-last suits cuDNN's fastest convolutions"},
        {"cudnn_benchmark", &RunSpec::cudnnBenchmark, list({"off", "on"}), 0, 0,
         "let cuDNN time its algorithms once per shape and keep the fastest"},
        {"cuda_graphs", &RunSpec::cudaGraphs, list({"auto", "on", "off"}), 0, 0,
         "capture the training step once in a CUDA graph and replay it: one launch a step (auto: where the run "
         "allows it)"},
        {"keep_checkpoints",
         &RunSpec::keepCheckpoints,
         {},
         0,
         0,
         "model files kept: last, best, best+last, or every:N (every N epochs' and the best)"},
        {"best_metric", &RunSpec::bestMetric, list({"test/error", "test/loss", "train/loss", "train/accuracy"}), 0, 0,
         "what the best checkpoint is best by"},
        {"best_mode", &RunSpec::bestMode, list({"min", "max"}), 0, 0, "whether the best is the lowest or the highest"},
        {"log_root", &RunSpec::logRoot, {}, 0, 0, "folder that receives logs/<id>/ (default logs)"},
        {"memo", &RunSpec::memo, {}, 0, 0, "free text kept with the run"},
        {"imbalance_ratio",
         &RunSpec::imbalanceRatio,
         {},
         1,
         kAny,
         "subsample training data to a long tail with this largest/smallest class ratio (1: as is)"},
        {"train_limit", &RunSpec::trainLimit, {}, 0, 2147483647, "use only this many training images (0: all)"},
        {"test_limit", &RunSpec::testLimit, {}, 0, 2147483647, "use only this many test images (0: all)"},
    };
    return kFields;
}

QString RunSpec::flagName(const Field& field)
{
    return QString::fromLatin1(field.name).replace(u'_', u'-');
}

bool RunSpec::setValue(const Field& field, const QJsonValue& value, QString* error)
{
    const QString name = QString::fromLatin1(field.name);
    if (const auto* text = std::get_if<QString RunSpec::*>(&field.member)) {
        if (!value.isString())
            return fail(error, QStringLiteral("spec field \"%1\" must be a string").arg(name));
        const QString s = value.toString();
        if (!field.choices.isEmpty() && !field.choices.contains(s))
            return fail(error, QStringLiteral("spec field \"%1\" is \"%2\"; allowed: %3")
                                   .arg(name, s, field.choices.join(QStringLiteral(", "))));
        if (name == QLatin1String("device") && !Device::parse(s))
            return fail(error,
                        QStringLiteral("spec field \"device\" is \"%1\"; allowed: auto, cpu, cuda, cuda:N").arg(s));
        if (QString problem; name == QLatin1String("keep_checkpoints") && !KeepPolicy::parse(s, &problem))
            return fail(error, QStringLiteral("spec field ") + problem);
        this->*(*text) = s;
        return true;
    }
    if (!value.isDouble() || !std::isfinite(value.toDouble()))
        return fail(error, QStringLiteral("spec field \"%1\" must be a number").arg(name));
    const double number = value.toDouble();
    const bool integral = std::holds_alternative<int RunSpec::*>(field.member);
    if (integral && number != std::floor(number))
        return fail(error, QStringLiteral("spec field \"%1\" must be a whole number, not %2").arg(name).arg(number));
    if (number < field.min || number > field.max) {
        const QString range = field.max == kAny ? QStringLiteral("at least %1").arg(field.min)
                                                : QStringLiteral("from %1 to %2").arg(field.min).arg(field.max);
        return fail(error, QStringLiteral("spec field \"%1\" is %2; it must be %3").arg(name).arg(number).arg(range));
    }
    if (integral)
        this->*std::get<int RunSpec::*>(field.member) = static_cast<int>(number);
    else
        this->*std::get<double RunSpec::*>(field.member) = number;
    return true;
}

std::optional<RunSpec> RunSpec::fromJson(const QJsonObject& json, QString* error)
{
    RunSpec spec;
    for (auto it = json.begin(); it != json.end(); ++it) {
        const auto& all = fields();
        const auto field =
            std::find_if(all.begin(), all.end(), [&](const Field& f) { return it.key() == QLatin1String(f.name); });
        if (field == all.end()) {
            QStringList known;
            for (const Field& f : all)
                known << QString::fromLatin1(f.name);
            fail(error, QStringLiteral("unknown spec field \"%1\"; known fields: %2")
                            .arg(it.key(), known.join(QStringLiteral(", "))));
            return std::nullopt;
        }
        if (!spec.setValue(*field, it.value(), error))
            return std::nullopt;
    }
    return spec;
}

std::optional<RunSpec> RunSpec::fromFile(const QString& path, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        fail(error, QStringLiteral("cannot read the spec %1: %2").arg(path, file.errorString()));
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        fail(error, QStringLiteral("the spec %1 is not valid JSON: %2 at byte %3")
                        .arg(path, parseError.errorString())
                        .arg(parseError.offset));
        return std::nullopt;
    }
    if (!doc.isObject()) {
        fail(error, QStringLiteral("the spec %1 must be a JSON object").arg(path));
        return std::nullopt;
    }
    QString problem;
    auto spec = fromJson(doc.object(), &problem);
    if (!spec)
        fail(error, path + QStringLiteral(": ") + problem);
    return spec;
}

bool RunSpec::set(const QString& name, const QString& text, QString* error)
{
    for (const Field& field : fields()) {
        if (name != QLatin1String(field.name) && name != flagName(field))
            continue;
        if (std::holds_alternative<QString RunSpec::*>(field.member))
            return setValue(field, text, error);
        bool ok = false;
        const double number = text.toDouble(&ok);
        if (!ok)
            return fail(error, QStringLiteral("--%1 must be a number, not \"%2\"").arg(flagName(field), text));
        return setValue(field, number, error);
    }
    return fail(error, QStringLiteral("unknown spec field \"%1\"").arg(name));
}

QJsonObject RunSpec::toJson() const
{
    QJsonObject json;
    for (const Field& field : fields()) {
        const QString name = QString::fromLatin1(field.name);
        std::visit([&](auto member) { json.insert(name, this->*member); }, field.member);
    }
    return json;
}

RunDescription RunSpec::description() const
{
    RunDescription description;
    description.model = model;
    description.dataset = dataset;
    description.hparams = hyperparameters();
    description.spec = toJson();
    description.totalEpochs = epochs;
    return description;
}

QJsonObject RunSpec::hyperparameters() const
{
    QJsonObject json = toJson();
    for (const char* notShaping :
         {"data_root", "device", "threads", "log_root", "memo", "optimizer_step", "memory_format", "cudnn_benchmark",
          "cuda_graphs", "keep_checkpoints", "best_metric", "best_mode"})
        json.remove(QString::fromLatin1(notShaping));
    return json;
}

QJsonObject RunSpec::applicable(QJsonObject hparams)
{
    // field -> (the field that decides, the value under which it applies)
    static const std::vector<std::tuple<const char*, const char*, const char*>> kOnlyWith = {
        {"focal_gamma", "method", "focalloss"},
        {"label_smoothing", "method", "label-smoothing"},
        {"class_balanced_beta", "method", "class-balanced"},
        {"momentum", "optimizer", "sgd"},
        {"lr_step_size", "schedule", "step"},
        {"lr_step_gamma", "schedule", "step"},
    };
    for (const auto& [field, decider, value] : kOnlyWith) {
        const QJsonValue decided = hparams.value(QLatin1String(decider));
        if (decided.isString() && decided.toString() != QLatin1String(value))
            hparams.remove(QLatin1String(field));
    }
    for (const char* limit : {"train_limit", "test_limit"}) {
        if (hparams.value(QLatin1String(limit)) == QJsonValue(0))
            hparams.insert(QLatin1String(limit), QStringLiteral("all"));
    }
    return hparams;
}

} // namespace jikken
