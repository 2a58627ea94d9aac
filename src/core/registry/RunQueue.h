#pragma once

#include "ids/ModelId.h"
#include "registry/RunRecord.h"

#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStringList>
#include <QVector>

#include <optional>

namespace jikken {

/// What a queued run needs, besides its spec.
struct QueueRequest
{
    QStringList hosts; ///< the hosts it may run on; empty: any
    int gpus = 0;      ///< GPUs it takes at once (0: none needed, a CPU run or an agent's slot)
    int priority = 0;  ///< higher first; then the oldest first
    int retries = 0;   ///< how many times it is queued again when its attempt is lost
    QString sweep;     ///< the sweep it is a point of, if any
};

/// A run in the queue, as `jikken queue ls` shows it.
struct QueuedRun
{
    ModelId id;
    QJsonObject spec; ///< what `jikken train` runs (RunSpec's JSON)
    QueueRequest request;
    int attempts = 0; ///< how many times an agent took it
    QString agent;    ///< the agent that took it (its latest attempt); empty while it waits
    QString host;
    qint64 queuedAt = 0;
    RunStatus status = RunStatus::Queued;
};

/// The registry's queue of runs waiting for a GPU (or an agent's slot), in the registry's own database:
/// no lock service of our own. A claim is one transaction — PostgreSQL's `FOR UPDATE SKIP LOCKED`, SQLite's
/// write lock — so that however many agents ask at once, exactly one takes each run. A queued run's ID is
/// reserved when it is queued (the table shows it at once), its status `queued` until its trainer says
/// `running`. A run whose attempt is lost is queued again while it has retries left (at the next claim of
/// any agent: no watcher of our own either); never two live attempts of one ID.
class RunQueue
{
public:
    /// On a registry database (RegistryStore::database(), migrated).
    explicit RunQueue(QSqlDatabase db);

    /// Why `host` or `request` cannot be queued (a host name with a comma, negative GPUs), or empty.
    static QString requestError(const QueueRequest& request);
    /// Queues run `id`, reserved before: its status becomes `queued`, its method, model, dataset and
    /// hyperparameters those of `spec` (the table shows what it will be).
    bool add(const ModelId& id, const QJsonObject& spec, const QueueRequest& request, QString* error);
    /// Takes the first run that may run on `host` with `freeGpus` free GPUs (priority, then age) for
    /// `agent`; nothing when none waits for it. Runs lost with retries left are queued again first.
    std::optional<std::optional<QueuedRun>> claim(const QString& agent, const QString& host, int freeGpus,
                                                  QString* error);
    /// An agent starting afresh: the runs its predecessor of the same name took are no longer alive. Each
    /// is queued again while it has retries left, else marked lost; their IDs.
    std::optional<QStringList> releaseRunsOf(const QString& agent, QString* error);
    /// Every queued run (waiting or taken), in the order they would be taken.
    std::optional<QVector<QueuedRun>> list(QString* error);
    /// Takes a waiting run out of the queue: `stopped`, "cancelled". A run an agent took is not cancelled here.
    bool cancel(const ModelId& id, QString* error);
    /// Queues a failed, lost, stopped or diverged run again (a new attempt of the same ID).
    bool retry(const ModelId& id, QString* error);
    /// The points of `sweep` that failed or were lost (with `failedOnly`; else every point not finished),
    /// queued again; their IDs.
    std::optional<QStringList> retrySweep(const QString& sweep, bool failedOnly, QString* error);

private:
    bool postgresql() const;
    /// Puts runs back to waiting (`queued`, no agent) that are in one of the statuses `from` (SQL: "'lost'")
    /// still; those it put back.
    std::optional<QStringList> requeue(const QStringList& ids, const QString& reason, const QString& from,
                                       QString* error);
    std::optional<QVector<QueuedRun>> select(const QString& where, const QVariantList& values, QString* error);

    QSqlDatabase m_db;
    std::optional<QSqlQuery> m_look; ///< whether anything waits for an agent (claim's first, cheap question)
};

} // namespace jikken
