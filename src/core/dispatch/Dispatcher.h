#pragma once

#include "HostCatalog.h"
#include "registry/ClientConfig.h"
#include "registry/RunRecord.h"
#include "spec/RunSpec.h"

#include <QString>
#include <QStringList>

#include <functional>

#include <optional>

namespace jikken {

class RegistryClient;

/// Starts, watches and stops training on hosts, as a user would by hand: the ID is reserved first, then
/// `jikken train` starts on the host inside a tmux session named after the ID, in a login shell, with
/// CUDA_VISIBLE_DEVICES set — or, on a Slurm login node, as a batch job named after the ID (sbatch;
/// stop is scancel). See SessionScripts. Its output goes to `.jikken/dispatch/<id>/output.log` under the host's work
/// folder as well as to the session. Whatever goes wrong after the reservation marks the run failed with
/// the reason; what can be checked before it (host, GPU, registry reach) is, so no ID is spent on it.
class Dispatcher
{
public:
    /// `registryConfig`: where the registry is, for the companions to report to.
    Dispatcher(RegistryClient& registry, ClientConfig registryConfig);

    /// How companions on another host reach a registry that is a file here (the app's embedded one): a
    /// service URL and token as that host sees them, through a tunnel kept open by whoever routes.
    struct Route
    {
        QString url;
        QString token;
    };
    using Router = std::function<std::optional<Route>(const QString& host, QString* error)>;
    void setRouter(Router router) { m_router = std::move(router); }

    /// `gpu`: "auto" (the first GPU no Jikken run uses and that is nearly empty; none on a CPU host),
    /// "cpu" (no GPU), or a GPU index. Returns the new run's ID once `jikken train` reports it running (or
    /// `waitMs` passed with its session alive). `gpus` above 1 (with `gpu` "auto"): that many free GPUs of the
    /// host, one data-parallel rank on each (`jikken train --gpus`), in the one session. `nodes` (a Slurm
    /// host): one job on that many nodes, `srun` starting the run's launcher on each with the rendezvous
    /// filled in (`--nnodes`, `--node-rank`, `--master`), `gpus` GPUs a node.
    std::optional<QString> dispatch(const HostSettings& host, RunSpec spec, const QString& gpu, int waitMs,
                                    QString* error, int gpus = 1, int nodes = 0);
    /// The same for a command of the user's own (a Python training script): `jikken run --id ID -- COMMAND`
    /// on the host follows the event files it writes into the registry. `runOptions` go to that `jikken run`
    /// (`--model`, `--hparam`, `--metric` …).
    std::optional<QString> dispatchCommand(const HostSettings& host, const QString& method, const QStringList& command,
                                           const QString& gpu, int waitMs, QString* error,
                                           const QStringList& runOptions = {});
    /// Ctrl-C in the run's session (the trainer checkpoints and marks itself stopped), then, after
    /// `graceMs`, the session is killed and the run marked stopped.
    bool stop(const QString& id, int graceMs, QString* error);
    /// Runs started from a terminal (no session; `jikken train` on the host itself) are reached too, by
    /// the process ID and output.log their trainer keeps in the run folder.
    /// The last `lines` lines the run printed.
    std::optional<QString> output(const QString& id, int lines, QString* error);
    /// The command that opens a terminal attached to the run's tmux session.
    std::optional<QStringList> attachCommand(const QString& id, QString* error);

    /// `jikken agent --name NAME --host ALIAS ARGUMENTS…` on the host, in a tmux session `jikken-agent-NAME`
    /// (in a login shell, after the host's setup lines), reporting to this registry; its output goes to
    /// `.jikken/agents/NAME.log` under the work folder. Refuses when an agent of that name runs there (one
    /// per name: the next of a name queues again what the last left). On a Slurm login node it hands its
    /// runs to sbatch (`--slurm`, the host's sbatch options). See DispatcherAgents.cpp.
    bool startAgent(const HostSettings& host, const QString& name, const QStringList& arguments, QString* error);
    /// Ends the agent's session; the runs it started end with it (its next start queues them again).
    bool stopAgent(const HostSettings& host, const QString& name, QString* error);
    /// Why `name` cannot name an agent (letters, digits, `.`, `_`, `-`; at most 64), or empty.
    static QString agentNameError(const QString& name);

    /// Where a run's dispatch files live on its host, relative to the work folder.
    static QString dispatchDirectory(const QString& id);

private:
    /// The GPUs to give a run, as CUDA_VISIBLE_DEVICES lists them (on Slurm: how many), or empty for none.
    std::optional<QString> chooseGpu(const HostSettings& host, const QString& gpu, QString* error, int count = 1);
    std::optional<QString> registryExports(const HostSettings& host, QString* error) const;
    /// The run's record and its host: an alias of the catalog, or localhost for this machine's own name.
    struct Placed
    {
        HostSettings host;
        RunRecord record;
    };
    std::optional<Placed> placeOf(const QString& id, QString* error);
    /// What the companion runs on the host, once its ID is known: its arguments, and files to write first
    /// (path under the work folder -> content).
    struct Launch
    {
        QStringList arguments;
        QList<QPair<QString, QString>> files;
        QStringList through; ///< what starts the companion on each node of a Slurm job (srun), or nothing
        QString environment; ///< shell lines the run's script runs before it
        int nodes = 0;       ///< Slurm nodes the job asks for (0: as the host's options say)
    };
    /// `make`: the launch for the reserved ID, and whether a GPU was given to it.
    using LaunchMaker = std::function<Launch(const QString& id, bool gpu)>;
    std::optional<QString> launch(const HostSettings& host, const QString& method, RunDescription description,
                                  const QString& gpu, const LaunchMaker& make, int waitMs, QString* error,
                                  int gpus = 1);
    QString launchScript(const HostSettings& host, const QString& id, const Launch& what, const QString& cudaDevices,
                         const QString& registryExports) const;

    RegistryClient& m_registry;
    ClientConfig m_registryConfig;
    Router m_router;
};

} // namespace jikken
