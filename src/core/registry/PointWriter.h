#pragma once

#include "series/ScalarSeries.h"

#include <QSqlDatabase>
#include <QString>

namespace jikken::PointWriter {

/// Writes one series' points (distinct steps) in bulk, replacing the points already at those steps: SQLite
/// through one prepared statement of its C API, PostgreSQL as blocks of points by binary COPY (PointBlocks).
/// Call inside a transaction.
bool upsert(QSqlDatabase& db, qint64 seriesId, const ScalarSeries& points, QString* error);

} // namespace jikken::PointWriter
