#include "EventFileReader.h"

#include <QFile>

namespace jikken {

EventFileReader::EventFileReader(QString path) : m_path(std::move(path)) {}

bool EventFileReader::poll(EventSink& sink, QString* error)
{
    if (m_corrupt)
        return true;
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read %1: %2").arg(m_path, file.errorString());
        return false;
    }
    const qint64 size = file.size();
    if (size <= m_offset)
        return true;
    const qint64 length = size - m_offset;
    // Mapping spares a copy of a large log; a plain read serves files that cannot be mapped.
    const uchar* mapped = file.map(m_offset, length);
    QByteArray bytes;
    const char* data = reinterpret_cast<const char*>(mapped);
    if (!mapped) {
        if (!file.seek(m_offset)) {
            if (error)
                *error = QStringLiteral("cannot read %1: %2").arg(m_path, file.errorString());
            return false;
        }
        bytes = file.read(length);
        data = bytes.constData();
    }
    const qint64 available = mapped ? length : bytes.size();
    const EventRecordParser::Result result = m_parser.parse(data, static_cast<size_t>(available), sink);
    if (result.stop == EventRecordParser::Stop::Corrupt) {
        m_corrupt = true;
        m_corruption = QStringLiteral("%1: corrupt record at byte %2 (%3); the %4 records before it were read")
                           .arg(m_path)
                           .arg(m_offset + static_cast<qint64>(result.corruptOffset))
                           .arg(result.problem)
                           .arg(m_records + static_cast<qint64>(result.records));
    }
    m_offset += static_cast<qint64>(result.consumed);
    m_records += static_cast<qint64>(result.records);
    m_undecodable += static_cast<qint64>(result.undecodable);
    return true;
}

} // namespace jikken
