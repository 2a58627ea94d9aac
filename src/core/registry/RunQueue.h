#pragma once

#include "registry/QueueClient.h"

#include <QSqlDatabase>
#include <QSqlQuery>

#include <memory>
#include <optional>

namespace jikken {

class RegistryClient;
class RegistryStore;

/// The registry's queue of runs waiting for a GPU (or an agent's slot), in the registry's own database:
/// no lock service of our own. A claim is one transaction — PostgreSQL's `FOR UPDATE SKIP LOCKED`, SQLite's
/// write lock — so that however many agents ask at once, exactly one takes each run. A queued run's ID is
/// reserved when it is queued (the table shows it at once), its status `queued` until its trainer says
/// `running`. A run whose attempt is lost is queued again while it has retries left (at the next claim of
/// any agent: no watcher of our own either); never two live attempts of one ID.
class RunQueue : public QueueClient
{
public:
    /// On a registry's store (opened, migrated).
    explicit RunQueue(RegistryStore& store);

    RegistryFailure lastFailure() const override { return m_failure; }
    std::optional<QStringList> enqueue(const QVector<RunToQueue>& runs, const QueueRequest& request,
                                       QString* error) override;
    /// Queues run `id`, reserved before: its status becomes `queued`. A run queued already is left as it is
    /// (a request sent again because its answer was lost).
    bool add(const ModelId& id, const QJsonObject& spec, const QueueRequest& request, QString* error);
    std::optional<std::optional<QueuedRun>> claim(const QString& agent, const QString& host, int freeGpus,
                                                  const QStringList& holding, QString* error) override;
    std::optional<QStringList> releaseRunsOf(const QString& agent, const QStringList& alive, QString* error) override;
    std::optional<QVector<QueuedRun>> list(QString* error) override;
    bool cancel(const ModelId& id, QString* error) override;
    bool retry(const ModelId& id, QString* error) override;
    std::optional<QStringList> retrySweep(const QString& sweep, bool failedOnly, QString* error) override;
    std::optional<QVector<SweepSummary>> sweeps(QString* error) override;
    bool setPriority(const ModelId& id, int priority, QString* error) override;

private:
    bool postgresql() const;
    /// Puts runs back to waiting (`queued`, no agent) that are in one of the statuses `from` (SQL: "'lost'")
    /// still; those it put back.
    std::optional<QStringList> requeue(const QStringList& ids, const QString& reason, const QString& from,
                                       QString* error);
    std::optional<QVector<QueuedRun>> select(const QString& where, const QVariantList& values, QString* error);

    /// A run this agent took that its trainer has not started and the agent does not hold (the answer to its
    /// claim was lost), if any.
    std::optional<std::optional<QueuedRun>> stranded(const QString& agent, int freeGpus, const QStringList& holding,
                                                     QString* error);
    /// Fails with `kind`, saying `message`.
    bool fail(RegistryFailure kind, const QString& message, QString* error);
    bool failed(QString* error, const QSqlQuery& query);

    RegistryStore& m_store;
    QSqlDatabase m_db;
    RegistryFailure m_failure = RegistryFailure::None;
    std::optional<QSqlQuery> m_look;     ///< whether anything waits for an agent (claim's first, cheap question)
    std::optional<QSqlQuery> m_stranded; ///< the runs an agent took whose trainers have not started
};

/// The queue of the registry `client` reaches: its service's (the client itself), or its database's (a
/// RunQueue made in `local`); null for a client that reaches neither.
QueueClient* queueOf(RegistryClient& client, std::unique_ptr<RunQueue>* local);

/// `work(queue)` on the queue of the registry `client` reaches; a default Result, with `error` set, when it
/// reaches none.
template <typename Result, typename Work> Result withQueueOf(RegistryClient& client, QString* error, Work work)
{
    std::unique_ptr<RunQueue> local;
    QueueClient* queue = queueOf(client, &local);
    if (!queue) {
        *error = QStringLiteral("this registry has no queue");
        return {};
    }
    return work(*queue);
}

} // namespace jikken
