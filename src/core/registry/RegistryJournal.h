#pragma once

#include <QFile>
#include <QJsonObject>
#include <QMutex>
#include <QString>
#include <QVector>

namespace jikken {

/// A run's reports to the registry, written ahead to a file in its log directory: one JSON object per line,
/// appended in order, and a second file with how far the service has acknowledged them. A report is in the
/// registry once it is before that mark. Each report carries a sequence number (`seq`), increasing within
/// the journal and across journals of the same run (microseconds of the wall clock, or one more than the
/// last): the service applies a report at most once and never after a later one, so a report sent twice
/// (a retry after a timeout) does no harm. Reports the service refused for good are moved, not dropped,
/// to a third file (`kRejectedFileName`).
/// Safe to use from the training thread (append) and the sending thread (the rest) at once.
class RegistryJournal
{
public:
    static constexpr const char* kFileName = "registry-journal.jsonl";
    static constexpr const char* kMarkFileName = "registry-journal.sent";
    static constexpr const char* kRejectedFileName = "registry-journal.rejected.jsonl";

    struct Entry
    {
        QJsonObject report;
        qint64 end = 0;      ///< offset just past this entry's line
        qint64 sequence = 0; ///< 0 for a report written before journals numbered them
    };

    explicit RegistryJournal(const QString& runDirectory);

    bool open(QString* error);
    /// Appends `report` with the next sequence number.
    bool append(const QJsonObject& report, QString* error);
    /// Keeps a report the service refused for good, with its reason, in the rejected file.
    bool reject(const QJsonObject& report, const QString& reason, QString* error);
    QString rejectedPath() const { return m_rejectedPath; }
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
    QString m_rejectedPath;
    qint64 m_mark = 0;
    qint64 m_lastSequence = 0;

    bool writeMark(QString* error);
};

} // namespace jikken
