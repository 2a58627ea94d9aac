#pragma once

#include "ids/ModelId.h"
#include "registry/RegistryClient.h"
#include "registry/RunRecord.h"

#include <QJsonObject>
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

    /// Why this cannot be queued (a host name with a comma, negative GPUs), or empty.
    QString problem() const;
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

/// A sweep at a glance: how many of its points are where, and its best.
struct SweepSummary
{
    QString name;
    int points = 0;
    int finished = 0;
    int running = 0;
    int queued = 0;
    int failed = 0; ///< failed or lost: what `sweep retry --failed` queues again
    int other = 0;  ///< stopped, diverged
    std::optional<double> bestTestError;
    QString bestRun;  ///< the point with the lowest best test error
    QStringList runs; ///< its points, in the order they were queued
};

/// A run to queue: what the table shows of it at once, and the spec an agent starts.
struct RunToQueue
{
    QString method;
    RunDescription description;
    QString memo;
    QJsonObject spec;
};

/// The run queue as the CLI and the agents use it, wherever the registry is: on its database (RunQueue) or
/// through a `jikken serve` service (HttpRegistryClient). Which agent takes a run is settled where the
/// database is, however many ask at once. Like RegistryClient, a call that fails returns no value and says
/// why in one line, its kind in lastFailure().
class QueueClient
{
public:
    virtual ~QueueClient() = default;

    virtual RegistryFailure lastFailure() const = 0;
    /// Reserves an ID for each run (the table shows them at once) and queues it; the IDs, in order. A run
    /// whose queueing fails stops the rest (those queued before it stay queued).
    virtual std::optional<QStringList> enqueue(const QVector<RunToQueue>& runs, const QueueRequest& request,
                                               QString* error) = 0;
    /// Takes the first run that may run on `host` with `freeGpus` free GPUs (priority, then age) for
    /// `agent`; nothing when none waits for it. A run `agent` took before whose answer it never got (it
    /// does not hold it: not in `holding`, not started by its trainer) is handed to it again first.
    virtual std::optional<std::optional<QueuedRun>> claim(const QString& agent, const QString& host, int freeGpus,
                                                          const QStringList& holding, QString* error) = 0;
    /// An agent starting afresh: the runs its predecessor of the same name took are no longer alive, but for
    /// those in `alive` (Slurm jobs outlive their agent), which it follows on. Each of the others is queued
    /// again while it has retries left, else marked lost; their IDs.
    virtual std::optional<QStringList> releaseRunsOf(const QString& agent, const QStringList& alive,
                                                     QString* error) = 0;
    /// Every queued run (waiting or taken), in the order they would be taken.
    virtual std::optional<QVector<QueuedRun>> list(QString* error) = 0;
    /// Takes a waiting run out of the queue: `stopped`, "cancelled". A run an agent took is not cancelled here.
    virtual bool cancel(const ModelId& id, QString* error) = 0;
    /// Queues a failed, lost, stopped or diverged run again (a new attempt of the same ID).
    virtual bool retry(const ModelId& id, QString* error) = 0;
    /// The points of `sweep` that failed or were lost (with `failedOnly`; else every point not finished),
    /// queued again; their IDs.
    virtual std::optional<QStringList> retrySweep(const QString& sweep, bool failedOnly, QString* error) = 0;
    /// A waiting run's place: higher priorities are taken first.
    virtual bool setPriority(const ModelId& id, int priority, QString* error) = 0;
    /// Every sweep, newest first, its points counted by where they are.
    virtual std::optional<QVector<SweepSummary>> sweeps(QString* error) = 0;
};

/// The priorities that make `order` — waiting runs, as the user wants them taken (one of them, `moved`, just
/// moved there) — the order the queue takes them (priority, then the oldest first, then the ID). As few
/// change as can: the moved run's alone where a priority places it between its neighbours, else each run's
/// (the first `order.size()`, counting down). The runs whose priority changes, and to what.
QVector<QPair<ModelId, int>> prioritiesFor(const QVector<QueuedRun>& order, int moved);

/// The queue's message bodies, shared by the service and HttpRegistryClient; readers are strict.
namespace QueueWire {

QJsonObject toJson(const QueueRequest& request);
/// A request from the fields of `json` it names (others: its defaults), checked; `context` names it in errors.
std::optional<QueueRequest> requestFromJson(const QJsonObject& json, const QString& context, QString* error);
QJsonObject toJson(const QueuedRun& run);
QJsonObject toJson(const SweepSummary& sweep);
std::optional<SweepSummary> sweepFromJson(const QJsonObject& json, QString* error);
std::optional<QueuedRun> queuedRunFromJson(const QJsonObject& json, QString* error);

} // namespace QueueWire

} // namespace jikken
