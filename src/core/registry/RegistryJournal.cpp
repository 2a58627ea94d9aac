#include "RegistryJournal.h"

#include <QDir>
#include <QJsonDocument>
#include <QSaveFile>

namespace jikken {

RegistryJournal::RegistryJournal(const QString& runDirectory)
    : m_file(QDir(runDirectory).filePath(QString::fromLatin1(kFileName))),
      m_markPath(QDir(runDirectory).filePath(QString::fromLatin1(kMarkFileName)))
{
}

bool RegistryJournal::open(QString* error)
{
    QMutexLocker lock(&m_mutex);
    if (!m_file.open(QIODevice::ReadWrite | QIODevice::Append)) {
        if (error)
            *error =
                QStringLiteral("cannot open the registry journal %1: %2").arg(m_file.fileName(), m_file.errorString());
        return false;
    }
    QFile mark(m_markPath);
    if (mark.open(QIODevice::ReadOnly))
        m_mark = std::clamp<qint64>(mark.readAll().trimmed().toLongLong(), 0, m_file.size());
    return true;
}

bool RegistryJournal::append(const QJsonObject& report, QString* error)
{
    const QByteArray line = QJsonDocument(report).toJson(QJsonDocument::Compact) + '\n';
    QMutexLocker lock(&m_mutex);
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
        entries.append({document.object(), offset});
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
    QSaveFile mark(m_markPath);
    if (mark.open(QIODevice::WriteOnly) && mark.write(QByteArray::number(m_mark) + '\n') > 0 && mark.commit())
        return true;
    if (error)
        *error = QStringLiteral("cannot write %1: %2").arg(m_markPath, mark.errorString());
    return false;
}

qint64 RegistryJournal::pendingBytes()
{
    QMutexLocker lock(&m_mutex);
    return m_file.size() - m_mark;
}

} // namespace jikken
