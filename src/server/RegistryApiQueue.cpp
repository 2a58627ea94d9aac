// The registry API's run queue (docs/api.md): `GET /api/v1/queue`, and `POST /api/v1/queue/<verb>` for add,
// claim, release, cancel and retry, each a JSON body read strictly. The queue is the registry's own
// (RunQueue, in its database); what each call changed is told to the change feed.
#include "RegistryApi.h"

#include "ApiInput.h"
#include "ChangeFeed.h"
#include "registry/RegistryWire.h"
#include "registry/RunQueue.h"

#include <QJsonArray>

namespace jikken {

namespace {

/// An agent's or host's name as the queue keeps it: one short line.
bool nameOk(const QString& name)
{
    return !name.isEmpty() && name.size() <= 255 &&
           std::none_of(name.begin(), name.end(), [](QChar c) { return c.category() == QChar::Other_Control; });
}

QJsonObject idsReply(const QStringList& ids)
{
    return {{QStringLiteral("ok"), true}, {QStringLiteral("ids"), QJsonArray::fromStringList(ids)}};
}

/// `{"<key>": [item…]}`, or the failure's reply when there is no list.
template <typename T, typename Failure>
ApiReply listReply(const char* key, const std::optional<QVector<T>>& items, const Failure& failure)
{
    if (!items)
        return failure();
    QJsonArray listed;
    for (const T& item : *items)
        listed.append(QueueWire::toJson(item));
    return ApiReply::json({{QLatin1String(key), listed}});
}

} // namespace

ApiReply RegistryApi::queueRequest(const ApiRequest& request, const QString& verb)
{
    static const QStringList kVerbs{QStringLiteral("add"),    QStringLiteral("claim"), QStringLiteral("release"),
                                    QStringLiteral("cancel"), QStringLiteral("retry"), QStringLiteral("priority")};
    if (!m_queue)
        m_queue = std::make_unique<RunQueue>(m_store);
    RunQueue& queue = *m_queue;
    QString error;
    const auto failure = [&queue, &error] { return storeFailure(queue.lastFailure(), error); };
    if (verb.isEmpty() || verb == QLatin1String("sweeps")) {
        if (request.method != "GET")
            return ApiReply::error(
                405, QStringLiteral("%1 does not take %2").arg(request.path, QString::fromLatin1(request.method)));
        return verb.isEmpty() ? listReply("runs", queue.list(&error), failure)
                              : listReply("sweeps", queue.sweeps(&error), failure);
    }
    if (!kVerbs.contains(verb))
        return ApiReply::error(404, QStringLiteral("no such endpoint %1").arg(request.path));
    if (request.method != "POST")
        return ApiReply::error(
            405, QStringLiteral("%1 does not take %2").arg(request.path, QString::fromLatin1(request.method)));
    ApiReply reply;
    const auto body = ApiInput::jsonBody(request, &reply);
    if (!body)
        return reply;
    RegistryWire::JsonFields fields(*body, QStringLiteral("queue ") + verb);
    const auto refuse = [&fields] { return ApiReply::error(400, fields.error()); };
    QString idText;
    std::optional<ModelId> id;
    const auto readId = [&](bool required) {
        if (!fields.string("id", &idText, required))
            return fields.ok();
        id = ModelId::parse(idText, &error);
        return id.has_value();
    };

    if (verb == QLatin1String("add")) {
        QJsonObject spec;
        QJsonObject asked;
        fields.object("spec", &spec);
        fields.object("request", &asked);
        if (!readId(true))
            return fields.ok() ? ApiReply::error(400, error) : refuse();
        if (!fields.noOthers())
            return refuse();
        const auto queued = QueueWire::requestFromJson(asked, QStringLiteral("queue add: request"), &error);
        if (!queued)
            return ApiReply::error(400, error);
        if (!queue.add(*id, spec, *queued, &error))
            return failure();
        m_feed.touch(id->toString());
        return ApiReply::json({{QStringLiteral("ok"), true}});
    }
    if (verb == QLatin1String("claim")) {
        QString agent;
        QString host;
        qint64 freeGpus = 0;
        QStringList holding;
        fields.string("agent", &agent, true);
        fields.string("host", &host, true);
        fields.integer("free_gpus", &freeGpus);
        fields.strings("holding", &holding);
        if (!fields.noOthers())
            return refuse();
        if (!nameOk(agent) || !nameOk(host) || freeGpus < 0 || freeGpus > 64 || holding.size() > 1024)
            return ApiReply::error(400, QStringLiteral("queue claim: agent and host are names of one line; free_gpus "
                                                       "is 0 to 64; holding names at most 1024 runs"));
        const auto claimed = queue.claim(agent, host, static_cast<int>(freeGpus), holding, &error);
        if (!claimed)
            return failure();
        if (*claimed)
            m_feed.touch((*claimed)->id.toString());
        return ApiReply::json({{QStringLiteral("run"),
                                *claimed ? QJsonValue(QueueWire::toJson(**claimed)) : QJsonValue(QJsonValue::Null)}});
    }
    if (verb == QLatin1String("release")) {
        QString agent;
        QStringList alive;
        fields.string("agent", &agent, true);
        fields.strings("alive", &alive);
        if (!fields.noOthers())
            return refuse();
        if (!nameOk(agent) || alive.size() > 1024)
            return ApiReply::error(400, QStringLiteral("queue release: agent is a name of one line; alive names at "
                                                       "most 1024 runs"));
        const auto held = queue.list(&error); // those it marks lost change too, not only those it requeues
        const auto released = held ? queue.releaseRunsOf(agent, alive, &error) : std::nullopt;
        if (!released)
            return failure();
        for (const QueuedRun& run : *held) {
            if (run.agent == agent)
                m_feed.touch(run.id.toString());
        }
        for (const QString& run : *released)
            m_feed.touch(run);
        return ApiReply::json(idsReply(*released));
    }
    if (verb == QLatin1String("priority")) {
        qint64 priority = 0;
        fields.integer("priority", &priority, true);
        if (!readId(true))
            return fields.ok() ? ApiReply::error(400, error) : refuse();
        if (!fields.noOthers())
            return refuse();
        if (!queue.setPriority(*id, static_cast<int>(std::clamp<qint64>(priority, -2'000'000, 2'000'000)), &error))
            return failure();
        m_feed.touch(id->toString());
        return ApiReply::json({{QStringLiteral("ok"), true}});
    }
    if (verb == QLatin1String("cancel")) {
        if (!readId(true))
            return fields.ok() ? ApiReply::error(400, error) : refuse();
        if (!fields.noOthers())
            return refuse();
        if (!queue.cancel(*id, &error))
            return failure();
        m_feed.touch(id->toString());
        return ApiReply::json({{QStringLiteral("ok"), true}});
    }
    // retry: one run by its ID, or the points of a sweep.
    QString sweep;
    bool failedOnly = false;
    const bool named = fields.string("sweep", &sweep);
    fields.boolean("failed_only", &failedOnly);
    if (!readId(false))
        return fields.ok() ? ApiReply::error(400, error) : refuse();
    if (!fields.noOthers())
        return refuse();
    if (named == id.has_value())
        return ApiReply::error(400, QStringLiteral("queue retry: give either \"id\" or \"sweep\""));
    if (id) {
        if (!queue.retry(*id, &error))
            return failure();
        m_feed.touch(id->toString());
        return ApiReply::json({{QStringLiteral("ok"), true}});
    }
    const auto requeued = queue.retrySweep(sweep, failedOnly, &error);
    if (!requeued)
        return failure();
    for (const QString& run : *requeued)
        m_feed.touch(run);
    return ApiReply::json(idsReply(*requeued));
}

} // namespace jikken
