#pragma once

#include "registry/QueueClient.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QVector>

#include <memory>

namespace jikken {

/// A run of an agent that has ended: cleanly, or with why not (the agent marks it failed unless the run
/// said how it ended).
struct EndedRun
{
    QString id;
    QString failure; ///< empty: it ended cleanly
};

/// Where an agent's runs go: child processes of its own on this machine, or Slurm jobs (a login node's agent
/// hands its runs to sbatch: Slurm is the scheduler there).
class RunLauncher
{
public:
    virtual ~RunLauncher() = default;

    /// Starts `jikken ARGUMENTS` (a `jikken train SPEC --id ID`) for `run`, its files in `folder`, on
    /// `gpus`; why not, or empty.
    virtual QString start(const QueuedRun& run, const QStringList& arguments, const QString& folder,
                          const QList<int>& gpus) = 0;
    /// The runs that ended since the last call.
    virtual QVector<EndedRun> reap() = 0;
    /// Its runs that are still going, and the GPUs they hold.
    virtual QStringList running() const = 0;
    virtual QList<int> gpusHeld() const = 0;
    /// Waits up to `ms`, less when a run ends.
    virtual void wait(int ms) = 0;
    /// Of the runs an earlier agent of this name took, those still alive, which it follows on from now.
    virtual QStringList adopt(const QVector<QueuedRun>& taken) = 0;
    /// How it names a run it started, for the agent's log ("GPU 1", "slurm job 42").
    virtual QString where(const QString& id) const = 0;
};

/// GPU indices as CUDA_VISIBLE_DEVICES lists them: "0,1".
QString gpuList(const QList<int>& gpus);

/// Runs as children of the agent, dying with it (a kill -9 included), so no two attempts of a run ever
/// train side by side; each sees only its GPUs (CUDA_VISIBLE_DEVICES) when the agent has any.
std::unique_ptr<RunLauncher> makeProcessLauncher(bool gpusKnown);
/// Runs as Slurm batch jobs named after their IDs (sbatch, with `sbatchOptions` and --gres=gpu:N), which
/// outlive the agent: the next agent of its name follows them on. Each job's ID is kept in the host's
/// `.jikken/dispatch/<id>/slurm-job`, where `jikken stop` and the desktop look for it.
std::unique_ptr<RunLauncher> makeSlurmLauncher(const QStringList& sbatchOptions);

} // namespace jikken
