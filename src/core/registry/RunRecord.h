#pragma once

#include "registry/Checkpoints.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace jikken {

/// A run's life: reserved -> running -> finished | failed | stopped | lost | diverged. A stopped, failed,
/// lost or diverged run can run again (resume), a finished one stays finished. Diverged: a loss or the test
/// error became NaN or infinite (Divergence), whatever the trainer says of its end. Unknown: a run kept
/// elsewhere (an imported sheet's row) that says neither how it went nor what it reached.
enum class RunStatus { Reserved, Running, Finished, Failed, Stopped, Lost, Diverged, Unknown, Queued };

QString toString(RunStatus status);
std::optional<RunStatus> runStatusFromString(const QString& text);
bool isTerminal(RunStatus status);

/// Everything the registry keeps about one model.
struct RunDescription;

struct RunRecord
{
    /// A memo is a note, not a document: a longer one is refused (a paste gone wrong), with a clear error.
    static constexpr int kMaxMemoLength = 65536;
    /// Why `memo` cannot be stored, or empty. Counted in characters (an emoji is one).
    static QString memoError(const QString& memo);
    /// The user's labels (tags) on a run: `ablation`, `paper-fig3`, `要確認` — no spaces, commas, control,
    /// invisible or direction-changing characters (U+200B, U+202E), up to 64 characters each, 32 on a run.
    /// Why these cannot be stored, or empty.
    static QString labelsError(const QStringList& labels);
    /// Labels as stored: each in Unicode's NFC, duplicates that differ only in case (or composition) merged
    /// into the first. Then checked with labelsError.
    static QStringList normalizedLabels(const QStringList& labels);
    /// `current` with `remove` taken off (in any case) and `add` put on the end, normalized.
    static QStringList editedLabels(const QStringList& current, const QStringList& add, const QStringList& remove);

    QString id;
    QString method;
    QString model;
    QString dataset;
    QJsonObject hparams;
    QString memo;
    QStringList labels; ///< the user's tags on the run, in the order given
    QString colour;     ///< "#rrggbb", the run's in every view (RunColour): dealt when it was made, or chosen
    RunStatus status = RunStatus::Reserved;
    QString statusReason;
    QString host;
    QString device;
    QString command;  ///< the exact command line that reproduces the run
    QJsonObject spec; ///< the resolved spec, every default filled in
    QString gitCommit;
    bool gitDirty = false;
    QJsonObject versions; ///< library versions: libtorch, CUDA, jikken
    QString logDir;
    QDateTime created;
    QDateTime started;
    QDateTime finished;
    QDateTime heartbeat;
    int epoch = 0;
    int totalEpochs = 0;
    qint64 step = 0;
    std::optional<double> latestTestError;
    std::optional<double> bestTestError;
    QJsonObject finalMetrics;
    QJsonObject fields;                    ///< columns of an imported spreadsheet that have no place above
    QVector<CheckpointRecord> checkpoints; ///< the model files its trainer kept (and removed), oldest first

    /// The part a run's description sets (model, dataset, hyperparameters, host, …), as it stands.
    RunDescription description() const;
    /// Steps per epoch as the run's progress tells (step / epoch), for x by epoch; none before its first epoch.
    std::optional<double> stepsPerEpoch() const
    {
        return epoch > 0 && step > 0 ? std::optional<double>(static_cast<double>(step) / epoch) : std::nullopt;
    }
};

/// The parts of a run that its trainer sets once it knows them.
struct RunDescription
{
    QString model;
    QString dataset;
    QJsonObject hparams;
    QString host;
    QString device;
    QString command;
    QJsonObject spec;
    QString gitCommit;
    bool gitDirty = false;
    QJsonObject versions;
    QString logDir;
    int totalEpochs = 0;
};

/// One point of a scalar series, as TensorBoard keeps it.
struct ScalarPoint
{
    QString tag;
    qint64 step = 0;
    double wallTime = 0; ///< seconds since the Unix epoch
    double value = 0;
};

} // namespace jikken
