#pragma once

#include "EventRecordParser.h"

#include <QString>

namespace jikken {

/// Follows one event file: each `poll()` reads only the bytes appended since the last whole record,
/// so a file still being written is read as it grows. After a corrupt record it reads nothing more
/// from the file and reports where.
class EventFileReader
{
public:
    explicit EventFileReader(QString path);

    /// Reads the new whole records into `sink`. Returns false on an I/O error (in `error`).
    bool poll(EventSink& sink, QString* error);

    const QString& path() const { return m_path; }
    qint64 offset() const { return m_offset; }
    qint64 records() const { return m_records; }
    bool isCorrupt() const { return m_corrupt; }
    /// "FILE: corrupt record at byte N (why); the records before it were read", once corrupt.
    QString corruption() const { return m_corruption; }
    /// Records whose checksums matched but whose bytes were not a TensorBoard Event.
    qint64 undecodable() const { return m_undecodable; }

private:
    QString m_path;
    EventRecordParser m_parser;
    qint64 m_offset = 0;
    qint64 m_records = 0;
    qint64 m_undecodable = 0;
    bool m_corrupt = false;
    QString m_corruption;
};

} // namespace jikken
