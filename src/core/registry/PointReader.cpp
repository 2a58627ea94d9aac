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

std::optional<ScalarSeries> readAllSqlite(sqlite3* connection, qint64 seriesId, QString* error)
{
    const QByteArray sql = kAllPoints.toUtf8();
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(connection, sql.constData(), static_cast<int>(sql.size()), &statement, nullptr) != SQLITE_OK)
        return fail(error, QString::fromUtf8(sqlite3_errmsg(connection)));
    const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> owner(statement, sqlite3_finalize);
    sqlite3_bind_int64(statement, 1, seriesId);
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
    return readAllSqlite(connection, seriesId, error);
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
