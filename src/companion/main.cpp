// `jikken`: the headless companion. Trains with libtorch and works the registry from the command line.

#include "cli/Console.h"
#include "cli/RegistryCommands.h"

#include <QCoreApplication>

#include <CLI/CLI.hpp>

int main(int argc, char** argv)
{
    QCoreApplication application(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("jikken"));
    QCoreApplication::setApplicationVersion(QStringLiteral(JIKKEN_VERSION));

    CLI::App app{"Jikken: model registry, TensorBoard event logs and libtorch training", "jikken"};
    app.set_version_flag("--version", JIKKEN_VERSION);
    app.require_subcommand(1);
    app.fallthrough();
    jikken::RegistryLocation registry;
    app.add_option("--registry", registry.path,
                   "the registry: a jikken serve URL (http[s]://…), a SQLite file or postgresql://…; default: "
                   "$JIKKEN_REGISTRY, ~/.config/jikken/client.json, else $JIKKEN_HOME/registry.sqlite");

    jikken::CommandAction action;
    jikken::addRegistryCommands(app, registry, action);
    jikken::addEventsCommand(app, action);
    jikken::addTrainCommand(app, registry, action);
    jikken::addServeCommands(app, registry, action);
    jikken::addImportCommand(app, registry, action);
    jikken::addDispatchCommands(app, registry, action);
    jikken::addRunCommand(app, registry, action);

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
            return jikken::console::fail(QStringLiteral("unknown command \"%1\"; commands: %2")
                                             .arg(QString::fromStdString(word), QString::fromStdString(known)),
                                         jikken::console::kUsage);
        break;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0)
            return app.exit(e); // --help, --version
        return jikken::console::fail(QString::fromStdString(e.what()) + QStringLiteral(" (see jikken --help)"),
                                     jikken::console::kUsage);
    }
    return action ? action() : jikken::console::kUsage;
}
