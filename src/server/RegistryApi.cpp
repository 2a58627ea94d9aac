#include "RegistryApi.h"

#include "ApiInput.h"
#include "ChangeFeed.h"
#include "RunAlerts.h"
#include "SeriesCache.h"
#include "registry/RegistryStore.h"
#include "registry/RegistryWire.h"
#include "registry/RunColour.h"
#include "registry/RunQueue.h"
#include "registry/StoredText.h"
#include "series/Downsampling.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace jikken {

using ApiInput::intParameter;
using ApiInput::jsonBody;

namespace {

using RegistryWire::JsonFields;

QJsonArray toJsonArray(const QVector<double>& values)
{
    QJsonArray array;
    for (double value : values)
        array.append(value);
    return array;
}

} // namespace

ApiReply ApiReply::json(const QJsonObject& object, int status)
{
    return {status, QJsonDocument(object).toJson(QJsonDocument::Compact), "application/json", {}, {}};
}

ApiReply ApiReply::error(int status, const QString& message)
{
    return json({{QStringLiteral("error"), message}}, status);
}

ApiReply ApiReply::databaseAway()
{
    return error(503, QStringLiteral("the registry's database is away; try again shortly"));
}

RegistryApi::RegistryApi(RegistryStore& store, ChangeFeed& feed, SeriesCache& cache, ApiLimits limits)
    : m_store(store), m_feed(feed), m_cache(cache), m_limits(limits)
{
}

RegistryApi::~RegistryApi() = default;

ApiReply RegistryApi::storeFailure(RegistryFailure failure, const QString& error)
{
    switch (failure) {
    case RegistryFailure::UnknownRun:
        return ApiReply::error(404, error);
    case RegistryFailure::Refused:
        return ApiReply::error(400, error);
    case RegistryFailure::Conflict:
        return ApiReply::error(409, error); // a day's IDs all handed out: a conflict to wait out
    case RegistryFailure::Unreachable:
        return ApiReply::error(503, error); // the database is away: try again shortly
    default:
        return ApiReply::error(500, error);
    }
}

ApiReply RegistryApi::handle(const ApiRequest& request)
{
    const QStringList parts = request.path.split(u'/', Qt::SkipEmptyParts);
    if (parts.size() < 3 || parts[0] != QLatin1String("api") || parts[1] != QLatin1String("v1"))
        return ApiReply::error(404,
                               QStringLiteral("no such endpoint %1; the API lives under /api/v1/").arg(request.path));
    const QString& resource = parts[2];
    const bool get = request.method == "GET";
    const bool post = request.method == "POST";
    ApiReply reply;
    if (parts.size() == 3 && resource == QLatin1String("info") && get)
        return info();
    if (parts.size() == 3 && resource == QLatin1String("alerts") && get)
        return alerts();
    // POST /api/v1/reserve never comes here: RegistryServer batches reservations (reservePending).
    if (parts.size() == 3 && resource == QLatin1String("import") && post) {
        const auto body = jsonBody(request, &reply);
        return body ? importRuns(*body) : reply;
    }
    if (parts.size() == 3 && resource == QLatin1String("runs") && get)
        return listRuns(request.query);
    if (parts.size() == 3 && resource == QLatin1String("histories") && get)
        return histories(request.query);
    if (resource == QLatin1String("queue") && parts.size() <= 4)
        return queueRequest(request, parts.value(3));
    if (resource == QLatin1String("runs") && (parts.size() == 4 || parts.size() == 5))
        return runRequest(request, parts[3], parts.size() == 5 ? parts[4] : QString());
    const bool known =
        parts.size() == 3 && (resource == QLatin1String("info") || resource == QLatin1String("alerts") ||
                              resource == QLatin1String("reserve") || resource == QLatin1String("import") ||
                              resource == QLatin1String("runs") || resource == QLatin1String("histories"));
    return known
               ? ApiReply::error(
                     405, QStringLiteral("%1 does not take %2").arg(request.path, QString::fromLatin1(request.method)))
               : ApiReply::error(404, QStringLiteral("no such endpoint %1").arg(request.path));
}

ApiReply RegistryApi::info()
{
    return ApiReply::json({{QStringLiteral("service"), QStringLiteral("jikken")},
                           {QStringLiteral("api"), 1},
                           {QStringLiteral("version"), QStringLiteral(JIKKEN_VERSION)},
                           {QStringLiteral("time_zone"), QString::fromUtf8(m_store.timeZoneId())},
                           {QStringLiteral("today"), m_store.today().toString(QStringLiteral("yyyyMMdd"))},
                           {QStringLiteral("database"),
                            m_store.isPostgresql() ? QStringLiteral("postgresql") : QStringLiteral("sqlite")}});
}

ApiReply RegistryApi::alerts()
{
    QJsonArray list;
    for (const RunAlerts::Alert& alert : m_alerts ? m_alerts->recent() : QList<RunAlerts::Alert>()) {
        list.append(QJsonObject{{QStringLiteral("time"), alert.time.toString(Qt::ISODateWithMs)},
                                {QStringLiteral("event"), alert.event},
                                {QStringLiteral("run"), alert.run},
                                {QStringLiteral("detail"), alert.detail}});
    }
    return ApiReply::json({{QStringLiteral("alerts"), list}});
}

std::optional<QString> RegistryApi::reserveMethod(const ApiRequest& request, ApiReply* refusal)
{
    const auto body = jsonBody(request, refusal);
    if (!body)
        return std::nullopt;
    QString method;
    JsonFields fields(*body, QStringLiteral("reserve"));
    fields.string("method", &method, true);
    if (!fields.noOthers()) {
        *refusal = ApiReply::error(400, fields.error());
        return std::nullopt;
    }
    const QString problem = ModelId::methodError(method);
    if (!problem.isEmpty()) {
        *refusal = ApiReply::error(400, problem);
        return std::nullopt;
    }
    return method;
}

ApiReply RegistryApi::reserved(const std::optional<ModelId>& id, RegistryFailure failure, const QString& error)
{
    return id ? ApiReply::json({{QStringLiteral("id"), id->toString()}}, 201) : storeFailure(failure, error);
}

ApiReply RegistryApi::listRuns(const QUrlQuery& query)
{
    static const QStringList kKnown{QStringLiteral("date"),      QStringLiteral("method"), QStringLiteral("status"),
                                    QStringLiteral("sort"),      QStringLiteral("limit"),  QStringLiteral("offset"),
                                    QStringLiteral("sparkline"), QStringLiteral("points"), QStringLiteral("q")};
    for (const auto& [key, value] : query.queryItems()) {
        if (!kKnown.contains(key))
            return ApiReply::error(
                400, QStringLiteral("unknown parameter \"%1\"; known: %2").arg(key, kKnown.join(QStringLiteral(", "))));
    }
    ApiReply reply;
    RunFilter filter;
    const QString date = query.queryItemValue(QStringLiteral("date"), QUrl::FullyDecoded);
    if (!date.isEmpty()) {
        filter.day =
            date == QLatin1String("today") ? m_store.today() : QDate::fromString(date, QStringLiteral("yyyyMMdd"));
        if (!filter.day.isValid())
            return ApiReply::error(400, QStringLiteral("date must be YYYYMMDD or today"));
    }
    filter.method = query.queryItemValue(QStringLiteral("method"), QUrl::FullyDecoded);
    filter.query = query.queryItemValue(QStringLiteral("q"), QUrl::FullyDecoded);
    const QString status = query.queryItemValue(QStringLiteral("status"), QUrl::FullyDecoded);
    if (!status.isEmpty()) {
        filter.status = runStatusFromString(status);
        if (!filter.status)
            return ApiReply::error(400, QStringLiteral("unknown status \"%1\"").arg(status));
    }
    const QString sort = query.queryItemValue(QStringLiteral("sort"), QUrl::FullyDecoded);
    if (!sort.isEmpty() && sort != QLatin1String("id") && sort != QLatin1String("-id"))
        return ApiReply::error(400, QStringLiteral("sort must be id (oldest first) or -id (newest first)"));
    filter.newestFirst = sort == QLatin1String("-id");
    const auto limit = intParameter(query, "limit", m_limits.maxRunsPerPage, 1, m_limits.maxRunsPerPage, &reply);
    const auto offset = intParameter(query, "offset", 0, 0, std::numeric_limits<int>::max(), &reply);
    const auto points = intParameter(query, "points", 30, 3, 1000, &reply);
    if (!limit || !offset || !points)
        return reply;
    filter.limit = *limit;
    filter.offset = *offset;
    QString error;
    const auto runs = m_store.runs(filter, &error);
    if (!runs)
        return storeFailure(m_store.lastFailure(), error);
    // The phone's list draws a small curve per run: sent along, so the page needs one request.
    const QString sparkline = query.queryItemValue(QStringLiteral("sparkline"), QUrl::FullyDecoded);
    QJsonArray array;
    for (const RunRecord& run : *runs) {
        QJsonObject json = RegistryWire::runToJson(run);
        if (!sparkline.isEmpty()) {
            const ScalarSeries* series = m_cache.series(run.id, sparkline, &error);
            if (!series)
                return storeFailure(m_store.lastFailure(), error);
            json.insert(QStringLiteral("sparkline"),
                        toJsonArray(Downsampling::downsample(*series, *points, Downsampling::Method::Lttb).values));
        }
        array.append(json);
    }
    return ApiReply::json({{QStringLiteral("runs"), array}});
}

ApiReply RegistryApi::importRuns(const QJsonObject& body)
{
    const QJsonValue runs = body.value(QStringLiteral("runs"));
    if (body.size() != 1 || !runs.isArray())
        return ApiReply::error(400, QStringLiteral("import: want {\"runs\": [run, …]}"));
    if (runs.toArray().size() > m_limits.maxImportRuns)
        return ApiReply::error(413, QStringLiteral("import: at most %1 runs per request").arg(m_limits.maxImportRuns));
    QVector<RunRecord> records;
    for (const QJsonValue& value : runs.toArray()) {
        QString error;
        const auto run = value.isObject() ? RegistryWire::runFromJson(value.toObject(), &error) : std::nullopt;
        if (!run)
            return ApiReply::error(400,
                                   error.isEmpty() ? QStringLiteral("import: every run must be an object") : error);
        records.append(*run);
    }
    QString error;
    if (!m_store.importRuns(records, &error))
        return ApiReply::error(409, error);
    for (const RunRecord& run : records)
        m_feed.touch(run.id);
    return ApiReply::json({{QStringLiteral("imported"), static_cast<int>(records.size())}}, 201);
}

ApiReply RegistryApi::runRequest(const ApiRequest& request, const QString& id, const QString& leaf)
{
    QString error;
    if (!ModelId::parse(id, &error))
        return ApiReply::error(400, error);
    if (const auto read = runReads().constFind(leaf); request.method == "GET" && read != runReads().constEnd())
        return (*read)(*this, id, request.query);
    return writeRun(id, leaf, request); // a write, or a leaf that does not take this verb
}

const QHash<QString, RegistryApi::RunRead>& RegistryApi::runReads()
{
    static const QHash<QString, RunRead> reads{
        {QString(), [](RegistryApi& api, const QString& id, const QUrlQuery&) { return api.record(id); }},
        {QStringLiteral("scalars"), &RegistryApi::scalars},
        {QStringLiteral("series"), &RegistryApi::series},
        {QStringLiteral("tags"), [](RegistryApi& api, const QString& id, const QUrlQuery&) { return api.tags(id); }},
        {QStringLiteral("history"),
         [](RegistryApi& api, const QString& id, const QUrlQuery&) { return api.history(id); }},
    };
    return reads;
}

ApiReply RegistryApi::record(const QString& id)
{
    QString error;
    const auto run = m_store.run(id, &error);
    return run ? ApiReply::json(RegistryWire::runToJson(*run)) : storeFailure(m_store.lastFailure(), error);
}

std::optional<RegistryApi::RunUpdate> RegistryApi::runUpdate(const QString& id, const QString& leaf,
                                                             const QJsonObject& body, ApiReply* reply)
{
    const auto refuse = [reply](ApiReply why) {
        *reply = std::move(why);
        return std::nullopt;
    };
    JsonFields fields(body, leaf);
    RunUpdate update;
    QString error;
    if (leaf == QLatin1String("description")) {
        // A partial description changes only the fields it names.
        const auto current = m_store.run(id, &error);
        if (!current)
            return refuse(storeFailure(m_store.lastFailure(), error));
        const auto description = RegistryWire::descriptionFromJson(body, &error, current->description());
        if (!description)
            return refuse(ApiReply::error(400, error));
        update.apply = [this, id, description = *description](QString* e) {
            return m_store.describe(id, description, e);
        };
    } else if (leaf == QLatin1String("final_metrics")) {
        update.apply = [this, id, body](QString* e) { return m_store.setFinalMetrics(id, body, e); };
    } else if (leaf == QLatin1String("checkpoints")) {
        QJsonArray given;
        fields.array("checkpoints", &given, true);
        if (!fields.noOthers())
            return refuse(ApiReply::error(400, fields.error()));
        const auto checkpoints = Checkpoints::fromJson(given, &error);
        if (!checkpoints)
            return refuse(ApiReply::error(400, error));
        update.apply = [this, id, checkpoints = *checkpoints](QString* e) {
            return m_store.setCheckpoints(id, checkpoints, e);
        };
    } else if (leaf == QLatin1String("labels") &&
               (body.contains(QStringLiteral("add")) || body.contains(QStringLiteral("remove")))) {
        // {"add": […], "remove": […]}: one edit made under the run's lock, so edits made at once compose.
        QStringList add;
        QStringList remove;
        fields.strings("add", &add);
        fields.strings("remove", &remove);
        if (!fields.noOthers())
            return refuse(ApiReply::error(400, fields.error()));
        // Each list on its own: together they may name more labels than one run holds.
        for (const QStringList* named : {&add, &remove}) {
            if (const QString problem = RunRecord::labelsError(RunRecord::normalizedLabels(*named)); !problem.isEmpty())
                return refuse(ApiReply::error(400, problem));
        }
        update.apply = [this, id, add, remove, answer = update.answer](QString* e) {
            const auto labels = m_store.editLabels(id, add, remove, e);
            if (labels)
                answer->insert(QStringLiteral("labels"), QJsonArray::fromStringList(*labels));
            return labels.has_value();
        };
    } else if (leaf == QLatin1String("labels")) {
        QStringList labels;
        fields.strings("labels", &labels, true);
        if (!fields.noOthers())
            return refuse(ApiReply::error(400, fields.error()));
        labels = RunRecord::normalizedLabels(labels);
        if (const QString problem = RunRecord::labelsError(labels); !problem.isEmpty())
            return refuse(ApiReply::error(400, problem));
        update.apply = [this, id, labels](QString* e) { return m_store.setLabels(id, labels, e); };
    } else if (leaf == QLatin1String("heartbeat")) {
        if (!fields.noOthers())
            return refuse(ApiReply::error(400, fields.error()));
        update.apply = [this, id](QString* e) { return m_store.heartbeat(id, e); };
    } else if (leaf == QLatin1String("colour")) {
        QString colour;
        fields.string("colour", &colour, true);
        if (!fields.noOthers())
            return refuse(ApiReply::error(400, fields.error()));
        if (const QString problem = RunColour::error(colour); !problem.isEmpty())
            return refuse(ApiReply::error(400, problem));
        update.apply = [this, id, colour](QString* e) { return m_store.setColour(id, colour, e); };
    } else if (leaf == QLatin1String("device") || leaf == QLatin1String("memo")) {
        QString text;
        fields.string(leaf == QLatin1String("memo") ? "memo" : "device", &text, true);
        if (!fields.noOthers())
            return refuse(ApiReply::error(400, fields.error()));
        if (leaf == QLatin1String("memo") && !RunRecord::memoError(text).isEmpty())
            return refuse(ApiReply::error(400, RunRecord::memoError(text)));
        update.apply = [this, id, text, memo = leaf == QLatin1String("memo")](QString* e) {
            return memo ? m_store.setMemo(id, text, e) : m_store.setDevice(id, text, e);
        };
    } else if (leaf == QLatin1String("status")) {
        QString status;
        QString reason;
        fields.string("status", &status, true);
        fields.string("reason", &reason);
        if (!fields.noOthers())
            return refuse(ApiReply::error(400, fields.error()));
        const auto runStatus = runStatusFromString(status);
        if (!runStatus)
            return refuse(ApiReply::error(400, QStringLiteral("status: unknown status \"%1\"").arg(status)));
        reason = StoredText::clippedReason(reason); // as stored, and as the alerts tell it
        update.apply = [this, id, status = *runStatus, reason](QString* e) {
            return m_store.setStatus(id, status, reason, e);
        };
        update.alert = [this, id, status, reason] {
            if (!m_alerts)
                return;
            // A diverged run its trainer then says finished stays diverged (the store keeps it so), and was
            // told of when it diverged: what is told is the status stored.
            QString stored = status;
            QString error;
            if (status == QLatin1String("finished"))
                if (const auto run = m_store.run(id, &error))
                    stored = toString(run->status);
            m_alerts->statusSet(id, stored, reason);
        };
    } else if (leaf == QLatin1String("progress")) {
        qint64 epoch = 0;
        qint64 step = 0;
        std::optional<double> testError;
        fields.integer("epoch", &epoch, true);
        fields.integer("step", &step, true);
        fields.optionalNumber("test_error", &testError);
        if (!fields.noOthers())
            return refuse(ApiReply::error(400, fields.error()));
        if (epoch < 0 || epoch > std::numeric_limits<int>::max())
            return refuse(ApiReply::error(400, QStringLiteral("progress: epoch must be a whole number from 0")));
        if (const QString problem = StoredText::stepError(step, QStringLiteral("progress: step")); !problem.isEmpty())
            return refuse(ApiReply::error(400, problem));
        update.apply = [this, id, epoch, step, testError](QString* e) {
            return m_store.reportProgress(id, static_cast<int>(epoch), step, testError, e);
        };
        update.alert = [this, id, testError] {
            if (m_alerts && testError)
                m_alerts->testError(id, *testError);
        };
    }
    return update;
}

ApiReply RegistryApi::writeRun(const QString& id, const QString& leaf, const ApiRequest& request)
{
    static const QStringList kPut{QStringLiteral("description"), QStringLiteral("device"),
                                  QStringLiteral("memo"),        QStringLiteral("labels"),
                                  QStringLiteral("colour"),      QStringLiteral("final_metrics"),
                                  QStringLiteral("checkpoints")};
    static const QStringList kPost{QStringLiteral("status"), QStringLiteral("progress"), QStringLiteral("heartbeat"),
                                   QStringLiteral("scalars"), QStringLiteral("labels")};
    // Only PUT and POST write, each its own leaves (a PATCH of a status was taken for a POST).
    const QStringList* takes = request.method == "PUT" ? &kPut : request.method == "POST" ? &kPost : nullptr;
    if (!takes || !takes->contains(leaf)) {
        const bool elsewhere = kPut.contains(leaf) || kPost.contains(leaf) || runReads().contains(leaf);
        return ApiReply::error(
            elsewhere ? 405 : 404,
            elsewhere ? QStringLiteral("%1 does not take %2").arg(request.path, QString::fromLatin1(request.method))
                      : QStringLiteral("no such endpoint %1").arg(request.path));
    }
    if (leaf == QLatin1String("scalars")) // the service stores these on its ingest thread (scalarsRun)
        return ApiReply::error(500, QStringLiteral("scalars: this service has no ingest thread"));
    ApiReply reply;
    const auto body = jsonBody(request, &reply);
    if (!body)
        return reply;
    const std::optional<RunUpdate> update = runUpdate(id, leaf, *body, &reply);
    if (!update)
        return reply;
    QString error;
    if (!request.journalSequence) {
        if (!update->apply(&error))
            return storeFailure(m_store.lastFailure(), error);
    } else {
        const auto applied = m_store.applyJournalReport(id, *request.journalSequence, update->apply, &error);
        if (applied == RegistryStore::Applied::Failed)
            return storeFailure(m_store.lastFailure(), error);
        if (applied == RegistryStore::Applied::AlreadyNewer) // a copy sent again, or overtaken: done already
            return ApiReply::json({{QStringLiteral("ok"), true}, {QStringLiteral("applied"), false}});
    }
    m_feed.touch(id);
    if (update->alert)
        update->alert();
    QJsonObject answer = *update->answer;
    answer.insert(QStringLiteral("ok"), true);
    return ApiReply::json(answer);
}

} // namespace jikken
