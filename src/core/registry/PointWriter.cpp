#include "PointWriter.h"

#include "PointBlocks.h"
#include "SqliteHandle.h"

#include <cmath>
#include <memory>

namespace jikken::PointWriter {

namespace {

const QString kOnConflict = QStringLiteral(
    " ON CONFLICT (series_id, step) DO UPDATE SET wall_time = excluded.wall_time, value = excluded.value");

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

} // namespace

bool upsert(QSqlDatabase& db, qint64 seriesId, const ScalarSeries& points, QString* error)
{
    return PointBlocks::applies(db) ? PointBlocks::upsert(db, seriesId, points, error)
                                    : upsertSqlite(db, seriesId, points, error);
}

} // namespace jikken::PointWriter
