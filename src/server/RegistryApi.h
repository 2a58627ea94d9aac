#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QUrlQuery>

#include "ids/ModelId.h"
#include "registry/RegistryClient.h"
#include "series/Downsampling.h"
#include "series/ScalarSeries.h"

#include <optional>

#include <functional>
#include <memory>

namespace jikken {

class ChangeFeed;
class RunAlerts;
class RegistryStore;
class RunQueue;
class SeriesCache;

/// One request to the registry's JSON API, after transport and authentication.
struct ApiRequest
{
    QByteArray method; ///< GET, POST, PUT, …
    QString path;      ///< decoded, e.g. /api/v1/runs/20190705_01_focalloss/memo
    QUrlQuery query;
    QByteArray body;
    QByteArray contentType;
    /// A journal report's number (the Jikken-Journal-Sequence header): applied at most once, never after a
    /// later one (RegistryStore::applyJournalReport).
    std::optional<qint64> journalSequence;
};

struct ApiReply
{
    int status = 200;
    QByteArray body;
    QByteArray contentType = "application/json";
    /// Set for a reply whose body takes long to write (every point of a large series): the service writes it
    /// away from its event loop, so no other request waits on it. Thread-safe: it holds copies of what it
    /// writes.
    std::function<ApiReply()> later;
    /// Set by `later` on the reply it writes: run on the event loop when that reply is sent (what it read
    /// from the database goes into the series cache).
    std::function<void()> thenOnLoop;

    static ApiReply json(const QJsonObject& object, int status = 200);
    /// `{"error": message}`: one line that says what was wrong with the request.
    static ApiReply error(int status, const QString& message);
    /// 503: the registry's database has gone away (the client sends it again shortly).
    static ApiReply databaseAway();
};

/// Limits on what one request may ask of the service.
struct ApiLimits
{
    int maxPointsPerBatch = 2'000'000;
    int maxRunsPerPage = 1000;
    int maxSeriesPoints = 100'000;
    int maxTagsPerRequest = 1000; ///< distinct tags one series request may ask for
    int maxImportRuns = 100'000;
    /// The most points one reply holds (every point of several tags, or of a run's history): about 80 MB of
    /// JSON. The service writes at most two such replies at once, so this bounds their memory.
    qint64 maxReplyPoints = 2'000'000;
};

/// The registry's HTTP API, version 1, on a store: routes a request, checks its body strictly, calls the
/// store and tells the change feed and series cache what changed. Knows nothing of sockets or tokens.
class RegistryApi
{
public:
    RegistryApi(RegistryStore& store, ChangeFeed& feed, SeriesCache& cache, ApiLimits limits = {});
    ~RegistryApi();

    ApiReply handle(const ApiRequest& request);
    /// Where applied status and progress reports are told (finished, failed, a test error gone NaN).
    void setAlerts(RunAlerts* alerts) { m_alerts = alerts; }
    /// A registry connection of the calling thread (one of the service's writers, away from the event loop),
    /// null when the database cannot be opened: large reads that miss the series cache load through it, so
    /// no request waits on another's read. Without one they load on the event loop. `reopen`: the thread's
    /// connection was lost (the database went away): a new one, next time.
    using WorkerStore = std::function<RegistryStore*(bool reopen)>;
    void setWorkerStore(WorkerStore store) { m_workerStore = std::move(store); }
    /// Checks a POST /api/v1/reserve body; the method, or the reply that refuses it.
    static std::optional<QString> reserveMethod(const ApiRequest& request, ApiReply* refusal);
    /// The answer to a reservation: the ID, or why there is none.
    static ApiReply reserved(const std::optional<ModelId>& id, RegistryFailure failure, const QString& error);
    /// Whether the request changes the registry (needs a write token).
    static bool isWrite(const QByteArray& method) { return method != "GET" && method != "HEAD"; }
    /// The run a POST /api/v1/runs/ID/scalars stores points for (a well-formed ID); std::nullopt for any other
    /// request. The service stores these on its ingest thread (ScalarIngest), not through `handle`.
    static std::optional<QString> scalarsRun(const ApiRequest& request);
    /// A scalars body (protobuf ScalarSeriesBatch, or JSON `{"points": […]}`) as series by tag; the reply
    /// that refuses it when it is malformed or holds more than `maxPoints` points.
    static std::optional<QVector<TaggedSeries>> decodeScalars(const ApiRequest& request, qint64 maxPoints,
                                                              ApiReply* refusal);
    static ApiReply scalarsStored(const QVector<TaggedSeries>& batch);
    /// A store's failure as a reply: 404 for an unknown run, 400 for a refused request, 409 for a day whose
    /// IDs are all handed out, 503 while the database is away, 500 otherwise.
    static ApiReply storeFailure(RegistryFailure failure, const QString& error);

private:
    /// `GET /api/v1/alerts`: the latest finished, failed, lost and diverged runs, newest first.
    ApiReply alerts();
    ApiReply info();
    ApiReply listRuns(const QUrlQuery& query);
    ApiReply importRuns(const QJsonObject& body);
    ApiReply runRequest(const ApiRequest& request, const QString& id, const QString& leaf);
    /// `/api/v1/queue` and `/api/v1/queue/<verb>` (RegistryApiQueue.cpp): the run queue.
    ApiReply queueRequest(const ApiRequest& request, const QString& verb);
    /// What a GET of a run's leaf answers ("": the run's record), by leaf: the leaves that are read.
    using RunRead = std::function<ApiReply(RegistryApi& api, const QString& id, const QUrlQuery& query)>;
    static const QHash<QString, RunRead>& runReads();
    ApiReply writeRun(const QString& id, const QString& leaf, const ApiRequest& request);
    /// A write's change to a run, checked and ready to make.
    struct RunUpdate
    {
        std::function<bool(QString*)> apply; ///< makes it in the store
        std::function<void()> alert;         ///< tells the alerts of it, once made (none: nothing to tell)
        /// What the reply says besides "ok" (the labels an edit left), filled in by `apply`.
        std::shared_ptr<QJsonObject> answer = std::make_shared<QJsonObject>();
    };
    /// The change a write of `body` to `leaf` (memo, status, progress, …) asks of run `id`; nothing, with
    /// `reply` saying why, when the body is not one.
    std::optional<RunUpdate> runUpdate(const QString& id, const QString& leaf, const QJsonObject& body,
                                       ApiReply* reply);
    ApiReply scalars(const QString& id, const QUrlQuery& query);
    ApiReply series(const QString& id, const QUrlQuery& query);
    ApiReply record(const QString& id);
    ApiReply tags(const QString& id);
    ApiReply history(const QString& id);
    /// How a points reply shows each series: all of it (`points` 0) or reduced, and from which step on.
    struct Shaping
    {
        int points = 0;
        Downsampling::Method method = Downsampling::Method::Lttb;
        std::optional<qint64> after;
    };
    /// What a writer's read that failed answers (and its connection reopened next time, if it was lost).
    static ApiReply workerFailure(const WorkerStore& workerStore, RegistryStore* store, const QString& error);
    /// The tags a points request names (`tags=a,b`, `tag=NAME` repeatable), each once; none past the limit.
    std::optional<QStringList> namedTags(const QUrlQuery& query, const char* what, ApiReply* refusal) const;
    /// `points`, `method` and `after` of a points request.
    std::optional<Shaping> shapingOf(const QUrlQuery& query, const char* what, ApiReply* refusal) const;
    /// `GET /api/v1/histories?ids=A,B,…`: several runs' records, tags and points in one reply (what the
    /// desktop reads for many runs at once over a slow link).
    ApiReply histories(const QUrlQuery& query);
    /// One run's part of a points reply: its head (`"run": …`), and each tag's series, the cache's when it
    /// holds it.
    struct WantedSeries
    {
        QString tag;
        std::optional<ScalarSeries> cached;
    };
    struct RunPoints
    {
        QByteArray head;
        QString id;
        QVector<WantedSeries> wanted;
        quint64 writesThen; ///< the cache's count of the run's writes when asked
    };
    std::optional<RunPoints> runPoints(QByteArray head, const QString& id, const QStringList& tags, ApiReply* refusal);
    /// `open`, then `{<head>, "series": [...]}` of each run (comma-separated), then `close`, written off the
    /// event loop, the series the cache lacks loaded there (and handed to the cache afterwards); 413 past
    /// maxReplyPoints in all.
    ApiReply pointsReply(QVector<RunPoints> runs, Shaping shaping, QByteArray open, QByteArray close);

    RegistryStore& m_store;
    WorkerStore m_workerStore;
    RunAlerts* m_alerts = nullptr;
    ChangeFeed& m_feed;
    SeriesCache& m_cache;
    ApiLimits m_limits;
    std::unique_ptr<RunQueue> m_queue; ///< made at the first queue request
};

} // namespace jikken
