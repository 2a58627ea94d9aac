// RegistryStore: a run's scalar points, stored in blocks per series (PointWriter) and read back whole, as
// columns or as a preview.
#include "RegistryStore.h"

#include "Divergence.h"
#include "PointReader.h"
#include "PointWriter.h"
#include "RegistryStoreRows.h"
#include "RegistryWire.h"
#include "SqlTransaction.h"
#include "StoredText.h"

#include <QSqlError>
#include <QSqlQuery>

namespace jikken {

using namespace storeRows;

bool RegistryStore::addScalars(const QString& id, const QVector<ScalarPoint>& points, QString* error)
{
    return addSeries(id, RegistryWire::groupByTag(points), error);
}

bool RegistryStore::addSeries(const QString& id, const QVector<TaggedSeries>& batch, QString* error)
{
    if (const QString problem = StoredText::seriesError(batch); !problem.isEmpty())
        return fail(error, RegistryFailure::Refused, problem);
    QSqlDatabase db = database();
    SqlTransaction transaction(db);
    if (!transaction.begin(error))
        return false;
    QSqlQuery query(db);
    query.prepare(QStringLiteral("SELECT 1 FROM runs WHERE id = ?"));
    query.addBindValue(id);
    if (!query.exec())
        return failQuery(error, query);
    if (!query.next())
        return fail(error, RegistryFailure::UnknownRun, unknownRun(id));
    query.finish();
    for (const TaggedSeries& tagged : batch) {
        query.prepare(
            QStringLiteral("INSERT INTO series (run_id, tag) VALUES (?, ?) ON CONFLICT (run_id, tag) DO NOTHING"));
        query.addBindValue(id);
        query.addBindValue(tagged.tag);
        if (!query.exec())
            return failQuery(error, query);
        query.prepare(QStringLiteral("SELECT id FROM series WHERE run_id = ? AND tag = ?"));
        query.addBindValue(id);
        query.addBindValue(tagged.tag);
        if (!query.exec() || !query.next())
            return failQuery(error, query);
        const qint64 seriesId = query.value(0).toLongLong();
        query.finish();
        // Steps ascending and distinct (a later point at the same step wins), as one statement may not
        // touch a row twice.
        const bool ordered = tagged.series.isOrdered();
        if (!PointWriter::upsert(db, seriesId, ordered ? tagged.series : tagged.series.ordered(), error))
            return false;
    }
    return markDiverged(id, Divergence::inSeries(batch), error) && transaction.commit(error);
}

std::optional<QVector<ScalarPoint>> RegistryStore::scalars(const QString& id, const QString& tag, QString* error)
{
    QSqlDatabase db = database();
    QSqlQuery query(db);
    query.prepare(QStringLiteral("SELECT id, tag FROM series WHERE run_id = ?") +
                  (tag.isEmpty() ? QString() : QStringLiteral(" AND tag = ?")) + QStringLiteral(" ORDER BY tag"));
    query.addBindValue(id);
    if (!tag.isEmpty())
        query.addBindValue(tag);
    if (!query.exec()) {
        failQuery(error, query);
        return std::nullopt;
    }
    QVector<std::pair<qint64, QString>> series;
    while (query.next())
        series.append({query.value(0).toLongLong(), query.value(1).toString()});
    query.finish();
    QVector<ScalarPoint> result;
    for (const auto& [seriesId, seriesTag] : series) {
        const auto points = PointReader::readAll(db, seriesId, error);
        if (!points)
            return std::nullopt;
        for (int i = 0; i < points->size(); ++i)
            result.append({seriesTag, points->steps[i], points->wallTimes[i], points->values[i]});
    }
    return result;
}

std::optional<qint64> RegistryStore::seriesId(const QString& id, const QString& tag, QString* error)
{
    QSqlQuery query(database());
    query.prepare(QStringLiteral("SELECT id FROM series WHERE run_id = ? AND tag = ?"));
    query.addBindValue(id);
    query.addBindValue(tag);
    if (!query.exec()) {
        failQuery(error, query);
        return std::nullopt;
    }
    return query.next() ? query.value(0).toLongLong() : -1;
}

std::optional<ScalarSeries> RegistryStore::series(const QString& id, const QString& tag, QString* error)
{
    const auto key = seriesId(id, tag, error);
    if (!key || *key < 0)
        return key ? std::optional(ScalarSeries()) : std::nullopt;
    QSqlDatabase db = database();
    return PointReader::readAll(db, *key, error);
}

std::optional<ScalarSeries> RegistryStore::seriesAfter(const QString& id, const QString& tag, qint64 step, int* total,
                                                       QString* error)
{
    const auto key = seriesId(id, tag, error);
    if (!key || *key < 0) {
        *total = 0;
        return key ? std::optional(ScalarSeries()) : std::nullopt;
    }
    QSqlDatabase db = database();
    return PointReader::readAfter(db, *key, step, total, error);
}

std::optional<ScalarSeries> RegistryStore::seriesPreview(const QString& id, const QString& tag, int points,
                                                         QString* error)
{
    const auto key = seriesId(id, tag, error);
    if (!key || *key < 0)
        return key ? std::optional(ScalarSeries()) : std::nullopt;
    QSqlDatabase db = database();
    return PointReader::sample(db, *key, points, error);
}

std::optional<QStringList> RegistryStore::tags(const QString& id, QString* error)
{
    QSqlQuery query(database());
    query.prepare(QStringLiteral("SELECT tag FROM series WHERE run_id = ? ORDER BY tag"));
    query.addBindValue(id);
    if (!query.exec()) {
        failQuery(error, query);
        return std::nullopt;
    }
    QStringList result;
    while (query.next())
        result << query.value(0).toString();
    return result;
}

} // namespace jikken
