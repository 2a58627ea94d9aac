#pragma once

#include "series/ScalarSeries.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

#include <optional>

namespace jikken::PointBlocks {

/// How PostgreSQL keeps a series' points: in blocks of up to kCapacity points, one row each in
/// `point_blocks (series_id, first_step, last_step, points, data)`, the way time-series stores keep chunks.
/// A row per point costs PostgreSQL an index entry, a tuple header and a foreign-key check per point
/// (~0.1–0.4 M points/s on a small server); a block costs them once per thousand. Blocks of a series never
/// overlap in steps. `data` is 24 bytes per point, big-endian as PostgreSQL's own binary formats
/// (int8send, float8send): step int64, wall time float64, value float64 (NaN kept as NaN).
inline constexpr int kCapacity = 1024;
inline constexpr int kBytesPerPoint = 24;

/// Whether `db` is PostgreSQL with a libpq connection underneath (the only backend that keeps blocks).
bool applies(const QSqlDatabase& db);

/// Stores points (steps ascending and distinct), replacing points already at those steps: the blocks they
/// touch (and a last block with room) are read, merged and written back, the rest are sent by binary COPY.
/// Call inside a transaction.
bool upsert(QSqlDatabase& db, qint64 seriesId, const ScalarSeries& points, QString* error);

/// Every point of a series, by step.
std::optional<ScalarSeries> readAll(QSqlDatabase& db, qint64 seriesId, QString* error);

/// For each of `points` evenly spaced target steps, the first point at or after it (distinct points, by
/// step): at most one block read per target.
std::optional<ScalarSeries> sample(QSqlDatabase& db, qint64 seriesId, int points, QString* error);

} // namespace jikken::PointBlocks
