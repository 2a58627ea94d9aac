#pragma once

#include "EventFileReader.h"
#include "RunScalars.h"

#include <QString>
#include <QStringList>
#include <QThreadPool>

#include <map>
#include <memory>
#include <vector>

namespace jikken {

/// Reads a TensorBoard logdir: every folder holding event files is a run, named by its path relative to
/// the logdir ("." for the logdir itself); each run's files are read in name order (which is time order,
/// as the names start with the 10-digit creation time). A single event file is read as one run.
/// `poll()` again to pick up new files and bytes.
class EventLogReader
{
public:
    struct Run
    {
        QString name;
        RunScalars scalars;
        std::vector<std::unique_ptr<EventFileReader>> files;
    };

    explicit EventLogReader(QString logDir);

    /// False when the logdir cannot be read; per-file problems (corrupt records, unreadable files)
    /// go to `warnings` and the rest is still read.
    bool poll(QStringList* warnings, QString* error);

    static bool isEventFileName(const QString& fileName);

    /// Runs by name.
    const std::map<QString, Run>& runs() const { return m_runs; }

private:
    QString m_logDir;
    std::map<QString, Run> m_runs;
    QStringList m_reportedCorrupt;
    std::unique_ptr<QThreadPool> m_pool; ///< reads the runs of a logdir on every core
};

} // namespace jikken
