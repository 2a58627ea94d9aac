#pragma once

#include "registry/Checkpoints.h"
#include "spec/RunSpec.h"

#include <QString>
#include <QVector>

#include <optional>

namespace jikken {

/// Which model files of a run stay, as its spec's `keep_checkpoints` says, and what the registry is told of
/// them. The trainer writes the model it resumes from (the last) after every epoch, and at a stop; the
/// keeper keeps the best (by `best_metric`) and every N epochs' as hard links to it (a copy where the file
/// system has none), so keeping one costs no disk until the last moves on. A file it stops keeping is
/// removed only after the one that replaces it is whole. Its records are kept beside the checkpoint
/// (`checkpoints.json`), so a resumed run goes on from them. Torch-free: files and records only.
class CheckpointKeeper
{
public:
    /// Reads the records a run folder has (none for a fresh run). Throws std::runtime_error on a
    /// policy or records file it cannot read.
    CheckpointKeeper(const RunSpec& spec, QString runDirectory, QString host);

    /// The trainer's model file `modelFile` (in the run folder) is whole: `step` steps, `epoch` epochs done,
    /// the metric's value where the epoch was evaluated (none at a stop mid-epoch). The records after it.
    QVector<CheckpointRecord> saved(const QString& modelFile, qint64 step, int epoch, std::optional<double> value,
                                    const QString& sha256, qint64 size);
    /// The run finished: a policy without `last` lets the files a resume would need go (`resumeFiles`, in
    /// the run folder). The records after it.
    QVector<CheckpointRecord> finished(const QStringList& resumeFiles);

    const QVector<CheckpointRecord>& records() const { return m_records; }
    static QString recordsFileName() { return QStringLiteral("checkpoints.json"); }

private:
    /// Keeps the file of `last` as `link` too (in the run folder), recorded as `kind`.
    void keepAs(const CheckpointRecord& last, const QString& kind, const QString& link);
    /// Makes `link` (in the run folder) the same file as `target`; throws when neither a link nor a copy can.
    void linkTo(const QString& target, const QString& link) const;
    /// Marks the kept record at `index` removed, and removes its file unless a kept record still names it.
    void release(qsizetype index);
    void write() const;
    QString pathOf(const QString& file) const;

    KeepPolicy m_policy;
    QString m_metric;
    bool m_minimize;
    QString m_directory;
    QString m_host;
    QVector<CheckpointRecord> m_records;
};

} // namespace jikken
