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
    ApiReply refusal;
    auto points = runPoints(members({{QStringLiteral("run"), RegistryWire::runToJson(*run)}}), id, *tags, &refusal);
    return points ? pointsReply({std::move(*points)}, {}, {}, {}) : refusal;
}

std::optional<QStringList> RegistryApi::namedTags(const QUrlQuery& query, const char* what, ApiReply* refusal) const
{
    // `tags=a,b` for everyday names; `tag=NAME` (repeatable) for a name of any characters, commas included.
    QStringList tags = query.allQueryItemValues(QStringLiteral("tag"), QUrl::FullyDecoded);
    tags += query.queryItemValue(QStringLiteral("tags"), QUrl::FullyDecoded).split(u',', Qt::SkipEmptyParts);
    // A tag asked for twice is sent once: repeats must not multiply the reply.
    tags.removeDuplicates();
    if (tags.size() > m_limits.maxTagsPerRequest) {
        *refusal = ApiReply::error(
            400,
            QStringLiteral("%1: at most %2 tags per request").arg(QLatin1String(what)).arg(m_limits.maxTagsPerRequest));
        return std::nullopt;
    }
    return tags;
}

std::optional<RegistryApi::Shaping> RegistryApi::shapingOf(const QUrlQuery& query, const char* what,
                                                           ApiReply* refusal) const
{
    Shaping shaping;
    const auto points = intParameter(query, "points", 0, 0, m_limits.maxSeriesPoints, refusal);
    if (!points)
        return std::nullopt;
    shaping.points = *points;
    // `after=STEP`: only the points at later steps (a growing curve's new ones); `total` still counts all.
    if (query.hasQueryItem(QStringLiteral("after"))) {
        bool ok = false;
        shaping.after = query.queryItemValue(QStringLiteral("after"), QUrl::FullyDecoded).toLongLong(&ok);
        if (!ok) {
            *refusal =
                ApiReply::error(400, QStringLiteral("%1: after is a step (an integer)").arg(QLatin1String(what)));
            return std::nullopt;
        }
    }
    const QString methodName = query.queryItemValue(QStringLiteral("method"), QUrl::FullyDecoded);
    const auto method = methodName.isEmpty() ? Downsampling::Method::Lttb : Downsampling::methodFromString(methodName);
    if (!method) {
        *refusal = ApiReply::error(400, QStringLiteral("%1: method must be lttb or minmax").arg(QLatin1String(what)));
        return std::nullopt;
    }
    shaping.method = *method;
    return shaping;
}

ApiReply RegistryApi::series(const QString& id, const QUrlQuery& query)
{
    ApiReply refusal;
    const auto tags = namedTags(query, "series", &refusal);
    if (!tags)
        return refusal;
    if (tags->isEmpty())
        return ApiReply::error(400, QStringLiteral("series: give tags=TAG[,TAG…] or tag=TAG (repeatable)"));
    const auto shaping = shapingOf(query, "series", &refusal);
    if (!shaping)
        return refusal;
    QString error;
    if (!m_store.run(id, &error))
        return storeFailure(m_store.lastFailure(), error);
    auto points = runPoints(members({{QStringLiteral("id"), id}}), id, *tags, &refusal);
    return points ? pointsReply({std::move(*points)}, *shaping, {}, {}) : refusal;
}

ApiReply RegistryApi::histories(const QUrlQuery& query)
{
    QStringList ids = query.queryItemValue(QStringLiteral("ids"), QUrl::FullyDecoded).split(u',', Qt::SkipEmptyParts);
    ids.removeDuplicates();
    if (ids.isEmpty())
        return ApiReply::error(400, QStringLiteral("histories: give ids=ID[,ID…]"));
    if (ids.size() > m_limits.maxRunsPerPage)
        return ApiReply::error(400,
                               QStringLiteral("histories: at most %1 runs per request").arg(m_limits.maxRunsPerPage));
    QString error;
    for (const QString& id : std::as_const(ids)) {
        if (!ModelId::parse(id, &error))
            return ApiReply::error(400, QStringLiteral("histories: ") + error);
    }
    ApiReply refusal;
    // No `tags` at all: every tag's points; `tags=` (empty): none, only the records and their tags.
    const bool everyTag = !query.hasQueryItem(QStringLiteral("tags")) && !query.hasQueryItem(QStringLiteral("tag"));
    const auto asked = namedTags(query, "histories", &refusal);
    if (!asked)
        return refusal;
    const auto shaping = shapingOf(query, "histories", &refusal);
    if (!shaping)
        return refusal;
    QVector<RunPoints> runs;
    QJsonArray unknown; // runs removed (or never made) since the asker listed them: named, not an error
    for (const QString& id : std::as_const(ids)) {
        const auto run = m_store.run(id, &error);
        if (!run && m_store.lastFailure() == RegistryFailure::UnknownRun) {
            unknown.append(id);
            continue;
        }
        const auto tags = run ? m_store.tags(id, &error) : std::nullopt;
        if (!tags)
            return storeFailure(m_store.lastFailure(), error);
        QStringList wanted = *tags; // only the asked-for tags the run has: a missing one is an empty series
        if (!everyTag)
            wanted.removeIf([&asked](const QString& tag) { return !asked->contains(tag); });
        auto points = runPoints(members({{QStringLiteral("run"), RegistryWire::runToJson(*run)},
                                         {QStringLiteral("tags"), QJsonArray::fromStringList(*tags)}}),
                                id, wanted, &refusal);
        if (!points)
            return refusal;
        runs.append(std::move(*points));
    }
    return pointsReply(std::move(runs), *shaping, "{\"runs\":[",
                       "],\"unknown\":" + QJsonDocument(unknown).toJson(QJsonDocument::Compact) + '}');
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

std::optional<RegistryApi::RunPoints> RegistryApi::runPoints(QByteArray head, const QString& id,
                                                             const QStringList& tags, ApiReply* refusal)
{
    RunPoints run{std::move(head), id, {}, m_cache.writes(id)};
    for (const QString& tag : tags) {
        // The cache's series is shared, not copied; one it lacks is loaded by the reply's writer.
        const ScalarSeries* cached = m_cache.find(id, tag);
        if (!cached && !m_workerStore) { // loaded here, as there is no writer's connection to load it
            QString error;
            cached = m_cache.series(id, tag, &error);
            if (!cached) {
                *refusal = storeFailure(m_store.lastFailure(), error);
                return std::nullopt;
            }
        }
        run.wanted.append({tag, cached ? std::optional<ScalarSeries>(*cached) : std::nullopt});
    }
    return run;
}

ApiReply RegistryApi::pointsReply(QVector<RunPoints> runs, Shaping shaping, QByteArray open, QByteArray close)
{
    ApiReply reply;
    reply.later = [runs = std::move(runs), shaping, open = std::move(open), close = std::move(close),
                   workerStore = m_workerStore, cache = &m_cache, most = m_limits.maxReplyPoints] {
        struct Loaded // for the cache, on the event loop
        {
            QString id, tag;
            ScalarSeries series;
            quint64 writesThen;
        };
        QVector<Loaded> loaded;
        QByteArray body = open;
        qint64 points = 0;
        for (qsizetype r = 0; r < runs.size(); ++r) {
            const RunPoints& run = runs[r];
            body += (r > 0 ? ",{" : "{") + run.head + ",\"series\":[";
            for (qsizetype i = 0; i < run.wanted.size(); ++i) {
                ScalarSeries full;
                if (run.wanted[i].cached) {
                    full = *run.wanted[i].cached;
                } else {
                    RegistryStore* store = workerStore(false);
                    QString error;
                    std::optional<ScalarSeries> read =
                        store ? store->series(run.id, run.wanted[i].tag, &error) : std::nullopt;
                    if (!read)
                        return workerFailure(workerStore, store, error);
                    full = std::move(*read);
                    loaded.append({run.id, run.wanted[i].tag, full, run.writesThen});
                }
                const ScalarSeries wantedPart = shaping.after ? full.after(*shaping.after) : full;
                const ScalarSeries shown = shaping.points > 0
                                               ? Downsampling::downsample(wantedPart, shaping.points, shaping.method)
                                               : wantedPart;
                if ((points += shown.size()) > most)
                    return ApiReply::error(413, tooManyPoints(points, most));
                if (i > 0)
                    body += ',';
                body += RegistryWire::seriesJson(run.wanted[i].tag, full.size(), shown);
            }
            body += "]}";
        }
        body += close;
        ApiReply written{200, body, "application/json", {}, {}};
        written.thenOnLoop = [cache, loaded = std::move(loaded)] {
            for (const Loaded& one : loaded)
                cache->adopt(one.id, one.tag, one.series, one.writesThen);
        };
        return written;
    };
    return reply;
}

} // namespace jikken
