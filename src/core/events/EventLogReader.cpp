#include "EventLogReader.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QMutex>
#include <QThreadPool>

#include <algorithm>

namespace jikken {

EventLogReader::EventLogReader(QString logDir) : m_logDir(std::move(logDir)) {}

bool EventLogReader::isEventFileName(const QString& fileName)
{
    // TensorBoard's own test: the name contains "tfevents".
    return fileName.contains(QLatin1String("tfevents"));
}

bool EventLogReader::poll(QStringList* warnings, QString* error)
{
    const QFileInfo root(m_logDir);
    QStringList found;
    QDir rootDir;
    if (root.isFile()) { // one event file: a run of its own
        rootDir = root.absoluteDir();
        found << root.absoluteFilePath();
    } else if (root.isDir()) {
        rootDir = QDir(root.absoluteFilePath());
        QDirIterator it(rootDir.path(), QDir::Files | QDir::Readable, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            it.next();
            if (isEventFileName(it.fileName()))
                found << it.filePath();
        }
    } else {
        if (error)
            *error = QStringLiteral("%1 is neither a folder nor an event file").arg(m_logDir);
        return false;
    }
    std::sort(found.begin(), found.end());
    for (const QString& path : found) {
        const QString name = rootDir.relativeFilePath(QFileInfo(path).absolutePath());
        Run& run = m_runs[name.isEmpty() ? QStringLiteral(".") : name];
        run.name = name.isEmpty() ? QStringLiteral(".") : name;
        const bool known =
            std::any_of(run.files.begin(), run.files.end(), [&](const auto& reader) { return reader->path() == path; });
        if (!known)
            run.files.push_back(std::make_unique<EventFileReader>(path));
    }
    // Runs are independent: a logdir of many runs is read on every core.
    QMutex mutex;
    const auto pollRun = [&](Run& run) {
        // Files join a run in name order even when a new one appears later.
        std::sort(run.files.begin(), run.files.end(),
                  [](const auto& a, const auto& b) { return a->path() < b->path(); });
        for (auto& file : run.files) {
            QString problem;
            const bool read = file->poll(run.scalars, &problem);
            const QMutexLocker lock(&mutex);
            if (!read && warnings)
                *warnings << problem;
            if (file->isCorrupt() && !m_reportedCorrupt.contains(file->path())) {
                m_reportedCorrupt << file->path();
                if (warnings)
                    *warnings << file->corruption();
            }
        }
    };
    if (m_runs.size() == 1) {
        pollRun(m_runs.begin()->second);
        return true;
    }
    if (!m_pool) // kept: `jikken run` polls four times a second, and its threads stay for the next poll
        m_pool = std::make_unique<QThreadPool>();
    for (auto& entry : m_runs) {
        Run* run = &entry.second;
        m_pool->start([&pollRun, run] { pollRun(*run); });
    }
    m_pool->waitForDone();
    return true;
}

} // namespace jikken
