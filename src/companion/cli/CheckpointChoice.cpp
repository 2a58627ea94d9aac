#include "CheckpointChoice.h"

#include "Console.h"

namespace jikken {

void CheckpointChoice::addOptions(CLI::App* command)
{
    auto* bestFlag = command->add_flag("--best", best, "the best checkpoint (the default)");
    auto* lastFlag = command->add_flag("--last", last, "the last checkpoint kept");
    auto* stepOption = command->add_option("--step", step, "the checkpoint kept at this step");
    bestFlag->excludes(lastFlag)->excludes(stepOption);
    lastFlag->excludes(stepOption);
}

const CheckpointRecord* CheckpointChoice::of(const RunRecord& run, QString* error) const
{
    const CheckpointRecord* chosen = step   ? Checkpoints::atStep(run.checkpoints, *step)
                                     : last ? Checkpoints::last(run.checkpoints)
                                            : Checkpoints::best(run.checkpoints);
    if (!chosen) {
        const QString which = step   ? QStringLiteral("checkpoint at step %1").arg(*step)
                              : last ? QStringLiteral("checkpoint")
                                     : QStringLiteral("best checkpoint");
        *error = QStringLiteral("%1 keeps no %2 (jikken show %1 lists what it keeps)").arg(run.id, which);
    }
    return chosen;
}

int withCheckpoint(const RegistryLocation& location, const std::string& idText, const CheckpointChoice& choice,
                   const std::function<int(const RunRecord&, const CheckpointRecord&)>& work)
{
    return withModel(location, idText, [&](RegistryClient& store, const QString& id) {
        QString error;
        const auto run = store.run(id, &error);
        if (!run)
            return console::fail(error);
        const CheckpointRecord* chosen = choice.of(*run, &error);
        return chosen ? work(*run, *chosen) : console::fail(error);
    });
}

} // namespace jikken
