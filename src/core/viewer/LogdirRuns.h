#pragma once

#include "ViewerRun.h"
#include "events/EventLogReader.h"

#include <QHash>
#include <QStringList>

#include <map>

namespace jikken {

/// The runs of one TensorBoard logdir (written by Jikken, PyTorch's SummaryWriter, tensorboardX or
/// TensorFlow), followed as it grows: each `poll()` reads only the bytes the event files gained.
/// A folder named by a model ID is one run, its sub-folders' tags under their path
/// (`ID/eval` + `loss` → `eval/loss`, as `jikken run` stores them); any other folder with event files is
/// a run of its own, named by its path as TensorBoard names it.
class LogdirRuns
{
public:
    explicit LogdirRuns(const QString& logDir);

    const QString& logDir() const { return m_logDir; }

    /// Reads what is new; `changed` gets the keys of runs that gained or lost points. False (and `error`)
    /// when the logdir cannot be read at all; a corrupt file is a warning and the rest is still read.
    bool poll(QStringList* changed, QStringList* warnings, QString* error);

    /// What a run's files held when last read, to tell whether a cached copy is current.
    QString stamp(const QString& key) const { return m_stamps.value(key); }
    const std::map<QString, ViewerRun>& runs() const { return m_runs; }

    /// The key a run of this logdir has ("LOGDIR:RUN", or the model ID).
    static QString keyFor(const QString& logDir, const QString& runName);

private:
    struct Grouping
    {
        QString run;       ///< the viewer run's name
        QString tagPrefix; ///< "" or "eval/"
    };
    Grouping groupOf(const QString& folder) const;

    QString m_logDir;
    EventLogReader m_reader;
    std::map<QString, ViewerRun> m_runs;
    QHash<QString, QString> m_stamps; ///< key -> bytes read from its files
};

} // namespace jikken
