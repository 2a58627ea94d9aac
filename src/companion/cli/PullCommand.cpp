// `jikken pull ID [--best|--last|--step N] [DEST]`: a run's kept checkpoint, fetched from the host that
// holds it over the same ssh as dispatch (or from this machine's disk), resumable and checked by sha256.

#include "CheckpointChoice.h"
#include "Console.h"
#include "RegistryCommands.h"
#include "dispatch/CheckpointFetch.h"

#include <QDir>
#include <QFileInfo>

#include <memory>

namespace jikken {

void addPullCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    struct Options
    {
        std::string id;
        CheckpointChoice choice;
        std::string destination = ".";
    };
    auto options = std::make_shared<Options>();
    CLI::App* pull = app.add_subcommand(
        "pull", "Fetch a run's kept checkpoint (the best by default) from the host that holds it: resumable, "
                "checked by sha256");
    pull->add_option("ID", options->id, "model ID")->required();
    options->choice.addOptions(pull);
    pull->add_option("DEST", options->destination, "a folder (the file is ID-NAME.pt there) or a file; default: here");
    pull->callback([&registry, &action, options] {
        action = [&registry, options] {
            return withCheckpoint(
                registry, options->id, options->choice, [&](const RunRecord& run, const CheckpointRecord& chosen) {
                    const QString& id = run.id;
                    QString error;
                    QString destination = QString::fromStdString(options->destination);
                    if (QFileInfo(destination).isDir())
                        destination = QDir(destination).filePath(id + u'-' + QFileInfo(chosen.path).fileName());
                    const bool terminal = console::stderrIsTerminal();
                    const auto progress = [terminal](qint64 have, qint64 total) {
                        if (terminal)
                            std::fprintf(stderr, "\r%3lld%%  %lld / %lld bytes", total > 0 ? have * 100 / total : 100LL,
                                         static_cast<long long>(have), static_cast<long long>(total));
                        return true;
                    };
                    if (!CheckpointFetch::fetch(chosen, destination, progress, &error)) {
                        if (terminal)
                            std::fprintf(stderr, "\n");
                        return console::fail(error);
                    }
                    if (terminal)
                        std::fprintf(stderr, "\n");
                    console::out(destination + u'\n');
                    return console::kOk;
                });
        };
    });
}

} // namespace jikken
