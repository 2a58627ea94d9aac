#include "CommandLine.h"

#include "Console.h"
#include "QueueCommands.h"
#include "RegistryCommands.h"
#include "train/LibtorchBuild.h"

#include <CLI/CLI.hpp>

namespace jikken {

int runCommandLine(int argc, char** argv)
{
    CLI::App app{"Jikken: model registry, TensorBoard event logs and libtorch training", "jikken"};
    // The version names what the companion can do on a GPU server: its libtorch, CUDA and cuDNN, and the
    // GPU paths built in.
    app.set_version_flag("--version", []() -> std::string {
        return QString(QStringLiteral(JIKKEN_VERSION "\n") + LibtorchBuild::current().describe()).toStdString();
    });
    app.require_subcommand(1);
    app.fallthrough();
    RegistryLocation registry;
    app.add_option("--registry", registry.path,
                   "the registry: a jikken serve URL (http[s]://…), a SQLite file or postgresql://…; default: "
                   "$JIKKEN_REGISTRY, ~/.config/jikken/client.json, else $JIKKEN_HOME/registry.sqlite");

    CommandAction action;
    addRegistryCommands(app, registry, action);
    addEventsCommand(app, action);
    addTrainCommand(app, registry, action);
    addServeCommands(app, registry, action);
    addImportCommand(app, registry, action);
    addDispatchCommands(app, registry, action);
    addRunCommand(app, registry, action);
    addQueueCommands(app, registry, action);
    addPullCommand(app, registry, action);
    addExportModelCommand(app, registry, action);
    addAlertCommand(app, action);

    // CLI11 reports an unknown verb as "a subcommand is required"; name the word the user typed instead.
    for (int i = 1; i < argc; ++i) {
        const std::string word = argv[i];
        if (word == "--registry") {
            ++i;
            continue;
        }
        if (word.rfind('-', 0) == 0)
            continue;
        std::string known;
        bool found = false;
        for (const CLI::App* sub : app.get_subcommands({})) {
            known += (known.empty() ? "" : ", ") + sub->get_name();
            found = found || sub->get_name() == word;
        }
        if (!found)
            return console::fail(QStringLiteral("unknown command \"%1\"; commands: %2")
                                     .arg(QString::fromStdString(word), QString::fromStdString(known)),
                                 console::kUsage);
        break;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0)
            return app.exit(e); // --help, --version
        return console::fail(QString::fromStdString(e.what()) + QStringLiteral(" (see jikken --help)"),
                             console::kUsage);
    }
    return action ? action() : console::kUsage;
}

} // namespace jikken
