#include "PointReader.h"

#include "PointBlocks.h"
#include "SqliteHandle.h"

#include <QSqlError>
#include <QSqlQuery>

#include <memory>

namespace jikken::PointReader {

namespace {

const QString kAllPoints =
    QStringLiteral("SELECT step, wall_time, value FROM points WHERE series_id = ? ORDER BY step");

// The targets are evenly spaced steps between the series' first and last; each takes the first point at
// or after it (one seek on the (series_id, step) key). CROSS JOIN keeps SQLite from scanning the series
// instead; DISTINCT folds targets that land on one point. min() and max() in subqueries of their own, as
// SQLite seeks for a lone min() or max() but scans for both together.
const QString kSampledPoints = QStringLiteral(
    "WITH RECURSIVE bounds (lo, hi) AS (SELECT (SELECT min(step) FROM points WHERE series_id = ?), "
    "(SELECT max(step) FROM points WHERE series_id = ?)), "
    "k (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < ?), "
    "targets (step) AS (SELECT DISTINCT (SELECT q.step FROM points q WHERE q.series_id = ? "
    "AND q.step >= bounds.lo + (bounds.hi - bounds.lo) * k.i / ? ORDER BY q.step LIMIT 1) FROM bounds CROSS JOIN k) "
    "SELECT p.step, p.wall_time, p.value FROM targets t CROSS JOIN points p "
    "WHERE p.series_id = ? AND p.step = t.step ORDER BY p.step");

std::optional<ScalarSeries> fail(QString* error, const QString& message)
{
    if (error)
        *error = QStringLiteral("registry: ") + message;
    return std::nullopt;
}

std::optional<ScalarSeries> readQuery(QSqlQuery& query, QString* error)
{
    query.setForwardOnly(true);
    if (!query.exec())
        return fail(error, query.lastError().text());
    ScalarSeries result;
    while (query.next()) {
        // SQLite keeps NaN as NULL.
        const QVariant value = query.value(2);
        result.append(query.value(0).toLongLong(), query.value(1).toDouble(),
                      value.isNull() ? qQNaN() : value.toDouble());
    }
    return result;
}

const QString kPointsAfter =
    QStringLiteral("SELECT step, wall_time, value FROM points WHERE series_id = ? AND step > ? ORDER BY step");
// A growing curve's tail costs the tail, and the count of the points before it a walk of the index (no row
// is read), where reading the whole series to slice its tail cost every row.
const QString kPointCount = QStringLiteral("SELECT count(*) FROM points WHERE series_id = ?");

/// `sql`'s rows as points, its parameters bound to `seriesId` and then `after` (when given).
std::optional<ScalarSeries> readSqlite(sqlite3* connection, const QString& sql, qint64 seriesId,
                                       std::optional<qint64> after, QString* error)
{
    const QByteArray text = sql.toUtf8();
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(connection, text.constData(), static_cast<int>(text.size()), &statement, nullptr) !=
        SQLITE_OK)
        return fail(error, QString::fromUtf8(sqlite3_errmsg(connection)));
    const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> owner(statement, sqlite3_finalize);
    sqlite3_bind_int64(statement, 1, seriesId);
    if (after)
        sqlite3_bind_int64(statement, 2, *after);
    ScalarSeries result;
    int status;
    while ((status = sqlite3_step(statement)) == SQLITE_ROW) {
        const bool null = sqlite3_column_type(statement, 2) == SQLITE_NULL;
        result.append(sqlite3_column_int64(statement, 0), sqlite3_column_double(statement, 1),
                      null ? qQNaN() : sqlite3_column_double(statement, 2));
    }
    if (status != SQLITE_DONE)
        return fail(error, QString::fromUtf8(sqlite3_errmsg(connection)));
    return result;
}

} // namespace

std::optional<ScalarSeries> readAll(QSqlDatabase& db, qint64 seriesId, QString* error)
{
    if (PointBlocks::applies(db))
        return PointBlocks::readAll(db, seriesId, error);
    sqlite3* connection = sqliteHandle(db);
    if (!connection)
        return fail(error, QStringLiteral("no SQLite handle"));
    return readSqlite(connection, kAllPoints, seriesId, std::nullopt, error);
}

std::optional<ScalarSeries> readAfter(QSqlDatabase& db, qint64 seriesId, qint64 step, int* total, QString* error)
{
    sqlite3* connection = PointBlocks::applies(db) ? nullptr : sqliteHandle(db);
    if (!connection) { // PostgreSQL's blocks, read whole (a service in front of it answers from its cache)
        auto whole = readAll(db, seriesId, error);
        if (!whole)
            return std::nullopt;
        *total = whole->size();
        return whole->after(step);
    }
    QSqlQuery count(db);
    count.prepare(kPointCount);
    count.addBindValue(seriesId);
    if (!count.exec() || !count.next())
        return fail(error, count.lastError().text());
    *total = count.value(0).toInt();
    return readSqlite(connection, kPointsAfter, seriesId, step, error);
}

std::optional<ScalarSeries> sample(QSqlDatabase& db, qint64 seriesId, int points, QString* error)
{
    if (PointBlocks::applies(db))
        return PointBlocks::sample(db, seriesId, points, error);
    points = std::max(points, 2);
    QSqlQuery query(db);
    query.prepare(kSampledPoints);
    query.addBindValue(seriesId);
    query.addBindValue(seriesId);
    query.addBindValue(points);
    query.addBindValue(seriesId);
    query.addBindValue(points - 1);
    query.addBindValue(seriesId);
    return readQuery(query, error);
}

} // namespace jikken::PointReader
