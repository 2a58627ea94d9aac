#pragma once

#include <QFile>
#include <QJsonObject>
#include <QMutex>
#include <QString>
#include <QVector>

namespace jikken {

/// A run's reports to the registry, written ahead to a file in its log directory: one JSON object per line,
/// appended in order, and a second file with how far the service has acknowledged them. A report is in the
/// registry once it is before that mark; replays are idempotent, so sending one twice does no harm.
/// Safe to use from the training thread (append) and the sending thread (the rest) at once.
class RegistryJournal
{
public:
    static constexpr const char* kFileName = "registry-journal.jsonl";
    static constexpr const char* kMarkFileName = "registry-journal.sent";

    struct Entry
    {
        QJsonObject report;
        qint64 end = 0; ///< offset just past this entry's line
    };

    explicit RegistryJournal(const QString& runDirectory);

    bool open(QString* error);
    bool append(const QJsonObject& report, QString* error);
    /// Up to `maxEntries` reports after the acknowledged mark, in order. A torn last line (a crash while
    /// appending) is left for later; a line that is not JSON is skipped with a warning in `problems`.
    QVector<Entry> pending(int maxEntries, QStringList* problems);
    /// Moves the mark past `end`; when everything is acknowledged the journal starts over empty.
    bool acknowledge(qint64 end, QString* error);
    qint64 pendingBytes();
    QString path() const { return m_file.fileName(); }

private:
    QMutex m_mutex;
    QFile m_file;
    QString m_markPath;
    qint64 m_mark = 0;
};

} // namespace jikken
