// The registry API's scalar points: a scalars upload decoded and checked (stored on the service's ingest
// thread), and the reads of points (scalars, tags, series, history), whose long replies are written off the
// event loop.
#include "RegistryApi.h"

#include "ApiInput.h"
#include "SeriesCache.h"
#include "registry/RegistryStore.h"
#include "registry/RegistryWire.h"
#include "registry/StoredText.h"
#include "series/Downsampling.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace jikken {

using ApiInput::intParameter;
using ApiInput::jsonBody;

namespace {

qint64 pointCount(const QVector<TaggedSeries>& batch)
{
    qint64 total = 0;
    for (const TaggedSeries& tagged : batch)
        total += tagged.series.size();
    return total;
}

} // namespace

std::optional<QString> RegistryApi::scalarsRun(const ApiRequest& request)
{
    const QStringList parts = request.path.split(u'/', Qt::SkipEmptyParts);
    if (request.method != "POST" || parts.size() != 5 || parts[0] != QLatin1String("api") ||
        parts[1] != QLatin1String("v1") || parts[2] != QLatin1String("runs") || parts[4] != QLatin1String("scalars") ||
        !ModelId::parse(parts[3]))
        return std::nullopt;
    return parts[3];
}

std::optional<QVector<TaggedSeries>> RegistryApi::decodeScalars(const ApiRequest& request, qint64 maxPoints,
                                                                ApiReply* refusal)
{
    QString error;
    std::optional<QVector<TaggedSeries>> batch;
    if (request.contentType.startsWith("application/x-protobuf")) {
        batch = RegistryWire::seriesFromProtobuf(request.body, &error);
    } else {
        const auto body = jsonBody(request, refusal);
        if (!body)
            return std::nullopt;
        if (body->size() != 1 || !body->contains(QStringLiteral("points"))) {
            *refusal =
                ApiReply::error(400, QStringLiteral("scalars: want {\"points\": [{tag, step, wall_time, value}, …]}"));
            return std::nullopt;
        }
        const auto points = RegistryWire::scalarsFromJson(body->value(QStringLiteral("points")), &error);
        if (points)
            batch = RegistryWire::groupByTag(*points);
    }
    if (!batch) {
        *refusal = ApiReply::error(400, error);
        return std::nullopt;
    }
    if (const QString problem = StoredText::seriesError(*batch); !problem.isEmpty()) {
        *refusal = ApiReply::error(400, QStringLiteral("scalars: ") + problem);
        return std::nullopt;
    }
    if (pointCount(*batch) > maxPoints) {
        *refusal = ApiReply::error(413, QStringLiteral("scalars: at most %1 points per request").arg(maxPoints));
        return std::nullopt;
    }
    return batch;
}

ApiReply RegistryApi::scalarsStored(const QVector<TaggedSeries>& batch)
{
    return ApiReply::json({{QStringLiteral("stored"), static_cast<double>(pointCount(batch))}});
}

namespace {

/// `"key":value` of a JSON object's members, for a reply's head.
QByteArray members(const QJsonObject& object)
{
    const QByteArray text = QJsonDocument(object).toJson(QJsonDocument::Compact);
    return text.mid(1, text.size() - 2);
}

QString tooManyPoints(qint64 points, qint64 most)
{
    return QStringLiteral("the reply would hold %1 points (at most %2): ask for points=N to have each series "
                          "reduced, or after=STEP for the newest")
        .arg(points)
        .arg(most);
}

} // namespace

ApiReply RegistryApi::scalars(const QString& id, const QUrlQuery& query)
{
    const QString tag = query.queryItemValue(QStringLiteral("tag"), QUrl::FullyDecoded);
    QString error;
    if (!m_store.run(id, &error))
        return storeFailure(m_store.lastFailure(), error);
    const auto answer = [most = m_limits.maxReplyPoints](const QVector<ScalarPoint>& points) {
        if (points.size() > most)
            return ApiReply::error(413, tooManyPoints(points.size(), most));
        return ApiReply::json({{QStringLiteral("points"), RegistryWire::scalarsToJson(points)}});
    };
    if (!m_workerStore) {
        const auto points = m_store.scalars(id, tag, &error);
        return points ? answer(*points) : storeFailure(m_store.lastFailure(), error);
    }
    // Read and written by a writer: every point of a run may be millions.
    ApiReply reply;
    reply.later = [id, tag, answer, workerStore = m_workerStore] {
        RegistryStore* store = workerStore(false);
        QString failure;
        const auto points = store ? store->scalars(id, tag, &failure) : std::nullopt;
        return points ? answer(*points) : workerFailure(workerStore, store, failure);
    };
    return reply;
}

ApiReply RegistryApi::tags(const QString& id)
{
    QString error;
    const auto tags = m_store.tags(id, &error);
    if (!tags)
        return storeFailure(m_store.lastFailure(), error);
    return ApiReply::json({{QStringLiteral("tags"), QJsonArray::fromStringList(*tags)}});
}

ApiReply RegistryApi::history(const QString& id)
{
    QString error;
    const auto run = m_store.run(id, &error);
    if (!run)
        return storeFailure(m_store.lastFailure(), error);
    const auto tags = m_store.tags(id, &error);
    if (!tags)
        return storeFailure(m_store.lastFailure(), error);
    return pointsReply(members({{QStringLiteral("run"), RegistryWire::runToJson(*run)}}), id, *tags, {});
}

ApiReply RegistryApi::series(const QString& id, const QUrlQuery& query)
{
    ApiReply reply;
    // `tags=a,b` for everyday names; `tag=NAME` (repeatable) for a name of any characters, commas included.
    QStringList tags = query.allQueryItemValues(QStringLiteral("tag"), QUrl::FullyDecoded);
    tags += query.queryItemValue(QStringLiteral("tags"), QUrl::FullyDecoded).split(u',', Qt::SkipEmptyParts);
    if (tags.isEmpty())
        return ApiReply::error(400, QStringLiteral("series: give tags=TAG[,TAG…] or tag=TAG (repeatable)"));
    // A tag asked for twice is sent once: repeats must not multiply the reply.
    tags.removeDuplicates();
    if (tags.size() > m_limits.maxTagsPerRequest)
        return ApiReply::error(400,
                               QStringLiteral("series: at most %1 tags per request").arg(m_limits.maxTagsPerRequest));
    Shaping shaping;
    const auto points = intParameter(query, "points", 0, 0, m_limits.maxSeriesPoints, &reply);
    if (!points)
        return reply;
    shaping.points = *points;
    // `after=STEP`: only the points at later steps (a growing curve's new ones); `total` still counts all.
    if (query.hasQueryItem(QStringLiteral("after"))) {
        bool ok = false;
        shaping.after = query.queryItemValue(QStringLiteral("after"), QUrl::FullyDecoded).toLongLong(&ok);
        if (!ok)
            return ApiReply::error(400, QStringLiteral("series: after is a step (an integer)"));
    }
    const QString methodName = query.queryItemValue(QStringLiteral("method"), QUrl::FullyDecoded);
    const auto method = methodName.isEmpty() ? Downsampling::Method::Lttb : Downsampling::methodFromString(methodName);
    if (!method)
        return ApiReply::error(400, QStringLiteral("series: method must be lttb or minmax"));
    shaping.method = *method;
    QString error;
    if (!m_store.run(id, &error))
        return storeFailure(m_store.lastFailure(), error);
    return pointsReply(members({{QStringLiteral("id"), id}}), id, tags, shaping);
}

ApiReply RegistryApi::workerFailure(const WorkerStore& workerStore, RegistryStore* store, const QString& error)
{
    if (!store)
        return ApiReply::databaseAway();
    const RegistryFailure failure = store->lastFailure();
    if (failure == RegistryFailure::Unreachable)
        workerStore(true);
    return storeFailure(failure, error);
}

ApiReply RegistryApi::pointsReply(QByteArray head, const QString& id, const QStringList& tags, Shaping shaping)
{
    // Each tag's series when the cache holds it (shared, not copied), else loaded by the reply's writer.
    struct WantedSeries
    {
        QString tag;
        std::optional<ScalarSeries> cached;
    };
    QVector<WantedSeries> wanted;
    for (const QString& tag : tags) {
        const ScalarSeries* cached = m_cache.find(id, tag);
        if (!cached && !m_workerStore) { // loaded here, as there is no writer's connection to load it
            QString error;
            cached = m_cache.series(id, tag, &error);
            if (!cached)
                return storeFailure(m_store.lastFailure(), error);
        }
        wanted.append({tag, cached ? std::optional<ScalarSeries>(*cached) : std::nullopt});
    }
    ApiReply reply;
    reply.later = [head = std::move(head), id, wanted = std::move(wanted), shaping, workerStore = m_workerStore,
                   cache = &m_cache, writesThen = m_cache.writes(id), most = m_limits.maxReplyPoints] {
        QVector<std::pair<QString, ScalarSeries>> loaded; // for the cache, on the event loop
        QByteArray body = '{' + head + ",\"series\":[";
        qint64 points = 0;
        for (qsizetype i = 0; i < wanted.size(); ++i) {
            ScalarSeries full;
            if (wanted[i].cached) {
                full = *wanted[i].cached;
            } else {
                RegistryStore* store = workerStore(false);
                QString error;
                std::optional<ScalarSeries> read = store ? store->series(id, wanted[i].tag, &error) : std::nullopt;
                if (!read)
                    return workerFailure(workerStore, store, error);
                full = std::move(*read);
                loaded.append({wanted[i].tag, full});
            }
            const ScalarSeries wantedPart = shaping.after ? full.after(*shaping.after) : full;
            const ScalarSeries shown =
                shaping.points > 0 ? Downsampling::downsample(wantedPart, shaping.points, shaping.method) : wantedPart;
            if ((points += shown.size()) > most)
                return ApiReply::error(413, tooManyPoints(points, most));
            if (i > 0)
                body += ',';
            body += RegistryWire::seriesJson(wanted[i].tag, full.size(), shown);
        }
        body += "]}";
        ApiReply written{200, body, "application/json", {}, {}};
        written.thenOnLoop = [cache, id, loaded = std::move(loaded), writesThen] {
            for (const auto& [tag, series] : loaded)
                cache->adopt(id, tag, series, writesThen);
        };
        return written;
    };
    return reply;
}

} // namespace jikken
