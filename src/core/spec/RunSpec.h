#pragma once

#include "registry/RunRecord.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <variant>
#include <vector>

namespace jikken {

/// What `jikken train` runs: read from a JSON file, each field overridable by a flag, every default
/// filled in when resolved. Field names are snake_case in JSON and kebab-case as flags.
struct RunSpec
{
    QString dataset = QStringLiteral("fashion-mnist");
    QString dataRoot; ///< empty: ~/datasets
    QString model = QStringLiteral("convnet");
    QString method = QStringLiteral("softmax");
    double focalGamma = 2.0;
    double labelSmoothing = 0.1;
    double classBalancedBeta = 0.9999;
    QString optimizer = QStringLiteral("adam");
    double lr = 1e-3;
    double momentum = 0.9;
    double weightDecay = 0.0;
    QString schedule = QStringLiteral("none");
    int lrStepSize = 10;
    double lrStepGamma = 0.1;
    int epochs = 10;
    int batchSize = 64;
    int seed = 1;
    QString device = QStringLiteral("auto");
    int threads = 0; ///< 0: all cores
    /// Data-parallel training: processes on each node (one per GPU, or CPU processes) and nodes. Each process
    /// trains `batchSize` images a step, so a step sees nproc × nnodes × batchSize of them.
    int nproc = 1;
    int nnodes = 1;
    int worldSize() const { return nproc * nnodes; }
    /// How the optimizer steps: "multi-tensor" (all parameters at once, ATen's foreach kernels), "per-parameter"
    /// (libtorch's own), or "auto" (multi-tensor on CUDA, where launches dominate; per-parameter on the CPU).
    QString optimizerStep = QStringLiteral("auto");
    QString precision = QStringLiteral("fp32"); ///< or "bf16", "fp16": the forward pass under autocast in that type
    QString memoryFormat = QStringLiteral("contiguous"); ///< or "channels-last"
    QString cudnnBenchmark = QStringLiteral("off");      ///< or "on": cuDNN times its algorithms once per shape
    /// "auto": the training step captured in a CUDA graph and replayed where the run allows it (a CUDA
    /// device, no float16 loss scaling, a multi-tensor optimizer); "on": the same, refused where it cannot;
    /// "off": every step launched kernel by kernel. Off by default until replayed steps have been checked
    /// against eager ones on a GPU (issue 14).
    QString cudaGraphs = QStringLiteral("off");
    /// Which model files the run keeps (KeepPolicy): "last", "best", "best+last" or "every:N".
    QString keepCheckpoints = QStringLiteral("best+last");
    QString bestMetric = QStringLiteral("test/error"); ///< what the best checkpoint is best by
    QString bestMode = QStringLiteral("min");          ///< "min" or "max"
    QString logRoot = QStringLiteral("logs");
    QString memo;
    double imbalanceRatio = 1.0; ///< largest / smallest class of the long-tailed training set; 1: as is
    int trainLimit = 0;          ///< use this many training images (0: all)
    int testLimit = 0;           ///< use this many test images (0: all)

    using Member = std::variant<QString RunSpec::*, int RunSpec::*, double RunSpec::*>;
    struct Field
    {
        const char* name; ///< snake_case
        Member member;
        QStringList choices; ///< for text fields with a fixed set of values
        double min;
        double max;
        const char* help;
    };
    static const std::vector<Field>& fields();
    static QString flagName(const Field& field); ///< "batch-size"

    /// Reads a spec; unknown fields and wrong values are errors that name the field.
    static std::optional<RunSpec> fromJson(const QJsonObject& json, QString* error);
    static std::optional<RunSpec> fromFile(const QString& path, QString* error);
    /// Sets one field from a flag's text.
    bool set(const QString& name, const QString& text, QString* error);
    /// Every field, defaults included.
    QJsonObject toJson() const;
    /// The fields that shape the result (no paths, threads or memo): the run's hyperparameters.
    QJsonObject hyperparameters() const;
    /// What the registry shows of a run of this spec before it starts: model, dataset, hyperparameters, the
    /// spec itself and its epochs.
    RunDescription description() const;
    /// What of a run's recorded hyperparameters shaped it, for reading: those of another loss, optimizer
    /// or schedule are left out (focal_gamma of a softmax run, momentum of Adam, lr_step_size without the
    /// step schedule) and a limit of 0 reads "all". Keys it does not know (a script's own) are kept.
    static QJsonObject applicable(QJsonObject hparams);

private:
    bool setValue(const Field& field, const QJsonValue& value, QString* error);
};

} // namespace jikken
