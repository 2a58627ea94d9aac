// HttpRegistryClient's run queue: `/api/v1/queue/…` of a `jikken serve` service (docs/api.md). Each run is
// queued in steps that are safe to send again — a reservation under its idempotency key, its description,
// its memo, then `queue/add`, which a run queued already with the same spec answers "ok" — so a request
// whose answer was lost and is sent again queues nothing twice.
#include "HttpRegistryClient.h"

#include <QJsonArray>

namespace jikken {

std::optional<QStringList> HttpRegistryClient::idsOf(const std::optional<QJsonObject>& reply, QString* error)
{
    if (!reply)
        return std::nullopt;
    QStringList ids;
    for (const QJsonValue& id : reply->value(QStringLiteral("ids")).toArray()) {
        if (!ModelId::parse(id.toString())) {
            malformed(error, QStringLiteral("registry %1 answered a malformed ID in a queue reply").arg(location()));
            return std::nullopt;
        }
        ids << id.toString();
    }
    return ids;
}

std::optional<QStringList> HttpRegistryClient::enqueue(const QVector<RunToQueue>& runs, const QueueRequest& request,
                                                       QString* error)
{
    if (const QString problem = request.problem(); !problem.isEmpty()) {
        m_failure = RegistryFailure::Refused;
        *error = problem;
        return std::nullopt;
    }
    QStringList queued;
    for (const RunToQueue& run : runs) {
        const auto id = reserve(run.method, error);
        if (!id)
            return std::nullopt;
        const QString name = id->toString();
        QString why;
        if (!describe(name, run.description, &why) || (!run.memo.isEmpty() && !setMemo(name, run.memo, &why)) ||
            !post(QStringLiteral("/api/v1/queue/add"),
                  {{QStringLiteral("id"), name},
                   {QStringLiteral("spec"), run.spec},
                   {QStringLiteral("request"), QueueWire::toJson(request)}},
                  &why)) {
            *error = QStringLiteral("%1: %2").arg(name, why);
            return std::nullopt;
        }
        queued << name;
    }
    return queued;
}

std::optional<std::optional<QueuedRun>> HttpRegistryClient::claim(const QString& agent, const QString& host,
                                                                  int freeGpus, const QStringList& holding,
                                                                  QString* error)
{
    const auto reply = sendJson("POST", QStringLiteral("/api/v1/queue/claim"),
                                {{QStringLiteral("agent"), agent},
                                 {QStringLiteral("host"), host},
                                 {QStringLiteral("free_gpus"), freeGpus},
                                 {QStringLiteral("holding"), QJsonArray::fromStringList(holding)}},
                                error);
    if (!reply)
        return std::nullopt;
    const QJsonValue run = reply->value(QStringLiteral("run"));
    if (run.isNull() || run.isUndefined())
        return std::optional<QueuedRun>();
    auto taken = QueueWire::queuedRunFromJson(run.toObject(), error);
    if (!taken) {
        malformed(error, QStringLiteral("registry %1 answered a claim this client cannot read: %2")
                             .arg(location(), error ? *error : QString()));
        return std::nullopt;
    }
    return std::optional<QueuedRun>(*taken);
}

std::optional<QStringList> HttpRegistryClient::releaseRunsOf(const QString& agent, const QStringList& alive,
                                                             QString* error)
{
    return idsOf(
        sendJson("POST", QStringLiteral("/api/v1/queue/release"),
                 {{QStringLiteral("agent"), agent}, {QStringLiteral("alive"), QJsonArray::fromStringList(alive)}},
                 error),
        error);
}

std::optional<QVector<QueuedRun>> HttpRegistryClient::list(QString* error)
{
    return listOf(QStringLiteral("/api/v1/queue"), "runs", QueueWire::queuedRunFromJson, error);
}

bool HttpRegistryClient::cancel(const ModelId& id, QString* error)
{
    return post(QStringLiteral("/api/v1/queue/cancel"), {{QStringLiteral("id"), id.toString()}}, error);
}

bool HttpRegistryClient::setPriority(const ModelId& id, int priority, QString* error)
{
    return post(QStringLiteral("/api/v1/queue/priority"),
                {{QStringLiteral("id"), id.toString()}, {QStringLiteral("priority"), priority}}, error);
}

bool HttpRegistryClient::retry(const ModelId& id, QString* error)
{
    return post(QStringLiteral("/api/v1/queue/retry"), {{QStringLiteral("id"), id.toString()}}, error);
}

std::optional<QStringList> HttpRegistryClient::retrySweep(const QString& sweep, bool failedOnly, QString* error)
{
    return idsOf(sendJson("POST", QStringLiteral("/api/v1/queue/retry"),
                          {{QStringLiteral("sweep"), sweep}, {QStringLiteral("failed_only"), failedOnly}}, error),
                 error);
}

std::optional<QVector<SweepSummary>> HttpRegistryClient::sweeps(QString* error)
{
    return listOf(QStringLiteral("/api/v1/queue/sweeps"), "sweeps", QueueWire::sweepFromJson, error);
}

} // namespace jikken
