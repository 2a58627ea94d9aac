#pragma once

#include "series/ScalarSeries.h"

#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace jikken::PointReader {

/// Every point of one series, by step: SQLite through its C API (a million points in a fraction of what
/// per-row QVariants cost), PostgreSQL as binary blocks (PointBlocks).
std::optional<ScalarSeries> readAll(QSqlDatabase& db, qint64 seriesId, QString* error);

/// The points at steps after `step`, and in `total` how many the series holds (a growing curve's tail).
std::optional<ScalarSeries> readAfter(QSqlDatabase& db, qint64 seriesId, qint64 step, int* total, QString* error);

/// About `points` points spread evenly over the series' steps, for a first look at a long series: one
/// index seek per point, so it costs the same for a thousand points as for a million. A sample, not an
/// envelope: a spike between two samples shows once the whole series is read.
std::optional<ScalarSeries> sample(QSqlDatabase& db, qint64 seriesId, int points, QString* error);

} // namespace jikken::PointReader
