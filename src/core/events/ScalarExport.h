#pragma once

#include "EventLogReader.h"

#include <QIODevice>
#include <QMap>

namespace jikken {

/// Writes every scalar of a logdir as CSV (header `tag,step,wall_time,value`) or as a JSON array of
/// {"tag","step","wall_time","value"} objects. With more than one run, a leading `run` column/key names
/// it. Numbers are the shortest text that reads back to the same double; in JSON, non-finite values are
/// the strings "NaN", "Infinity" and "-Infinity", as protobuf's JSON mapping writes them.
class ScalarExport
{
public:
    enum class Format { Csv, Json };
    static bool write(const EventLogReader& log, Format format, QIODevice& out);
    /// One run's series by tag (a registry's), in tag order, without a `run` column.
    static bool write(const QMap<QString, ScalarSeries>& series, Format format, QIODevice& out);
    /// A value as the CSV writes it: the shortest text that reads back to the same double (-0 stays -0),
    /// NaN, Infinity, -Infinity. Every CSV of scalars (the viewer's too) writes values this way.
    static QByteArray csvNumber(double value);
};

} // namespace jikken
