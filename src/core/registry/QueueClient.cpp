#include "QueueClient.h"

#include "RegistryWire.h"

#include <QJsonArray>

#include <algorithm>

namespace jikken {

QString QueueRequest::problem() const
{
    for (const QString& host : hosts) {
        if (host.isEmpty() || host.contains(u',') || host.size() > 255 ||
            std::any_of(host.begin(), host.end(),
                        [](QChar c) { return c.isSpace() || c.category() == QChar::Other_Control; }))
            return QStringLiteral("a host is a name without commas or spaces, not \"%1\"").arg(host);
    }
    if (gpus < 0 || gpus > 64)
        return QStringLiteral("gpus is 0 to 64, not %1").arg(gpus);
    if (retries < 0 || retries > 100)
        return QStringLiteral("retries is 0 to 100, not %1").arg(retries);
    if (sweep.size() > 128 || sweep.contains(u'\n'))
        return QStringLiteral("a sweep's name is one line of at most 128 characters");
    return {};
}

namespace {

/// Whether the queue takes `a` before `b`.
bool takenBefore(const QueuedRun& a, int aPriority, const QueuedRun& b, int bPriority)
{
    if (aPriority != bPriority)
        return aPriority > bPriority;
    if (a.queuedAt != b.queuedAt)
        return a.queuedAt < b.queuedAt;
    return a.id.toString() < b.id.toString();
}

} // namespace

QVector<QPair<ModelId, int>> prioritiesFor(const QVector<QueuedRun>& order, int moved)
{
    if (moved < 0 || moved >= order.size() || order.size() < 2)
        return {};
    const QueuedRun& run = order[moved];
    const QueuedRun* above = moved > 0 ? &order[moved - 1] : nullptr;
    const QueuedRun* below = moved + 1 < order.size() ? &order[moved + 1] : nullptr;
    const auto fits = [&](int priority) {
        return (!above || takenBefore(*above, above->request.priority, run, priority)) &&
               (!below || takenBefore(run, priority, *below, below->request.priority));
    };
    // Its own priority if that already places it; else one just past a neighbour's, else a neighbour's (a
    // tie the ages settle).
    QVector<int> candidates{run.request.priority};
    if (below)
        candidates << below->request.priority + 1;
    if (above)
        candidates << above->request.priority - 1 << above->request.priority;
    if (below)
        candidates << below->request.priority;
    for (int priority : std::as_const(candidates)) {
        if (fits(priority))
            return priority == run.request.priority ? QVector<QPair<ModelId, int>>()
                                                    : QVector<QPair<ModelId, int>>{{run.id, priority}};
    }
    QVector<QPair<ModelId, int>> changed;
    for (qsizetype i = 0; i < order.size(); ++i) {
        const int priority = static_cast<int>(order.size() - i);
        if (order[i].request.priority != priority)
            changed.append({order[i].id, priority});
    }
    return changed;
}

namespace QueueWire {

QJsonObject toJson(const QueueRequest& request)
{
    return {{QStringLiteral("hosts"), QJsonArray::fromStringList(request.hosts)},
            {QStringLiteral("gpus"), request.gpus},
            {QStringLiteral("priority"), request.priority},
            {QStringLiteral("retries"), request.retries},
            {QStringLiteral("sweep"), request.sweep}};
}

std::optional<QueueRequest> requestFromJson(const QJsonObject& json, const QString& context, QString* error)
{
    RegistryWire::JsonFields fields(json, context);
    QueueRequest request;
    qint64 gpus = 0;
    qint64 priority = 0;
    qint64 retries = 0;
    fields.strings("hosts", &request.hosts);
    fields.integer("gpus", &gpus);
    fields.integer("priority", &priority);
    fields.integer("retries", &retries);
    fields.string("sweep", &request.sweep);
    if (!fields.noOthers()) {
        *error = fields.error();
        return std::nullopt;
    }
    if (std::abs(priority) > 1'000'000) {
        *error = QStringLiteral("%1: priority is -1000000 to 1000000, not %2").arg(context).arg(priority);
        return std::nullopt;
    }
    // Out of int's range is refused by problem() as out of the fields' own ranges.
    request.gpus = static_cast<int>(std::clamp<qint64>(gpus, -1, 65));
    request.priority = static_cast<int>(priority);
    request.retries = static_cast<int>(std::clamp<qint64>(retries, -1, 101));
    if (const QString problem = request.problem(); !problem.isEmpty()) {
        *error = QStringLiteral("%1: %2").arg(context, problem);
        return std::nullopt;
    }
    return request;
}

QJsonObject toJson(const QueuedRun& run)
{
    return {{QStringLiteral("id"), run.id.toString()},
            {QStringLiteral("spec"), run.spec},
            {QStringLiteral("request"), toJson(run.request)},
            {QStringLiteral("attempts"), run.attempts},
            {QStringLiteral("agent"), run.agent},
            {QStringLiteral("host"), run.host},
            {QStringLiteral("queued_at"), run.queuedAt},
            {QStringLiteral("status"), toString(run.status)}};
}

QJsonObject toJson(const SweepSummary& sweep)
{
    QJsonObject json{{QStringLiteral("name"), sweep.name},
                     {QStringLiteral("points"), sweep.points},
                     {QStringLiteral("finished"), sweep.finished},
                     {QStringLiteral("running"), sweep.running},
                     {QStringLiteral("queued"), sweep.queued},
                     {QStringLiteral("failed"), sweep.failed},
                     {QStringLiteral("other"), sweep.other},
                     {QStringLiteral("best_run"), sweep.bestRun},
                     {QStringLiteral("runs"), QJsonArray::fromStringList(sweep.runs)}};
    json.insert(QStringLiteral("best_test_error"),
                sweep.bestTestError ? QJsonValue(*sweep.bestTestError) : QJsonValue(QJsonValue::Null));
    return json;
}

std::optional<SweepSummary> sweepFromJson(const QJsonObject& json, QString* error)
{
    RegistryWire::JsonFields fields(json, QStringLiteral("sweep"));
    SweepSummary sweep;
    qint64 counts[6] = {};
    fields.string("name", &sweep.name, true);
    const char* names[] = {"points", "finished", "running", "queued", "failed", "other"};
    for (int i = 0; i < 6; ++i)
        fields.integer(names[i], &counts[i]);
    fields.string("best_run", &sweep.bestRun);
    fields.strings("runs", &sweep.runs);
    fields.optionalNumber("best_test_error", &sweep.bestTestError);
    if (!fields.noOthers()) {
        *error = fields.error();
        return std::nullopt;
    }
    int* into[] = {&sweep.points, &sweep.finished, &sweep.running, &sweep.queued, &sweep.failed, &sweep.other};
    for (int i = 0; i < 6; ++i)
        *into[i] = static_cast<int>(std::clamp<qint64>(counts[i], 0, 1'000'000'000));
    return sweep;
}

std::optional<QueuedRun> queuedRunFromJson(const QJsonObject& json, QString* error)
{
    RegistryWire::JsonFields fields(json, QStringLiteral("queued run"));
    QString id;
    QJsonObject request;
    qint64 attempts = 0;
    QString status;
    QueuedRun run;
    fields.string("id", &id, true);
    fields.object("spec", &run.spec);
    fields.object("request", &request);
    fields.integer("attempts", &attempts);
    fields.string("agent", &run.agent);
    fields.string("host", &run.host);
    fields.integer("queued_at", &run.queuedAt);
    fields.string("status", &status, true);
    if (!fields.noOthers()) {
        *error = fields.error();
        return std::nullopt;
    }
    const auto parsed = ModelId::parse(id, error);
    const auto asked = requestFromJson(request, QStringLiteral("queued run's request"), error);
    const auto known = runStatusFromString(status);
    if (!parsed || !asked)
        return std::nullopt;
    if (!known) {
        *error = QStringLiteral("queued run: unknown status \"%1\"").arg(status);
        return std::nullopt;
    }
    run.id = *parsed;
    run.request = *asked;
    run.attempts = static_cast<int>(attempts);
    run.status = *known;
    return run;
}

} // namespace QueueWire

} // namespace jikken
