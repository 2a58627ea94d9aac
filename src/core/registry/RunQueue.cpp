#include "RunQueue.h"

#include "HttpRegistryClient.h"
#include "RegistryStore.h"
#include "SqlTransaction.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

namespace jikken {

namespace {

const QString kColumns =
    QStringLiteral("q.run_id, q.spec, q.hosts, q.gpus, q.priority, q.retries, q.attempts, q.sweep, "
                   "q.queued_at, q.agent, q.host, r.status");

/// A queue row's run is waiting (not cancelled, not started by hand): looked up by its key for each waiting
/// row, as a join let PostgreSQL's planner, misled by a new table's statistics, scan the runs once per row.
const QString kWaitingRun = QStringLiteral("(SELECT r.status FROM runs r WHERE r.id = q.run_id) = 'queued'");

/// A queue row an agent with `?` free GPUs on host `?` (a LIKE pattern, hostPattern) may take.
const QString kFitsWaiting = QStringLiteral("q.agent = '' AND %1 AND q.gpus <= ? AND (q.hosts = '' OR q.hosts LIKE ? "
                                            "ESCAPE '\\')")
                                 .arg(kWaitingRun);
/// A run an agent took whose attempt was lost, with retries left (the FROM has runs r and run_queue q).
const QString kLostWithRetries = QStringLiteral("r.status = 'lost' AND q.agent <> '' AND q.attempts <= q.retries");

/// The statuses a run is queued again from by hand: it ended without finishing.
const QString kEnded = QStringLiteral("'failed', 'lost', 'stopped', 'diverged'");

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

/// `hosts` as stored: ",gpu1,gpu2," (empty: any), so that one LIKE finds a host among them.
QString storedHosts(const QStringList& hosts)
{
    return hosts.isEmpty() ? QStringLiteral("") : u',' + hosts.join(u',') + u','; // "", not NULL
}

/// A LIKE pattern that matches `,host,` literally (a host's `_` or `%` is no wildcard).
QString hostPattern(const QString& host)
{
    QString escaped = host;
    escaped.replace(u'\\', QStringLiteral("\\\\"))
        .replace(u'%', QStringLiteral("\\%"))
        .replace(u'_', QStringLiteral("\\_"));
    return QStringLiteral("%,") + escaped + QStringLiteral(",%");
}

} // namespace

RunQueue::RunQueue(RegistryStore& store) : m_store(store), m_db(store.database()) {}

bool RunQueue::fail(RegistryFailure kind, const QString& message, QString* error)
{
    m_failure = kind;
    if (error)
        *error = message;
    return false;
}

bool RunQueue::failed(QString* error, const QSqlQuery& query)
{
    return fail(RegistryFailure::ServiceError, QStringLiteral("registry queue: %1").arg(query.lastError().text()),
                error);
}

bool RunQueue::postgresql() const
{
    return m_db.driverName() == QLatin1String("QPSQL");
}

bool RunQueue::add(const ModelId& id, const QJsonObject& spec, const QueueRequest& request, QString* error)
{
    if (const QString problem = request.problem(); !problem.isEmpty())
        return fail(RegistryFailure::Refused, problem, error);
    SqlTransaction transaction(m_db);
    if (!transaction.begin(error))
        return false;
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("UPDATE runs SET status = 'queued', status_reason = '' WHERE id = ? AND status = "
                                 "'reserved'"));
    query.addBindValue(id.toString());
    if (!query.exec())
        return failed(error, query);
    if (query.numRowsAffected() != 1) {
        query.prepare(QStringLiteral("SELECT spec FROM run_queue WHERE run_id = ?"));
        query.addBindValue(id.toString());
        if (!query.exec())
            return failed(error, query);
        // Queued already with this spec: the same request sent again (its answer was lost).
        if (query.next() && QJsonDocument::fromJson(query.value(0).toString().toUtf8()).object() == spec)
            return true;
        return fail(RegistryFailure::Conflict,
                    QStringLiteral("%1 is not a reserved run: only a run reserved and not started is queued")
                        .arg(id.toString()),
                    error);
    }
    query.prepare(QStringLiteral("INSERT INTO run_queue (run_id, spec, hosts, gpus, priority, retries, sweep, "
                                 "queued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    query.addBindValue(id.toString());
    query.addBindValue(QString::fromUtf8(QJsonDocument(spec).toJson(QJsonDocument::Compact)));
    query.addBindValue(storedHosts(request.hosts));
    query.addBindValue(request.gpus);
    query.addBindValue(request.priority);
    query.addBindValue(request.retries);
    query.addBindValue(request.sweep.isNull() ? QStringLiteral("") : request.sweep);
    query.addBindValue(nowMs());
    if (!query.exec())
        return failed(error, query);
    return transaction.commit(error);
}

std::optional<QStringList> RunQueue::enqueue(const QVector<RunToQueue>& runs, const QueueRequest& request,
                                             QString* error)
{
    if (const QString problem = request.problem(); !problem.isEmpty()) {
        fail(RegistryFailure::Refused, problem, error);
        return std::nullopt;
    }
    QStringList methods;
    for (const RunToQueue& run : runs)
        methods << run.method;
    const auto ids = m_store.reserve(methods, error); // in one transaction
    if (!ids) {
        m_failure = m_store.lastFailure();
        return std::nullopt;
    }
    QStringList queued;
    for (qsizetype i = 0; i < ids->size(); ++i) {
        const RunToQueue& run = runs[i];
        const QString id = ids->at(i).toString();
        QString why;
        if (!m_store.describe(id, run.description, &why) ||
            (!run.memo.isEmpty() && !m_store.setMemo(id, run.memo, &why))) {
            fail(m_store.lastFailure(), QStringLiteral("%1: %2").arg(id, why), error);
            return std::nullopt;
        }
        if (!add(ids->at(i), run.spec, request, &why)) {
            fail(m_failure, QStringLiteral("%1: %2").arg(id, why), error);
            return std::nullopt;
        }
        queued << id;
    }
    return queued;
}

std::optional<QStringList> RunQueue::requeue(const QStringList& ids, const QString& reason, const QString& from,
                                             QString* error)
{
    // The run's row first, only from the statuses given: a claim that got there first (another agent's, in
    // its own transaction) has changed it, and this one then leaves it be.
    QSqlQuery runs(m_db);
    runs.prepare(QStringLiteral("UPDATE runs SET status = 'queued', status_reason = ?, finished_at = NULL "
                                "WHERE id = ? AND status IN (%1)")
                     .arg(from));
    QSqlQuery queue(m_db);
    queue.prepare(QStringLiteral("UPDATE run_queue SET agent = '', host = '', claimed_at = NULL WHERE run_id = ?"));
    QStringList requeued;
    for (const QString& id : ids) {
        runs.addBindValue(reason);
        runs.addBindValue(id);
        if (!runs.exec()) {
            failed(error, runs);
            return std::nullopt;
        }
        if (runs.numRowsAffected() != 1)
            continue;
        queue.addBindValue(id);
        if (!queue.exec()) {
            failed(error, queue);
            return std::nullopt;
        }
        requeued << id;
    }
    return requeued;
}

std::optional<std::optional<QueuedRun>> RunQueue::stranded(const QString& agent, int freeGpus,
                                                           const QStringList& holding, QString* error)
{
    if (!m_stranded) { // prepared once, as m_look
        m_stranded.emplace(m_db);
        m_stranded->prepare(QStringLiteral("SELECT q.run_id FROM run_queue q WHERE q.agent = ? AND q.gpus <= ? AND %1")
                                .arg(kWaitingRun));
    }
    QSqlQuery& taken = *m_stranded;
    taken.bindValue(0, agent);
    taken.bindValue(1, freeGpus);
    if (!taken.exec()) {
        failed(error, taken);
        return std::nullopt;
    }
    QString unheld;
    while (unheld.isEmpty() && taken.next()) {
        if (!holding.contains(taken.value(0).toString()))
            unheld = taken.value(0).toString();
    }
    taken.finish();
    if (unheld.isEmpty())
        return std::optional<QueuedRun>();
    const auto run = select(QStringLiteral("q.run_id = ?"), {unheld}, error);
    if (!run)
        return std::nullopt;
    return run->isEmpty() ? std::optional<QueuedRun>() : std::optional<QueuedRun>(run->first());
}

std::optional<std::optional<QueuedRun>> RunQueue::claim(const QString& agent, const QString& host, int freeGpus,
                                                        const QStringList& holding, QString* error)
{
    // Most asks find nothing: a read says so without the write lock (SQLite's is the whole database's), and
    // what arrives just after it is found at the next ask.
    if (!m_look) { // prepared once: an agent asks every few seconds for days
        m_look.emplace(m_db);
        m_look->prepare(
            // Waiting runs that fit; else, in one pass over the runs of two statuses, a lost attempt with
            // retries or a run this agent took that has not started (see stranded).
            QStringLiteral("SELECT 1 FROM run_queue q WHERE %1 UNION ALL SELECT 1 FROM runs r JOIN run_queue q "
                           "ON q.run_id = r.id WHERE r.status IN ('lost', 'queued') AND ((%2) OR (r.status = "
                           "'queued' AND q.agent = ?)) LIMIT 1")
                .arg(kFitsWaiting, kLostWithRetries));
    }
    QSqlQuery& look = *m_look;
    look.bindValue(0, freeGpus);
    look.bindValue(1, hostPattern(host));
    look.bindValue(2, agent);
    if (!look.exec()) {
        failed(error, look);
        return std::nullopt;
    }
    const bool something = look.next();
    look.finish(); // no read left open (SQLite's would hold its snapshot)
    if (!something)
        return std::optional<QueuedRun>();
    // A claim whose answer never reached its agent (sent again over HTTP, or its reply lost) took a run the
    // agent does not know of: it is handed over now, before anything else, so it does not sit taken forever.
    const auto unanswered = stranded(agent, freeGpus, holding, error);
    if (!unanswered || *unanswered)
        return unanswered;
    SqlTransaction transaction(m_db);
    if (!transaction.begin(error))
        return std::nullopt;
    QSqlQuery query(m_db);
    // Lost attempts with retries left wait again (the first claim after the loss sees to it).
    if (!query.exec(QStringLiteral("SELECT q.run_id FROM run_queue q JOIN runs r ON r.id = q.run_id WHERE %1")
                        .arg(kLostWithRetries))) {
        failed(error, query);
        return std::nullopt;
    }
    QStringList lost;
    while (query.next())
        lost << query.value(0).toString();
    query.finish();
    if (!lost.isEmpty() &&
        !requeue(lost, QStringLiteral("queued again: its last attempt was lost"), QStringLiteral("'lost'"), error))
        return std::nullopt;
    query.prepare(QStringLiteral("SELECT q.run_id FROM run_queue q WHERE %1 ORDER BY q.priority DESC, q.queued_at, "
                                 "q.run_id LIMIT 1")
                      .arg(kFitsWaiting) +
                  (postgresql() ? QStringLiteral(" FOR UPDATE OF q SKIP LOCKED") : QString()));
    query.addBindValue(freeGpus);
    query.addBindValue(hostPattern(host));
    if (!query.exec()) {
        failed(error, query);
        return std::nullopt;
    }
    if (!query.next()) {
        query.finish();
        if (!transaction.commit(error)) // the requeued lost runs, if any
            return std::nullopt;
        return std::optional<QueuedRun>();
    }
    const QString id = query.value(0).toString();
    query.finish();
    query.prepare(QStringLiteral("UPDATE run_queue SET agent = ?, host = ?, claimed_at = ?, attempts = attempts + 1 "
                                 "WHERE run_id = ? AND agent = ''"));
    query.addBindValue(agent);
    query.addBindValue(host);
    query.addBindValue(nowMs());
    query.addBindValue(id);
    if (!query.exec()) {
        failed(error, query);
        return std::nullopt;
    }
    const auto taken = select(QStringLiteral("q.run_id = ?"), {id}, error);
    if (!taken || taken->size() != 1 || !transaction.commit(error))
        return std::nullopt;
    return std::optional<QueuedRun>(taken->first());
}

std::optional<QStringList> RunQueue::releaseRunsOf(const QString& agent, const QStringList& alive, QString* error)
{
    SqlTransaction transaction(m_db);
    if (!transaction.begin(error))
        return std::nullopt;
    const auto taken =
        select(QStringLiteral("q.agent = ? AND r.status IN ('queued', 'running', 'lost')"), {agent}, error);
    if (!taken)
        return std::nullopt;
    QStringList again;
    QSqlQuery lost(m_db);
    lost.prepare(QStringLiteral("UPDATE runs SET status = 'lost', status_reason = ? WHERE id = ?"));
    for (const QueuedRun& run : *taken) {
        if (alive.contains(run.id.toString()))
            continue;
        if (run.attempts <= run.request.retries) {
            again << run.id.toString();
            continue;
        }
        lost.addBindValue(
            QStringLiteral("its agent %1 stopped (attempt %2, no retries left)").arg(agent).arg(run.attempts));
        lost.addBindValue(run.id.toString());
        if (!lost.exec()) {
            failed(error, lost);
            return std::nullopt;
        }
    }
    const auto requeued = requeue(again, QStringLiteral("queued again: its agent %1 stopped").arg(agent),
                                  QStringLiteral("'queued', 'running', 'lost'"), error);
    if (!requeued || !transaction.commit(error))
        return std::nullopt;
    return requeued;
}

std::optional<QVector<QueuedRun>> RunQueue::list(QString* error)
{
    return select(QStringLiteral("r.status IN ('queued', 'running') ORDER BY q.agent = '', q.priority DESC, "
                                 "q.queued_at, q.run_id"),
                  {}, error);
}

bool RunQueue::cancel(const ModelId& id, QString* error)
{
    SqlTransaction transaction(m_db);
    if (!transaction.begin(error))
        return false;
    const auto waiting = select(QStringLiteral("q.run_id = ?"), {id.toString()}, error);
    if (!waiting)
        return false;
    if (waiting->isEmpty())
        return fail(RegistryFailure::UnknownRun, QStringLiteral("%1 was never queued").arg(id.toString()), error);
    const QueuedRun& run = waiting->first();
    const bool live = run.status == RunStatus::Queued || run.status == RunStatus::Running;
    if (!run.agent.isEmpty() && live)
        return fail(RegistryFailure::Conflict,
                    QStringLiteral("%1 was taken by agent %2 on %3 and is %4 there, not waiting in the queue")
                        .arg(id.toString(), run.agent, run.host, toString(run.status)),
                    error);
    if (run.status != RunStatus::Queued)
        return fail(RegistryFailure::Conflict,
                    QStringLiteral("%1 is %2, not waiting in the queue").arg(id.toString(), toString(run.status)),
                    error);
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("UPDATE runs SET status = 'stopped', status_reason = 'cancelled in the queue', "
                                 "finished_at = ? WHERE id = ?"));
    query.addBindValue(nowMs());
    query.addBindValue(id.toString());
    if (!query.exec())
        return failed(error, query);
    return transaction.commit(error);
}

bool RunQueue::retry(const ModelId& id, QString* error)
{
    SqlTransaction transaction(m_db);
    if (!transaction.begin(error))
        return false;
    const auto kept = select(QStringLiteral("q.run_id = ?"), {id.toString()}, error);
    if (!kept)
        return false;
    if (kept->isEmpty())
        return fail(
            RegistryFailure::UnknownRun,
            QStringLiteral("%1 was never queued: its spec is not kept (queue the spec again)").arg(id.toString()),
            error);
    const auto requeued = requeue({id.toString()}, QStringLiteral("queued again by hand"), kEnded, error);
    if (!requeued)
        return false;
    if (requeued->isEmpty())
        return fail(RegistryFailure::Conflict,
                    QStringLiteral("%1 is %2: only a failed, lost, stopped or diverged run is queued again")
                        .arg(id.toString(), toString(kept->first().status)),
                    error);
    return transaction.commit(error);
}

std::optional<QStringList> RunQueue::retrySweep(const QString& sweep, bool failedOnly, QString* error)
{
    SqlTransaction transaction(m_db);
    if (!transaction.begin(error))
        return std::nullopt;
    const auto points =
        select(failedOnly ? QStringLiteral("q.sweep = ? AND r.status IN ('failed', 'lost')")
                          : QStringLiteral("q.sweep = ? AND r.status IN ('failed', 'lost', 'stopped', 'diverged')"),
               {sweep}, error);
    if (!points)
        return std::nullopt;
    QStringList ids;
    for (const QueuedRun& point : *points)
        ids << point.id.toString();
    const auto requeued = requeue(ids, QStringLiteral("queued again with its sweep %1").arg(sweep), kEnded, error);
    if (!requeued || !transaction.commit(error))
        return std::nullopt;
    return requeued;
}

std::optional<QVector<SweepSummary>> RunQueue::sweeps(QString* error)
{
    // Every point of every sweep in one question, counted here: a sweep is tens to thousands of points.
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT q.sweep, q.run_id, r.status, r.best_test_error, q.queued_at FROM run_queue "
                                   "q JOIN runs r ON r.id = q.run_id WHERE q.sweep <> '' ORDER BY q.queued_at, "
                                   "q.run_id"))) {
        failed(error, query);
        return std::nullopt;
    }
    QVector<SweepSummary> sweeps;
    QHash<QString, qsizetype> byName;
    QHash<QString, qint64> newest;
    while (query.next()) {
        const QString name = query.value(0).toString();
        if (!byName.contains(name)) {
            byName.insert(name, sweeps.size());
            SweepSummary fresh;
            fresh.name = name;
            sweeps.append(fresh);
        }
        SweepSummary& sweep = sweeps[byName.value(name)];
        const QString id = query.value(1).toString();
        const auto status = runStatusFromString(query.value(2).toString()).value_or(RunStatus::Unknown);
        sweep.runs << id;
        ++sweep.points;
        ++(status == RunStatus::Finished                              ? sweep.finished
           : status == RunStatus::Running                             ? sweep.running
           : status == RunStatus::Queued                              ? sweep.queued
           : status == RunStatus::Failed || status == RunStatus::Lost ? sweep.failed
                                                                      : sweep.other);
        if (!query.value(3).isNull() && (!sweep.bestTestError || query.value(3).toDouble() < *sweep.bestTestError)) {
            sweep.bestTestError = query.value(3).toDouble();
            sweep.bestRun = id;
        }
        newest[name] = std::max(newest.value(name), query.value(4).toLongLong());
    }
    std::stable_sort(sweeps.begin(), sweeps.end(), [&newest](const SweepSummary& a, const SweepSummary& b) {
        return newest.value(a.name) > newest.value(b.name);
    });
    return sweeps;
}

bool RunQueue::setPriority(const ModelId& id, int priority, QString* error)
{
    if (std::abs(priority) > 1'000'000)
        return fail(RegistryFailure::Refused, QStringLiteral("priority is -1000000 to 1000000, not %1").arg(priority),
                    error);
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("UPDATE run_queue SET priority = ? WHERE run_id = ?"));
    query.addBindValue(priority);
    query.addBindValue(id.toString());
    if (!query.exec())
        return failed(error, query);
    return query.numRowsAffected() == 1 ||
           fail(RegistryFailure::UnknownRun, QStringLiteral("%1 was never queued").arg(id.toString()), error);
}

QueueClient* queueOf(RegistryClient& client, std::unique_ptr<RunQueue>* local)
{
    if (auto* service = dynamic_cast<HttpRegistryClient*>(&client))
        return service;
    if (auto* store = dynamic_cast<RegistryStore*>(&client)) {
        *local = std::make_unique<RunQueue>(*store);
        return local->get();
    }
    return nullptr;
}

std::optional<QVector<QueuedRun>> RunQueue::select(const QString& where, const QVariantList& values, QString* error)
{
    QSqlQuery query(m_db);
    query.prepare(
        QStringLiteral("SELECT %1 FROM run_queue q JOIN runs r ON r.id = q.run_id WHERE %2").arg(kColumns, where));
    for (const QVariant& value : values)
        query.addBindValue(value);
    if (!query.exec()) {
        failed(error, query);
        return std::nullopt;
    }
    QVector<QueuedRun> runs;
    while (query.next()) {
        QueuedRun run;
        const auto id = ModelId::parse(query.value(0).toString());
        if (!id)
            continue;
        run.id = *id;
        run.spec = QJsonDocument::fromJson(query.value(1).toString().toUtf8()).object();
        run.request.hosts = query.value(2).toString().split(u',', Qt::SkipEmptyParts);
        run.request.gpus = query.value(3).toInt();
        run.request.priority = query.value(4).toInt();
        run.request.retries = query.value(5).toInt();
        run.attempts = query.value(6).toInt();
        run.request.sweep = query.value(7).toString();
        run.queuedAt = query.value(8).toLongLong();
        run.agent = query.value(9).toString();
        run.host = query.value(10).toString();
        run.status = runStatusFromString(query.value(11).toString()).value_or(RunStatus::Unknown);
        runs.append(run);
    }
    return runs;
}

} // namespace jikken
