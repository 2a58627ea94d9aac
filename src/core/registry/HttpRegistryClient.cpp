#include "HttpRegistryClient.h"

#include "RegistryWire.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QNetworkReply>
#include <QScopeGuard>
#include <QSslCertificate>
#include <QThread>
#include <QTimer>
#include <QUrlQuery>
#include <QUuid>

namespace jikken {

namespace {

bool fail(QString* error, const QString& message)
{
    if (error)
        *error = message;
    return false;
}

// `tag=NAME`, the name percent-encoded whole (commas too, which `tags=` would split at). Appended to a
// path, never arg()ed into one: an encoded name holds "%2…".
QString tagParameter(const QString& tag)
{
    return QStringLiteral("tag=") + QString::fromLatin1(QUrl::toPercentEncoding(tag));
}

} // namespace

HttpRegistryClient::HttpRegistryClient(QUrl baseUrl, QString token, int timeoutMs)
    : m_baseUrl(std::move(baseUrl)), m_authorization("Bearer " + token.toUtf8()), m_timeoutMs(timeoutMs),
      m_network(std::make_unique<QNetworkAccessManager>())
{
    // A registry is one host the client talks to all day: keep the connection, never follow redirects
    // (a token must not travel to another host).
    m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    // A lab's own certificate authority (or a self-signed service certificate), trusted besides the system's.
    const QString caFile = qEnvironmentVariable("JIKKEN_CA_CERT");
    if (!caFile.isEmpty()) {
        m_ssl = QSslConfiguration::defaultConfiguration();
        m_ssl.addCaCertificates(QSslCertificate::fromPath(caFile, QSsl::Pem));
    }
}

HttpRegistryClient::~HttpRegistryClient() = default;

std::optional<HttpRegistryClient::Reply> HttpRegistryClient::send(const QByteArray& verb, const QString& path,
                                                                  const QByteArray& body, const QByteArray& contentType,
                                                                  QString* error)
{
    m_failure = RegistryFailure::None;
    QUrl url = m_baseUrl;
    const qsizetype query = path.indexOf(u'?');
    url.setPath(url.path().chopped(url.path().endsWith(u'/') ? 1 : 0) + path.left(query));
    if (query >= 0)
        url.setQuery(path.mid(query + 1), QUrl::StrictMode);
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", m_authorization);
    if (m_journalSequence)
        request.setRawHeader("Jikken-Journal-Sequence", QByteArray::number(*m_journalSequence));
    if (!m_idempotencyKey.isEmpty())
        request.setRawHeader("Idempotency-Key", m_idempotencyKey);
    request.setTransferTimeout(m_timeoutMs);
    if (!m_ssl.isNull())
        request.setSslConfiguration(m_ssl);
    if (!contentType.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
    QNetworkReply* reply = m_network->sendCustomRequest(request, verb, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec(QEventLoop::ExcludeUserInputEvents);
    std::unique_ptr<QNetworkReply, void (*)(QNetworkReply*)> owner(reply, [](QNetworkReply* r) { r->deleteLater(); });
    Reply result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    if (result.status == 0) {
        m_failure = RegistryFailure::Unreachable;
        const bool tls = reply->error() == QNetworkReply::SslHandshakeFailedError;
        fail(error, QStringLiteral("registry %1 %2: %3")
                        .arg(m_baseUrl.toString(),
                             tls ? QStringLiteral("is not trusted (set JIKKEN_CA_CERT to its PEM certificate or CA)")
                                 : QStringLiteral("does not answer"),
                             reply->errorString()));
        return std::nullopt;
    }
    if (result.status >= 300) {
        const QString message = QJsonDocument::fromJson(result.body).object().value(QStringLiteral("error")).toString();
        // A proxy or a restarting service answers 502/503/504, a busy one 429: sent again later, as when
        // the service cannot be reached.
        const int status = result.status;
        m_failure = status == 429 || status == 502 || status == 503 || status == 504 ? RegistryFailure::Unreachable
                    : status >= 500                                                  ? RegistryFailure::ServiceError
                    : status == 401 || status == 403                                 ? RegistryFailure::Unauthorized
                    : status == 404                                                  ? RegistryFailure::UnknownRun
                    : status == 409                                                  ? RegistryFailure::Conflict
                                                                                     : RegistryFailure::Refused;
        fail(error, QStringLiteral("registry %1: %2 %3")
                        .arg(m_baseUrl.toString())
                        .arg(result.status)
                        .arg(message.isEmpty() ? QString::fromUtf8(result.body.left(200)) : message));
        return std::nullopt;
    }
    return result;
}

std::optional<QJsonObject> HttpRegistryClient::sendJson(const QByteArray& verb, const QString& path,
                                                        const QJsonObject& body, QString* error)
{
    const QByteArray bytes = verb == "GET" ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact);
    const auto reply =
        send(verb, path, bytes, verb == "GET" ? QByteArray() : QByteArrayLiteral("application/json"), error);
    if (!reply)
        return std::nullopt;
    if (reply->body.isEmpty())
        return QJsonObject();
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(reply->body, &parseError);
    if (!document.isObject()) {
        malformed(error, QStringLiteral("registry %1 answered something that is not a JSON object").arg(location()));
        return std::nullopt;
    }
    return document.object();
}

bool HttpRegistryClient::post(const QString& path, const QJsonObject& body, QString* error)
{
    return sendJson("POST", path, body, error).has_value();
}

bool HttpRegistryClient::put(const QString& path, const QJsonObject& body, QString* error)
{
    return sendJson("PUT", path, body, error).has_value();
}

std::optional<QJsonObject> HttpRegistryClient::get(const QString& path, QString* error)
{
    return sendJson("GET", path, {}, error);
}

QString HttpRegistryClient::runPath(const QString& id, const char* leaf) const
{
    const QString base = QStringLiteral("/api/v1/runs/") + QString::fromLatin1(QUrl::toPercentEncoding(id));
    return leaf ? base + u'/' + QString::fromLatin1(leaf) : base;
}

std::optional<ModelId> HttpRegistryClient::reserve(const QString& method, QString* error)
{
    // One key for this reservation and its retries: a POST whose answer was lost, sent again (by Qt, or
    // below), gets the ID the first one took instead of consuming a second.
    m_idempotencyKey = QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
    const auto forget = qScopeGuard([this] { m_idempotencyKey.clear(); });
    auto reply = sendJson("POST", QStringLiteral("/api/v1/reserve"), {{QStringLiteral("method"), method}}, error);
    if (!reply && m_failure == RegistryFailure::Unreachable) {
        QThread::msleep(200);
        reply = sendJson("POST", QStringLiteral("/api/v1/reserve"), {{QStringLiteral("method"), method}}, error);
    }
    if (!reply)
        return std::nullopt;
    const QString id = reply->value(QStringLiteral("id")).toString();
    const auto parsed = ModelId::parse(id, error);
    if (!parsed)
        malformed(error, QStringLiteral("registry %1 handed out a malformed ID \"%2\"").arg(location(), id));
    return parsed;
}

bool HttpRegistryClient::describe(const QString& id, const RunDescription& description, QString* error)
{
    return put(runPath(id, "description"), RegistryWire::toJson(description), error);
}

bool HttpRegistryClient::setStatus(const QString& id, RunStatus status, const QString& reason, QString* error)
{
    return post(runPath(id, "status"),
                {{QStringLiteral("status"), toString(status)}, {QStringLiteral("reason"), reason}}, error);
}

bool HttpRegistryClient::reportProgress(const QString& id, int epoch, qint64 step, std::optional<double> testError,
                                        QString* error)
{
    QJsonObject body{{QStringLiteral("epoch"), epoch}, {QStringLiteral("step"), step}};
    if (testError)
        body.insert(QStringLiteral("test_error"), *testError);
    return post(runPath(id, "progress"), body, error);
}

bool HttpRegistryClient::heartbeat(const QString& id, QString* error)
{
    return post(runPath(id, "heartbeat"), {}, error);
}

bool HttpRegistryClient::setDevice(const QString& id, const QString& device, QString* error)
{
    return put(runPath(id, "device"), {{QStringLiteral("device"), device}}, error);
}

bool HttpRegistryClient::setMemo(const QString& id, const QString& memo, QString* error)
{
    return put(runPath(id, "memo"), {{QStringLiteral("memo"), memo}}, error);
}

bool HttpRegistryClient::setColour(const QString& id, const QString& colour, QString* error)
{
    return put(runPath(id, "colour"), {{QStringLiteral("colour"), colour}}, error);
}

bool HttpRegistryClient::setLabels(const QString& id, const QStringList& labels, QString* error)
{
    return put(runPath(id, "labels"), {{QStringLiteral("labels"), QJsonArray::fromStringList(labels)}}, error);
}

std::optional<QStringList> HttpRegistryClient::editLabels(const QString& id, const QStringList& add,
                                                          const QStringList& remove, QString* error)
{
    const auto reply = sendJson("POST", runPath(id, "labels"),
                                {{QStringLiteral("add"), QJsonArray::fromStringList(add)},
                                 {QStringLiteral("remove"), QJsonArray::fromStringList(remove)}},
                                error);
    if (!reply)
        return std::nullopt;
    QStringList labels;
    for (const QJsonValue& label : reply->value(QStringLiteral("labels")).toArray())
        labels << label.toString();
    return labels;
}

bool HttpRegistryClient::setCheckpoints(const QString& id, const QVector<CheckpointRecord>& checkpoints, QString* error)
{
    return put(runPath(id, "checkpoints"), {{QStringLiteral("checkpoints"), Checkpoints::toJson(checkpoints)}}, error);
}

bool HttpRegistryClient::setFinalMetrics(const QString& id, const QJsonObject& metrics, QString* error)
{
    return put(runPath(id, "final_metrics"), metrics, error);
}

bool HttpRegistryClient::addScalars(const QString& id, const QVector<ScalarPoint>& points, QString* error)
{
    return send("POST", runPath(id, "scalars"), RegistryWire::scalarsToProtobuf(points),
                QByteArrayLiteral("application/x-protobuf"), error)
        .has_value();
}

bool HttpRegistryClient::importRuns(const QVector<RunRecord>& runs, QString* error)
{
    QJsonArray array;
    for (const RunRecord& run : runs)
        array.append(RegistryWire::runToJson(run));
    return post(QStringLiteral("/api/v1/import"), {{QStringLiteral("runs"), array}}, error);
}

std::optional<RunRecord> HttpRegistryClient::run(const QString& id, QString* error)
{
    const auto reply = get(runPath(id), error);
    return reply ? understood(RegistryWire::runFromJson(*reply, error)) : std::nullopt;
}

std::optional<QVector<RunRecord>> HttpRegistryClient::runs(const RunFilter& filter, QString* error)
{
    QUrlQuery query;
    if (filter.day.isValid())
        query.addQueryItem(QStringLiteral("date"), filter.day.toString(QStringLiteral("yyyyMMdd")));
    if (!filter.method.isEmpty())
        query.addQueryItem(QStringLiteral("method"), filter.method);
    if (filter.status)
        query.addQueryItem(QStringLiteral("status"), toString(*filter.status));
    if (!filter.query.isEmpty())
        query.addQueryItem(QStringLiteral("q"), QString::fromLatin1(QUrl::toPercentEncoding(filter.query)));
    if (filter.newestFirst)
        query.addQueryItem(QStringLiteral("sort"), QStringLiteral("-id"));
    if (filter.limit > 0)
        query.addQueryItem(QStringLiteral("limit"), QString::number(filter.limit));
    if (filter.offset > 0)
        query.addQueryItem(QStringLiteral("offset"), QString::number(filter.offset));
    const auto reply = get(QStringLiteral("/api/v1/runs?") + query.toString(QUrl::FullyEncoded), error);
    if (!reply)
        return std::nullopt;
    QVector<RunRecord> result;
    for (const QJsonValue& value : reply->value(QStringLiteral("runs")).toArray()) {
        const auto run = understood(RegistryWire::runFromJson(value.toObject(), error));
        if (!run)
            return std::nullopt;
        result.append(*run);
    }
    return result;
}

std::optional<QVector<ScalarPoint>> HttpRegistryClient::scalars(const QString& id, const QString& tag, QString* error)
{
    QString path = runPath(id, "scalars");
    if (!tag.isEmpty())
        path += u'?' + tagParameter(tag);
    const auto reply = get(path, error);
    if (!reply)
        return std::nullopt;
    return understood(RegistryWire::scalarsFromJson(reply->value(QStringLiteral("points")), error));
}

std::optional<QStringList> HttpRegistryClient::tags(const QString& id, QString* error)
{
    const auto reply = get(runPath(id, "tags"), error);
    if (!reply)
        return std::nullopt;
    QStringList result;
    for (const QJsonValue& tag : reply->value(QStringLiteral("tags")).toArray()) {
        if (!tag.isString()) {
            malformed(error, QStringLiteral("registry %1 sent a tag that is not text").arg(location()));
            return std::nullopt;
        }
        result << tag.toString();
    }
    return result;
}

std::optional<ScalarSeries> HttpRegistryClient::series(const QString& id, const QString& tag, QString* error)
{
    return seriesPreview(id, tag, 0, error);
}

std::optional<QHash<QString, ScalarSeries>> HttpRegistryClient::seriesOfTags(const QString& id, const QStringList& tags,
                                                                             QString* error)
{
    // `tag=` repeated, as many a request as keep its line well under the service's header limit (64 KiB).
    constexpr int kQueryChars = 8000;
    QHash<QString, ScalarSeries> all;
    QStringList asked;
    QString query;
    const auto read = [&] {
        const auto reply = get(runPath(id, "series") + u'?' + query + QStringLiteral("points=0"), error);
        if (!reply)
            return false;
        auto read = seriesByTag(*reply, error);
        if (!read)
            return false;
        for (auto it = read->begin(); it != read->end(); ++it) {
            if (asked.contains(it.key()))
                all.insert(it.key(), std::move(it.value()));
        }
        for (const QString& tag : std::as_const(asked)) {
            if (!all.contains(tag)) {
                malformed(error, QStringLiteral("series: the reply left out the tag \"%1\"").arg(tag));
                return false;
            }
        }
        asked.clear();
        query.clear();
        return true;
    };
    for (const QString& tag : tags) {
        const QString item = tagParameter(tag) + u'&';
        if (!query.isEmpty() && query.size() + item.size() > kQueryChars && !read())
            return std::nullopt;
        query += item;
        asked << tag;
    }
    if (!query.isEmpty() && !read())
        return std::nullopt;
    return all;
}

std::optional<RunHistory> HttpRegistryClient::history(const QString& id, QString* error)
{
    const auto reply = get(runPath(id, "history"), error);
    if (!reply)
        return std::nullopt;
    auto record = understood(RegistryWire::runFromJson(reply->value(QStringLiteral("run")).toObject(), error));
    if (!record)
        return std::nullopt;
    auto scalars = seriesByTag(*reply, error);
    if (!scalars)
        return std::nullopt;
    QStringList tags = scalars->keys();
    tags.sort();
    return RunHistory{std::move(*record), std::move(*scalars), tags};
}

std::optional<QVector<RunHistory>> HttpRegistryClient::histories(const HistoriesQuery& query, QString* error)
{
    // As many runs a request as keep its line well under the service's header limit (64 KiB).
    constexpr int kQueryChars = 8000;
    QString shaping = QStringLiteral("points=%1&method=minmax").arg(query.points);
    if (query.tags) {
        shaping += query.tags->isEmpty() ? QStringLiteral("&tags=") : QString();
        for (const QString& tag : *query.tags)
            shaping += u'&' + tagParameter(tag);
    }
    QVector<RunHistory> all;
    QStringList asked;
    const auto read = [&] {
        const auto reply = get(QStringLiteral("/api/v1/histories?ids=") +
                                   QString::fromLatin1(QUrl::toPercentEncoding(asked.join(u','), ",")) + u'&' + shaping,
                               error);
        if (!reply)
            return false;
        for (const QJsonValue& one : reply->value(QStringLiteral("runs")).toArray()) {
            auto history = historyFromJson(one.toObject(), query, error);
            if (!history)
                return false;
            if (!asked.contains(history->record.id)) {
                malformed(error, QStringLiteral("registry %1 sent run %2, which was not asked for")
                                     .arg(location(), history->record.id));
                return false;
            }
            all.append(std::move(*history));
        }
        asked.clear();
        return true;
    };
    int chars = 0;
    for (const QString& id : query.ids) {
        if (!asked.isEmpty() && chars + id.size() + 1 > kQueryChars && !read())
            return std::nullopt;
        chars = asked.isEmpty() ? 0 : chars;
        asked << id;
        chars += id.size() + 1;
    }
    if (!asked.isEmpty() && !read())
        return std::nullopt;
    return all;
}

std::optional<RunHistory> HttpRegistryClient::historyFromJson(const QJsonObject& json, const HistoriesQuery& query,
                                                              QString* error)
{
    auto record = understood(RegistryWire::runFromJson(json.value(QStringLiteral("run")).toObject(), error));
    if (!record)
        return std::nullopt;
    RunHistory history{std::move(*record), {}, {}};
    for (const QJsonValue& tag : json.value(QStringLiteral("tags")).toArray()) {
        if (!tag.isString()) {
            malformed(error, QStringLiteral("registry %1 sent a tag that is not text").arg(location()));
            return std::nullopt;
        }
        history.tags << tag.toString();
    }
    auto scalars = seriesByTag(json, error);
    if (!scalars)
        return std::nullopt;
    history.scalars = std::move(*scalars);
    for (const QString& tag : query.tags.value_or(QStringList())) {
        if (!history.scalars.contains(tag))
            history.scalars.insert(tag, ScalarSeries()); // a tag the run lacks
    }
    return history;
}

std::optional<QHash<QString, ScalarSeries>> HttpRegistryClient::seriesByTag(const QJsonObject& reply, QString* error)
{
    QHash<QString, ScalarSeries> all;
    for (const QJsonValue& one : reply.value(QStringLiteral("series")).toArray()) {
        const QJsonValue tag = one.toObject().value(QStringLiteral("tag"));
        if (!tag.isString()) {
            malformed(error, QStringLiteral("registry %1 sent a series without its tag").arg(location()));
            return std::nullopt;
        }
        auto series = understood(RegistryWire::seriesFromJson(one.toObject(), error));
        if (!series)
            return std::nullopt;
        all.insert(tag.toString(), std::move(*series));
    }
    return all;
}

std::optional<ScalarSeries> HttpRegistryClient::seriesPreview(const QString& id, const QString& tag, int points,
                                                              QString* error)
{
    return readSeries(id, tag, QStringLiteral("points=%1&method=minmax").arg(points), nullptr, error);
}

std::optional<ScalarSeries> HttpRegistryClient::seriesAfter(const QString& id, const QString& tag, qint64 step,
                                                            int* total, QString* error)
{
    return readSeries(id, tag, QStringLiteral("points=0&after=%1").arg(step), total, error);
}

std::optional<ScalarSeries> HttpRegistryClient::readSeries(const QString& id, const QString& tag,
                                                           const QString& options, int* total, QString* error)
{
    const auto reply = get(runPath(id, "series") + u'?' + tagParameter(tag) + u'&' + options, error);
    if (!reply)
        return std::nullopt;
    const QJsonArray series = reply->value(QStringLiteral("series")).toArray();
    if (series.isEmpty())
        return ScalarSeries();
    if (total)
        *total = series.first().toObject().value(QStringLiteral("total")).toInt();
    return understood(RegistryWire::seriesFromJson(series.first().toObject(), error));
}

void HttpRegistryClient::malformed(QString* error, const QString& message)
{
    m_failure = RegistryFailure::ServiceError;
    fail(error, message);
}

std::optional<RunChanges> HttpRegistryClient::changes(const QString& feed, std::optional<qint64> since, int waitMs,
                                                      QString* error)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("wait"), QString::number(std::max(0, waitMs) / 1000.0));
    if (!feed.isEmpty())
        query.addQueryItem(QStringLiteral("feed"), feed);
    if (since)
        query.addQueryItem(QStringLiteral("since"), QString::number(*since));
    // The service holds the request open until a run changes: silence for that long is no timeout.
    const int timeout = std::exchange(m_timeoutMs, m_timeoutMs + std::max(0, waitMs));
    const auto answer = get(QStringLiteral("/api/v1/changes?") + query.toString(QUrl::FullyEncoded), error);
    m_timeoutMs = timeout;
    if (!answer)
        return std::nullopt;
    RunChanges changes;
    changes.feed = answer->value(QStringLiteral("feed")).toString();
    changes.revision = answer->value(QStringLiteral("revision")).toInteger(-1);
    changes.reset = answer->value(QStringLiteral("reset")).toBool();
    for (const QJsonValue& run : answer->value(QStringLiteral("runs")).toArray())
        changes.runs << run.toString();
    if (changes.feed.isEmpty() || changes.revision < 0) {
        malformed(error, QStringLiteral("registry %1 sent a change feed without its name or revision").arg(location()));
        return std::nullopt;
    }
    return changes;
}

std::optional<QDate> HttpRegistryClient::today(QString* error)
{
    const auto about = info(error);
    if (!about)
        return std::nullopt;
    const QDate day = QDate::fromString(about->value(QStringLiteral("today")).toString(), QStringLiteral("yyyyMMdd"));
    if (!day.isValid()) {
        malformed(error, QStringLiteral("registry %1 did not say what day it is").arg(location()));
        return std::nullopt;
    }
    return day;
}

std::optional<QJsonObject> HttpRegistryClient::info(QString* error)
{
    return get(QStringLiteral("/api/v1/info"), error);
}

} // namespace jikken
