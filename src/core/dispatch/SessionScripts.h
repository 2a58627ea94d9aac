#pragma once

#include "HostCatalog.h"

#include <QString>
#include <QStringList>

namespace jikken::SessionScripts {

/// Exit status of `isAlive` when the run's session (or Slurm job) is gone.
constexpr int kGone = 10;

/// What a trainer keeps in its run folder (`logs/<id>/`) however it was started: its console output and
/// its process ID. A run started from a terminal has no session; these let it be followed and stopped.
inline constexpr char kOutputLog[] = "output.log";
inline constexpr char kPidFile[] = "jikken.pid";

/// Shell lines (run in the host's work folder) that start, watch and end a run's session: a tmux session
/// named after the ID, or on a Slurm login node a batch job named after it (its job ID kept in the run's
/// dispatch folder, `slurm-job`). Every value in them is quoted.

/// What every script on the host begins with: the user's setup lines (module load slurm, conda; their
/// chatter dropped), then cd to the host's work folder: relative to home ("~/" allowed), or absolute.
QString prelude(const HostSettings& host);
/// Fails with a clear line when the host lacks what the session needs (tmux, or sbatch).
QString checkTools(const HostSettings& host);
/// Starts `runScript`; `gpus`: for Slurm the GPUs to request a node ("" for none); tmux gets them through
/// CUDA_VISIBLE_DEVICES in the script instead. `nodes` (Slurm): that many nodes, a task on each.
QString start(const HostSettings& host, const QString& id, const QString& runScript, const QString& gpus,
              int nodes = 0);
/// `runFolder` (the run's logdir on the host), where given, also finds a run started from a terminal,
/// with no session: by the process ID its trainer keeps there (kPidFile).

/// Exits 0 while the run lives; else prints the last lines of its output and exits kGone.
QString isAlive(const HostSettings& host, const QString& id, const QString& runFolder = {});
/// Ctrl-C for tmux (SIGINT to the trainer started from a terminal); SIGINT to every process of the job
/// for Slurm (a pending job is simply cancelled). Exits kGone when there is nothing to stop.
QString interrupt(const HostSettings& host, const QString& id, const QString& runFolder = {});
QString kill(const HostSettings& host, const QString& id, const QString& runFolder = {});
/// Prints where the run is: "tmux session ID", "process N, started from a terminal" or "slurm job N: RUNNING".
QString state(const HostSettings& host, const QString& id, const QString& runFolder = {});
/// What an interactive terminal runs to watch the run: tmux attach, or following its output (Slurm).
QStringList attach(const HostSettings& host, const QString& id);
/// What an interactive terminal runs to watch a run that has no session: following its output.log.
QStringList follow(const QString& runFolder);

} // namespace jikken::SessionScripts
