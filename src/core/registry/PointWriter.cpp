#include "PointWriter.h"

#include <QSqlError>
#include <QSqlQuery>

#include <cmath>
#include <memory>

namespace jikken::PointWriter {

namespace {

constexpr int kSqliteRowsPerStatement = 250; // 1,000 parameters, under every SQLite's limit
constexpr int kPostgresRowsPerStatement = 200000;

const QString kOnConflict = QStringLiteral(
    " ON CONFLICT (series_id, step) DO UPDATE SET wall_time = excluded.wall_time, value = excluded.value");

bool fail(QString* error, const QSqlQuery& query)
{
    if (error)
        *error = QStringLiteral("registry: ") + query.lastError().text();
    return false;
}

// SQLite has no NaN: it stores NULL, which the readers turn back into NaN.
QVariant sqliteValue(double value)
{
    return std::isnan(value) ? QVariant() : QVariant(value);
}

bool upsertSqlite(QSqlDatabase& db, qint64 seriesId, const ScalarSeries& s, QString* error)
{
    std::unique_ptr<QSqlQuery> query;
    int preparedRows = 0;
    for (int start = 0; start < s.size(); start += kSqliteRowsPerStatement) {
        const int rows = std::min(kSqliteRowsPerStatement, s.size() - start);
        if (rows != preparedRows) {
            QString sql = QStringLiteral("INSERT INTO points (series_id, step, wall_time, value) VALUES ");
            for (int r = 0; r < rows; ++r)
                sql += r == 0 ? QStringLiteral("(?,?,?,?)") : QStringLiteral(",(?,?,?,?)");
            query = std::make_unique<QSqlQuery>(db);
            if (!query->prepare(sql + kOnConflict))
                return fail(error, *query);
            preparedRows = rows;
        }
        int p = 0;
        for (int i = start; i < start + rows; ++i) {
            query->bindValue(p++, seriesId);
            query->bindValue(p++, s.steps[i]);
            query->bindValue(p++, s.wallTimes[i]);
            query->bindValue(p++, sqliteValue(s.values[i]));
        }
        if (!query->exec())
            return fail(error, *query);
    }
    return true;
}

template <typename T>
QString arrayLiteral(const QVector<T>& values, int start, int count)
{
    QString text;
    text.reserve(count * 20);
    text += u'{';
    for (int i = start; i < start + count; ++i) {
        if (i > start)
            text += u',';
        if constexpr (std::is_floating_point_v<T>) {
            const double v = values[i];
            text += std::isnan(v) ? QStringLiteral("NaN")
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
