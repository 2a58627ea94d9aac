#include "RegistryJournal.h"

#include <QDateTime>
#include <QDir>
#include <QJsonDocument>
#include <QSaveFile>

namespace jikken {

RegistryJournal::RegistryJournal(const QString& runDirectory)
    : m_file(QDir(runDirectory).filePath(QString::fromLatin1(kFileName))),
      m_markPath(QDir(runDirectory).filePath(QString::fromLatin1(kMarkFileName))),
      m_rejectedPath(QDir(runDirectory).filePath(QString::fromLatin1(kRejectedFileName)))
{
}

namespace {

qint64 sequenceOf(const QJsonObject& report)
{
    return static_cast<qint64>(report.value(QStringLiteral("seq")).toDouble());
}

} // namespace

bool RegistryJournal::open(QString* error)
{
    QMutexLocker lock(&m_mutex);
    if (!m_file.open(QIODevice::ReadWrite | QIODevice::Append)) {
        if (error)
            *error =
                QStringLiteral("cannot open the registry journal %1: %2").arg(m_file.fileName(), m_file.errorString());
        return false;
    }
    // The mark file: "OFFSET LAST_SEQUENCE" (an older journal wrote the offset alone).
    QFile mark(m_markPath);
    if (mark.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> fields = mark.readAll().simplified().split(' ');
        m_mark = std::clamp<qint64>(fields.value(0).toLongLong(), 0, m_file.size());
        m_lastSequence = fields.value(1).toLongLong();
    }
    // Reports not yet acknowledged may carry later numbers than the mark remembers.
    if (m_file.seek(m_mark)) {
        for (QByteArray line = m_file.readLine(); !line.isEmpty(); line = m_file.readLine())
            m_lastSequence = std::max(m_lastSequence, sequenceOf(QJsonDocument::fromJson(line).object()));
    }
    return true;
}

bool RegistryJournal::append(const QJsonObject& report, QString* error)
{
    QMutexLocker lock(&m_mutex);
    // The wall clock orders the reports of a run across its journals (a run resumed elsewhere); one more
    // than the last keeps them increasing when the clock steps back.
    m_lastSequence = std::max(m_lastSequence + 1, QDateTime::currentMSecsSinceEpoch() * 1000);
    QJsonObject numbered = report;
    numbered.insert(QStringLiteral("seq"), static_cast<double>(m_lastSequence));
    const QByteArray line = QJsonDocument(numbered).toJson(QJsonDocument::Compact) + '\n';
    // Append mode: every write lands at the end, whatever `pending` read last.
    if (m_file.write(line) != line.size() || !m_file.flush()) {
        if (error)
            *error =
                QStringLiteral("cannot write the registry journal %1: %2").arg(m_file.fileName(), m_file.errorString());
        return false;
    }
    return true;
}

QVector<RegistryJournal::Entry> RegistryJournal::pending(int maxEntries, QStringList* problems)
{
    QMutexLocker lock(&m_mutex);
    QVector<Entry> entries;
    if (!m_file.seek(m_mark))
        return entries;
    qint64 offset = m_mark;
    while (entries.size() < maxEntries) {
        const QByteArray line = m_file.readLine();
        if (line.isEmpty() || !line.endsWith('\n'))
            break; // the end, or a line still being written
        offset += line.size();
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(line, &parseError);
        if (!document.isObject()) {
            if (problems)
                *problems << QStringLiteral("%1: skipped a damaged line at byte %2")
                                 .arg(m_file.fileName())
                                 .arg(offset - line.size());
            // Still moves the acknowledged mark forward with the next good entry.
            if (!entries.isEmpty())
                entries.last().end = offset;
            else
                entries.append({QJsonObject(), offset});
            continue;
        }
        entries.append({document.object(), offset, sequenceOf(document.object())});
    }
    return entries;
}

bool RegistryJournal::acknowledge(qint64 end, QString* error)
{
    QMutexLocker lock(&m_mutex);
    m_mark = end;
    if (m_mark >= m_file.size()) {
        // Everything is in the registry: start over, so a finished run leaves an empty journal.
        m_mark = 0;
        if (!m_file.resize(0)) {
            if (error)
                *error = m_file.errorString();
            return false;
        }
    }
    return writeMark(error);
}

bool RegistryJournal::writeMark(QString* error)
{
    QSaveFile mark(m_markPath);
    const QByteArray text = QByteArray::number(m_mark) + ' ' + QByteArray::number(m_lastSequence) + '\n';
    if (mark.open(QIODevice::WriteOnly) && mark.write(text) == text.size() && mark.commit())
        return true;
    if (error)
        *error = QStringLiteral("cannot write %1: %2").arg(m_markPath, mark.errorString());
    return false;
}

bool RegistryJournal::reject(const QJsonObject& report, const QString& reason, QString* error)
{
    QJsonObject kept = report;
    kept.insert(QStringLiteral("rejected"), reason);
    const QByteArray line = QJsonDocument(kept).toJson(QJsonDocument::Compact) + '\n';
    QMutexLocker lock(&m_mutex);
    QFile rejected(m_rejectedPath);
    if (rejected.open(QIODevice::WriteOnly | QIODevice::Append) && rejected.write(line) == line.size() &&
        rejected.flush())
        return true;
    if (error)
        *error = QStringLiteral("cannot write %1: %2").arg(m_rejectedPath, rejected.errorString());
    return false;
}

qint64 RegistryJournal::pendingBytes()
{
    QMutexLocker lock(&m_mutex);
    return m_file.size() - m_mark;
}

} // namespace jikken
