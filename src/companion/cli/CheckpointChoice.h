#pragma once

#include "RegistryCommands.h"
#include "registry/RunRecord.h"

#include <CLI/CLI.hpp>

#include <optional>

namespace jikken {

/// Which of a run's kept checkpoints a verb works on: `--best` (the default), `--last` or `--step N`.
struct CheckpointChoice
{
    bool best = false;
    bool last = false;
    std::optional<long long> step;

    /// The three options on `command`, each excluding the others.
    void addOptions(CLI::App* command);
    /// The kept checkpoint chosen among `run`'s; nullptr with one line in `error` when it keeps none such.
    const CheckpointRecord* of(const RunRecord& run, QString* error) const;
};

/// As withModel, for verbs about one kept checkpoint of a run: `work` gets the run and the one `choice` picks
/// (a run that keeps none such is a failure before it).
int withCheckpoint(const RegistryLocation& location, const std::string& idText, const CheckpointChoice& choice,
                   const std::function<int(const RunRecord&, const CheckpointRecord&)>& work);

} // namespace jikken
