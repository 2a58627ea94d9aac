#pragma once

#include "series/ScalarSeries.h"

#include <QSqlDatabase>
#include <QString>

namespace jikken::PointWriter {

/// Writes one series' points (distinct steps) in bulk, replacing the points already at those steps: SQLite
/// takes a few hundred rows per statement, PostgreSQL whole columns as arrays (unnest), so a million points
/// are a handful of statements instead of a million. Call inside a transaction.
bool upsert(QSqlDatabase& db, qint64 seriesId, const ScalarSeries& points, QString* error);

} // namespace jikken::PointWriter
