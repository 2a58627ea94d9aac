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

ApiReply RegistryApi::scalars(const QString& id, const QUrlQuery& query)
{
    QString error;
    const auto points = m_store.scalars(id, query.queryItemValue(QStringLiteral("tag"), QUrl::FullyDecoded), &error);
    if (!points)
        return storeFailure(m_store.lastFailure(), error);
    return ApiReply::json({{QStringLiteral("points"), RegistryWire::scalarsToJson(*points)}});
}

ApiReply RegistryApi::tags(const QString& id)
{
    QString error;
    const auto tags = m_store.tags(id, &error);
    if (!tags)
        return storeFailure(m_store.lastFailure(), error);
    return ApiReply::json({{QStringLiteral("tags"), QJsonArray::fromStringList(*tags)}});
}

namespace {

/// One tag's points as a reply shows them: the series (shared, not copied) and how many the tag has in all.
struct ShownSeries
{
    QString tag;
    int total = 0;
    ScalarSeries shown;
};

/// A reply `{<head>, "series": [...]}` written later, off the event loop.
ApiReply seriesReply(QByteArray head, QVector<ShownSeries> series)
{
    ApiReply reply;
    reply.later = [head = std::move(head), series = std::move(series)] {
        QByteArray body = '{' + head + ",\"series\":[";
        for (qsizetype i = 0; i < series.size(); ++i) {
            if (i > 0)
                body += ',';
            body += RegistryWire::seriesJson(series[i].tag, series[i].total, series[i].shown);
        }
        body += "]}";
        return ApiReply{200, body, "application/json", {}};
    };
    return reply;
}

/// `"key":value` of a JSON object's members, for a reply's head.
QByteArray members(const QJsonObject& object)
{
    const QByteArray text = QJsonDocument(object).toJson(QJsonDocument::Compact);
    return text.mid(1, text.size() - 2);
}

} // namespace

ApiReply RegistryApi::history(const QString& id)
{
    QString error;
    const auto run = m_store.run(id, &error);
    if (!run)
        return storeFailure(m_store.lastFailure(), error);
    const auto tags = m_store.tags(id, &error);
    if (!tags)
        return storeFailure(m_store.lastFailure(), error);
    QVector<ShownSeries> series;
    for (const QString& tag : *tags) {
        const ScalarSeries* all = m_cache.series(id, tag, &error);
        if (!all)
            return storeFailure(m_store.lastFailure(), error);
        series.append({tag, all->size(), *all});
    }
    return seriesReply(members({{QStringLiteral("run"), RegistryWire::runToJson(*run)}}), std::move(series));
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
    const auto points = intParameter(query, "points", 0, 0, m_limits.maxSeriesPoints, &reply);
    if (!points)
        return reply;
    // `after=STEP`: only the points at later steps (a growing curve's new ones); `total` still counts all.
    std::optional<qint64> after;
    if (query.hasQueryItem(QStringLiteral("after"))) {
        bool ok = false;
        after = query.queryItemValue(QStringLiteral("after"), QUrl::FullyDecoded).toLongLong(&ok);
        if (!ok)
            return ApiReply::error(400, QStringLiteral("series: after is a step (an integer)"));
    }
    const QString methodName = query.queryItemValue(QStringLiteral("method"), QUrl::FullyDecoded);
    const auto method = methodName.isEmpty() ? Downsampling::Method::Lttb : Downsampling::methodFromString(methodName);
    if (!method)
        return ApiReply::error(400, QStringLiteral("series: method must be lttb or minmax"));
    QString error;
    if (!m_store.run(id, &error))
        return storeFailure(m_store.lastFailure(), error);
    QVector<ShownSeries> result;
    for (const QString& tag : tags) {
        const ScalarSeries* full = m_cache.series(id, tag, &error);
        if (!full)
            return storeFailure(m_store.lastFailure(), error);
        const ScalarSeries tail = after ? full->after(*after) : ScalarSeries();
        const ScalarSeries& wanted = after ? tail : *full;
        result.append({tag, full->size(), *points > 0 ? Downsampling::downsample(wanted, *points, *method) : wanted});
    }
    return seriesReply(members({{QStringLiteral("id"), id}}), std::move(result));
}

} // namespace jikken
