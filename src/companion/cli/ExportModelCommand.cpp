// `jikken export-model ID [--best|--last|--step N] --format torchscript OUT.pt`: a run's kept network as a
// file that runs without Jikken, checked against the checkpoint it came from.

#include "CheckpointChoice.h"
#include "Console.h"
#include "RegistryCommands.h"
#include "data/DatasetLoader.h"
#include "dispatch/CheckpointFetch.h"
#include "train/ModelExport.h"

#include <QDir>
#include <QTemporaryDir>

#include <memory>

namespace jikken {

namespace {

/// What the exported file says of its run: enough to find the run and the checkpoint again.
QJsonObject aboutRun(const RunRecord& run, const CheckpointRecord& checkpoint)
{
    QJsonObject from{
        {QStringLiteral("kind"), checkpoint.kind},   {QStringLiteral("step"), static_cast<double>(checkpoint.step)},
        {QStringLiteral("epoch"), checkpoint.epoch}, {QStringLiteral("host"), checkpoint.host},
        {QStringLiteral("path"), checkpoint.path},   {QStringLiteral("sha256"), checkpoint.sha256}};
    if (checkpoint.value) {
        from.insert(QStringLiteral("metric"), checkpoint.metric);
        from.insert(QStringLiteral("value"), *checkpoint.value);
    }
    return {{QStringLiteral("model_id"), run.id},
            {QStringLiteral("dataset"), run.dataset},
            {QStringLiteral("hyperparameters"), run.hparams},
            {QStringLiteral("checkpoint"), from}};
}

} // namespace

void addExportModelCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    struct Options
    {
        std::string id;
        CheckpointChoice choice;
        std::string format = "torchscript";
        std::string output;
    };
    auto options = std::make_shared<Options>();
    CLI::App* command = app.add_subcommand(
        "export-model", "Write a run's kept network (the best by default) as a file that runs without Jikken, "
                        "checked against its checkpoint");
    command->add_option("ID", options->id, "model ID")->required();
    options->choice.addOptions(command);
    command->add_option("--format", options->format, "torchscript (torch.jit.load in Python or C++)")
        ->check(CLI::IsMember({"torchscript"}));
    command->add_option("OUT", options->output, "the file to write")->required();
    command->callback([&registry, &action, options] {
        action = [&registry, options] {
            return withCheckpoint(
                registry, options->id, options->choice, [&](const RunRecord& run, const CheckpointRecord& chosen) {
                    QString error;
                    // Fetched (or copied) and checked by sha256 first: the export reads the very file the
                    // registry names.
                    QTemporaryDir fetched;
                    const QString checkpoint = fetched.filePath(QStringLiteral("checkpoint.pt"));
                    if (!fetched.isValid() || !CheckpointFetch::fetch(chosen, checkpoint, {}, &error))
                        return console::fail(error.isEmpty() ? fetched.errorString() : error);
                    const QString dataRoot = run.spec.value(QLatin1String("data_root")).toString();
                    const ExportRequest request{checkpoint,
                                                run.model,
                                                DatasetLoader::classNames(run.dataset),
                                                aboutRun(run, chosen),
                                                run.dataset,
                                                dataRoot.isEmpty() ? DatasetLoader::defaultDataRoot() : dataRoot};
                    const QString output = QString::fromStdString(options->output);
                    const std::optional<ExportCheck> check = ModelExport::toTorchScript(request, output, &error);
                    if (!check)
                        return console::fail(error);
                    console::out(
                        QStringLiteral("%1: %2's checkpoint at step %3 as TorchScript, checked on %4 %5 (largest "
                                       "difference of a logit from the checkpoint's: %6)\n")
                            .arg(output, run.id)
                            .arg(chosen.step)
                            .arg(check->images)
                            .arg(check->testImages ? QStringLiteral("test images")
                                                   : QStringLiteral("random images (no dataset here)"))
                            .arg(check->maxDifference, 0, 'g', 2));
                    return console::kOk;
                });
        };
    });
}

} // namespace jikken
