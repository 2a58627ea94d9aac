#pragma once

#include <QString>

namespace jikken::RunFolder {

/// Marks the run folder as this process's, however the run was started (a terminal, tmux, Slurm): its
/// console output goes on into `output.log` and its process ID into `jikken.pid`, so that `jikken output`,
/// `stop` and `attach` (and the app's buttons) reach a run started from a terminal as they reach a
/// dispatched one.
bool claim(const QString& runDirectory, QString* error);

/// Removes `jikken.pid` again when the process ends its run.
void release(const QString& runDirectory);

} // namespace jikken::RunFolder
