#include "PointWriter.h"

#include "SqliteHandle.h"

#include <QSqlError>
#include <QSqlQuery>

#include <cmath>
#include <memory>

namespace jikken::PointWriter {

namespace {

constexpr int kPostgresRowsPerStatement = 200000;

const QString kOnConflict = QStringLiteral(
    " ON CONFLICT (series_id, step) DO UPDATE SET wall_time = excluded.wall_time, value = excluded.value");

bool fail(QString* error, const QSqlQuery& query)
{
    if (error)
        *error = QStringLiteral("registry: ") + query.lastError().text();
    return false;
}

// SQLite straight through its C API, on Qt's own connection: binding through QVariant costs more than the
// insert itself. One prepared statement, stepped once per point.
bool upsertSqlite(QSqlDatabase& db, qint64 seriesId, const ScalarSeries& s, QString* error)
{
    sqlite3* connection = sqliteHandle(db);
    const auto sqliteFail = [&](const char* what) {
        if (error)
            *error = QStringLiteral("registry: %1: %2")
                         .arg(QString::fromLatin1(what),
                              QString::fromUtf8(connection ? sqlite3_errmsg(connection) : "no connection"));
        return false;
    };
    if (!connection)
        return sqliteFail("no SQLite handle");
    const QByteArray sql =
        (QStringLiteral("INSERT INTO points (series_id, step, wall_time, value) VALUES (?1, ?2, ?3, ?4)") + kOnConflict)
            .toUtf8();
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(connection, sql.constData(), static_cast<int>(sql.size()), &statement, nullptr) != SQLITE_OK)
        return sqliteFail("prepare");
    const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> owner(statement, sqlite3_finalize);
    sqlite3_bind_int64(statement, 1, seriesId);
    for (int i = 0; i < s.size(); ++i) {
        sqlite3_bind_int64(statement, 2, s.steps[i]);
        sqlite3_bind_double(statement, 3, s.wallTimes[i]);
        // SQLite has no NaN: it keeps NULL, which the readers turn back into NaN.
        if (std::isnan(s.values[i]))
            sqlite3_bind_null(statement, 4);
        else
            sqlite3_bind_double(statement, 4, s.values[i]);
        if (sqlite3_step(statement) != SQLITE_DONE)
            return sqliteFail("insert");
        sqlite3_reset(statement);
    }
    return true;
}

template <typename T> QString arrayLiteral(const QVector<T>& values, int start, int count)
{
    QString text;
    text.reserve(count * 20);
    text += u'{';
    for (int i = start; i < start + count; ++i) {
        if (i > start)
            text += u',';
        if constexpr (std::is_floating_point_v<T>) {
            const double v = values[i];
            text += std::isnan(v)   ? QStringLiteral("NaN")
                    : std::isinf(v) ? (v > 0 ? QStringLiteral("Infinity") : QStringLiteral("-Infinity"))
                                    : QString::number(v, 'g', 17);
        } else {
            text += QString::number(values[i]);
        }
    }
    text += u'}';
    return text;
}

bool upsertPostgres(QSqlDatabase& db, qint64 seriesId, const ScalarSeries& s, QString* error)
{
    QSqlQuery query(db);
    if (!query.prepare(QStringLiteral("INSERT INTO points (series_id, step, wall_time, value) SELECT ?, u.step, "
                                      "u.wall_time, u.value FROM unnest(?::bigint[], ?::float8[], ?::float8[]) "
                                      "AS u (step, wall_time, value)") +
                       kOnConflict))
        return fail(error, query);
    for (int start = 0; start < s.size(); start += kPostgresRowsPerStatement) {
        const int rows = std::min(kPostgresRowsPerStatement, s.size() - start);
        query.bindValue(0, seriesId);
        query.bindValue(1, arrayLiteral(s.steps, start, rows));
        query.bindValue(2, arrayLiteral(s.wallTimes, start, rows));
        query.bindValue(3, arrayLiteral(s.values, start, rows));
        if (!query.exec())
            return fail(error, query);
    }
    return true;
}

} // namespace

bool upsert(QSqlDatabase& db, qint64 seriesId, const ScalarSeries& points, QString* error)
{
    return db.driverName() == QLatin1String("QPSQL") ? upsertPostgres(db, seriesId, points, error)
                                                     : upsertSqlite(db, seriesId, points, error);
}

} // namespace jikken::PointWriter
