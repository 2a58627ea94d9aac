#pragma once

#include <QJsonArray>
#include <QString>
#include <QVector>

#include <optional>

namespace jikken {

/// A model file a run's trainer kept — and, once a better or newer one replaced it, removed — as the
/// registry knows it: enough to fetch it from its host and to tell it is the same file.
struct CheckpointRecord
{
    QString kind; ///< "best", "last", or "every" (kept by `every:N`)
    qint64 step = 0;
    int epoch = 0;
    QString metric;              ///< what "best" goes by: "test/error"
    std::optional<double> value; ///< the metric at that step; none for a checkpoint taken mid-epoch
    QString host;
    QString path; ///< absolute, on `host`
    qint64 size = 0;
    QString sha256; ///< lower-case hex
    bool kept = true;

    bool operator==(const CheckpointRecord& other) const;
    bool operator!=(const CheckpointRecord& other) const { return !(*this == other); }
};

/// Which model files a run keeps (`keep_checkpoints` of its spec): the last (what a resume starts from),
/// the best by its metric, and every N epochs' (which keep the best too).
struct KeepPolicy
{
    bool last = false;
    bool best = false;
    int every = 0; ///< epochs; 0: none

    /// "last", "best", "best+last" or "every:N"; why not otherwise.
    static std::optional<KeepPolicy> parse(const QString& text, QString* error);
};

namespace Checkpoints {

/// What `--best`, `--last` or `--step N` picks: the kept checkpoint of that kind (the newest), or the kept
/// one at that step; nullptr when none is kept.
const CheckpointRecord* best(const QVector<CheckpointRecord>& records);
const CheckpointRecord* last(const QVector<CheckpointRecord>& records);
const CheckpointRecord* atStep(const QVector<CheckpointRecord>& records, qint64 step);

/// "step 141 (epoch 3), test/error 0.1234, 1.2 MB": a kept checkpoint in a line.
QString describe(const CheckpointRecord& record);
/// Where it is, as scp names it: "gpu1:/home/u/logs/…/best-141.pt" (the path alone without a host).
QString location(const CheckpointRecord& record);

QJsonArray toJson(const QVector<CheckpointRecord>& records);
/// Strict: a field missing, mistyped or unknown is an error naming it.
std::optional<QVector<CheckpointRecord>> fromJson(const QJsonValue& json, QString* error);

} // namespace Checkpoints

} // namespace jikken
