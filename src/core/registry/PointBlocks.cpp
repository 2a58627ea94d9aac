#include "PointBlocks.h"

#include <QSqlDriver>
#include <QVariant>
#include <QtEndian>

#include <libpq-fe.h>

#include <algorithm>
#include <memory>
#include <vector>

namespace jikken::PointBlocks {

namespace {

using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

PGconn* connectionOf(const QSqlDatabase& db)
{
    // Qt names the type by its struct (pg_conn*) or by libpq's typedef (PGconn*), depending on the build.
    const QVariant handle = db.driver()->handle();
    const char* type = handle.isValid() ? handle.typeName() : nullptr;
    return type && (qstrcmp(type, "PGconn*") == 0 || qstrcmp(type, "pg_conn*") == 0)
               ? *static_cast<PGconn* const*>(handle.constData())
               : nullptr;
}

template <typename T> T fail(QString* error, const QString& message, T result)
{
    if (error)
        *error = QStringLiteral("registry: ") + message.trimmed();
    return result;
}

/// A statement with text parameters and binary results (integers and bytea arrive as raw big-endian bytes).
Result run(PGconn* connection, const char* sql, const std::vector<QByteArray>& parameters, QString* error)
{
    std::vector<const char*> values;
    for (const QByteArray& parameter : parameters)
        values.push_back(parameter.constData());
    Result result(
        PQexecParams(connection, sql, static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 1),
        PQclear);
    const ExecStatusType status = PQresultStatus(result.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        fail(error, QString::fromUtf8(PQerrorMessage(connection)), false);
        return Result(nullptr, PQclear);
    }
    return result;
}

qint64 int8At(const PGresult* result, int row, int column)
{
    return qFromBigEndian<qint64>(PQgetvalue(result, row, column));
}

QByteArray encode(const ScalarSeries& points, int start, int count)
{
    QByteArray data(static_cast<qsizetype>(count) * kBytesPerPoint, Qt::Uninitialized);
    char* at = data.data();
    for (int i = start; i < start + count; ++i, at += kBytesPerPoint) {
        qToBigEndian<qint64>(points.steps[i], at);
        qToBigEndian<double>(points.wallTimes[i], at + 8);
        qToBigEndian<double>(points.values[i], at + 16);
    }
    return data;
}

/// Appends a block's points to `into`; false if `data` is not whole points.
bool decode(const char* data, qsizetype size, ScalarSeries* into)
{
    if (size % kBytesPerPoint != 0)
        return false;
    for (const char* at = data; at < data + size; at += kBytesPerPoint)
        into->append(qFromBigEndian<qint64>(at), qFromBigEndian<double>(at + 8), qFromBigEndian<double>(at + 16));
    return true;
}

/// Appends the points of the block in `row`, `column` of a result to `into`; says so when it is damaged.
bool decodeBlock(const PGresult* result, int row, int column, qint64 seriesId, ScalarSeries* into, QString* error)
{
    return decode(PQgetvalue(result, row, column), PQgetlength(result, row, column), into) ||
           fail(error, QStringLiteral("a point block of series %1 is damaged").arg(seriesId), false);
}

/// Old points and new, by step; at a step both have, the new point wins.
ScalarSeries merged(const ScalarSeries& old, const ScalarSeries& incoming)
{
    ScalarSeries out;
    out.reserve(old.size() + incoming.size());
    int i = 0;
    int j = 0;
    while (i < old.size() || j < incoming.size()) {
        if (j == incoming.size() || (i < old.size() && old.steps[i] < incoming.steps[j])) {
            out.append(old.steps[i], old.wallTimes[i], old.values[i]);
            ++i;
        } else {
            if (i < old.size() && old.steps[i] == incoming.steps[j])
                ++i;
            out.append(incoming.steps[j], incoming.wallTimes[j], incoming.values[j]);
            ++j;
        }
    }
    return out;
}

template <typename T> void appendBigEndian(QByteArray& out, T value)
{
    char bytes[sizeof(T)];
    qToBigEndian(value, bytes);
    out.append(bytes, sizeof(T));
}

/// `points` cut into blocks, as PostgreSQL's binary COPY stream (header, one tuple per block, trailer).
QByteArray copyStream(qint64 seriesId, const ScalarSeries& points)
{
    QByteArray out;
    out.reserve(32 + points.size() * kBytesPerPoint + (points.size() / kCapacity + 1) * 48);
    out.append("PGCOPY\n\377\r\n\0", 11);
    appendBigEndian<qint32>(out, 0); // flags
    appendBigEndian<qint32>(out, 0); // header extension length
    for (int start = 0; start < points.size(); start += kCapacity) {
        const int count = std::min(kCapacity, points.size() - start);
        appendBigEndian<qint16>(out, 5);
        for (qint64 field : {seriesId, points.steps[start], points.steps[start + count - 1]}) {
            appendBigEndian<qint32>(out, 8);
            appendBigEndian<qint64>(out, field);
        }
        appendBigEndian<qint32>(out, 4);
        appendBigEndian<qint32>(out, count);
        appendBigEndian<qint32>(out, count * kBytesPerPoint);
        out.append(encode(points, start, count));
    }
    appendBigEndian<qint16>(out, -1);
    return out;
}

bool copyIn(PGconn* connection, const QByteArray& stream, QString* error)
{
    Result start(PQexec(connection, "COPY point_blocks (series_id, first_step, last_step, points, data) "
                                    "FROM STDIN (FORMAT binary)"),
                 PQclear);
    if (PQresultStatus(start.get()) != PGRES_COPY_IN)
        return fail(error, QString::fromUtf8(PQerrorMessage(connection)), false);
    constexpr qsizetype kChunk = 1 << 20;
    bool sent = true;
    for (qsizetype at = 0; sent && at < stream.size(); at += kChunk)
        sent = PQputCopyData(connection, stream.constData() + at,
                             static_cast<int>(std::min(kChunk, stream.size() - at))) == 1;
    sent = PQputCopyEnd(connection, sent ? nullptr : "jikken: sending the points failed") == 1 && sent;
    bool stored = sent;
    while (PGresult* raw = PQgetResult(connection)) {
        const Result result(raw, PQclear);
        stored = stored && PQresultStatus(raw) == PGRES_COMMAND_OK;
    }
    return stored || fail(error, QString::fromUtf8(PQerrorMessage(connection)), false);
}

QByteArray arrayLiteral(const std::vector<qint64>& values)
{
    QByteArray text = "{";
    for (size_t i = 0; i < values.size(); ++i)
        text += (i ? "," : "") + QByteArray::number(values[i]);
    return text + '}';
}

} // namespace

bool applies(const QSqlDatabase& db)
{
    return connectionOf(db) != nullptr;
}

bool upsert(QSqlDatabase& db, qint64 seriesId, const ScalarSeries& points, QString* error)
{
    PGconn* connection = connectionOf(db);
    if (!connection)
        return fail(error, QStringLiteral("no PostgreSQL connection"), false);
    if (points.isEmpty())
        return true;
    const QByteArray series = QByteArray::number(seriesId);
    // The blocks these steps fall in or between, and the block before them while it has room (so that a
    // run reporting a few points at a time still fills whole blocks).
    const Result touched =
        run(connection,
            "SELECT first_step, last_step, points, data FROM point_blocks WHERE series_id = $1 AND last_step >= $2 "
            "AND first_step <= $3 UNION ALL (SELECT first_step, last_step, points, data FROM point_blocks WHERE "
            "series_id = $1 AND last_step < $2 ORDER BY last_step DESC LIMIT 1)",
            {series, QByteArray::number(points.steps.first()), QByteArray::number(points.steps.last())}, error);
    if (!touched)
        return false;
    std::vector<std::pair<qint64, int>> rewritten; // first step, row
    for (int row = 0; row < PQntuples(touched.get()); ++row) {
        const bool fullBlockBefore = int8At(touched.get(), row, 1) < points.steps.first() &&
                                     qFromBigEndian<qint32>(PQgetvalue(touched.get(), row, 2)) >= kCapacity;
        if (!fullBlockBefore)
            rewritten.emplace_back(int8At(touched.get(), row, 0), row);
    }
    if (rewritten.empty())
        return copyIn(connection, copyStream(seriesId, points), error);
    std::sort(rewritten.begin(), rewritten.end());
    ScalarSeries old;
    std::vector<qint64> firstSteps;
    for (const auto& [firstStep, row] : rewritten) {
        firstSteps.push_back(firstStep);
        if (!decodeBlock(touched.get(), row, 3, seriesId, &old, error))
            return false;
    }
    if (!run(connection, "DELETE FROM point_blocks WHERE series_id = $1 AND first_step = ANY ($2::bigint[])",
             {series, arrayLiteral(firstSteps)}, error))
        return false;
    return copyIn(connection, copyStream(seriesId, merged(old, points)), error);
}

std::optional<ScalarSeries> readAll(QSqlDatabase& db, qint64 seriesId, QString* error)
{
    PGconn* connection = connectionOf(db);
    if (!connection)
        return fail(error, QStringLiteral("no PostgreSQL connection"), std::nullopt);
    const Result blocks = run(connection, "SELECT data FROM point_blocks WHERE series_id = $1 ORDER BY first_step",
                              {QByteArray::number(seriesId)}, error);
    if (!blocks)
        return std::nullopt;
    ScalarSeries out;
    int total = 0;
    for (int row = 0; row < PQntuples(blocks.get()); ++row)
        total += PQgetlength(blocks.get(), row, 0) / kBytesPerPoint;
    out.reserve(total);
    for (int row = 0; row < PQntuples(blocks.get()); ++row) {
        if (!decodeBlock(blocks.get(), row, 0, seriesId, &out, error))
            return std::nullopt;
    }
    return out;
}

std::optional<ScalarSeries> sample(QSqlDatabase& db, qint64 seriesId, int points, QString* error)
{
    PGconn* connection = connectionOf(db);
    if (!connection)
        return fail(error, QStringLiteral("no PostgreSQL connection"), std::nullopt);
    points = std::max(points, 2);
    const QByteArray series = QByteArray::number(seriesId);
    const Result bounds = run(
        connection, "SELECT min(first_step), max(last_step) FROM point_blocks WHERE series_id = $1", {series}, error);
    if (!bounds)
        return std::nullopt;
    if (PQgetisnull(bounds.get(), 0, 0))
        return ScalarSeries();
    const qint64 low = int8At(bounds.get(), 0, 0);
    const qint64 high = int8At(bounds.get(), 0, 1);
    std::vector<qint64> targets;
    for (int i = 0; i < points; ++i)
        targets.push_back(low + static_cast<qint64>(static_cast<long double>(high - low) * i / (points - 1)));
    const Result blocks = run(connection,
                              "SELECT DISTINCT ON (b.first_step) b.data FROM unnest($2::bigint[]) AS t (step) "
                              "CROSS JOIN LATERAL (SELECT first_step, data FROM point_blocks WHERE series_id = $1 "
                              "AND last_step >= t.step ORDER BY last_step LIMIT 1) AS b ORDER BY b.first_step",
                              {series, arrayLiteral(targets)}, error);
    if (!blocks)
        return std::nullopt;
    ScalarSeries read;
    for (int row = 0; row < PQntuples(blocks.get()); ++row) {
        if (!decodeBlock(blocks.get(), row, 0, seriesId, &read, error))
            return std::nullopt;
    }
    QVector<int> picked;
    for (qint64 target : targets) {
        const int index =
            static_cast<int>(std::lower_bound(read.steps.begin(), read.steps.end(), target) - read.steps.begin());
        if (index < read.size() && (picked.isEmpty() || picked.last() != index))
            picked.append(index);
    }
    return read.pick(picked);
}

} // namespace jikken::PointBlocks
