// `jikken dispatch`, `hosts`, `stop`, `output`, `attach`, `install`: training on other machines, over SSH, in tmux.

#include "Console.h"
#include "RegistryCommands.h"
#include "dispatch/CompanionInstaller.h"
#include "dispatch/Dispatcher.h"
#include "dispatch/GpuProbe.h"
#include "dispatch/RemoteShell.h"
#include "registry/RegistryClient.h"
#include "spec/Device.h"

#include <QCoreApplication>

#include <unistd.h>

#include <memory>
#include <vector>

namespace jikken {

namespace {

constexpr int kProbeTimeoutMs = 20000;

// The registry's client and where it is (the dispatched companions report there too).
int withDispatcher(const RegistryLocation& location, const std::function<int(Dispatcher&)>& work)
{
    return withRegistry(location, [&work](RegistryClient& registry, const ClientConfig& config) {
        Dispatcher dispatcher(registry, config);
        return work(dispatcher);
    });
}

int showHosts(const RegistryLocation& location, const std::vector<std::string>& only)
{
    QString error;
    const auto hosts = HostCatalog::load(&error);
    if (!hosts)
        return console::fail(error, console::kUsage);
    QVector<HostSettings> shown;
    for (const HostSettings& host : *hosts) {
        if (only.empty() || std::find(only.begin(), only.end(), host.alias.toStdString()) != only.end())
            shown << host;
    }
    // Which Jikken run holds which GPU, from the registry (it may be unreachable: the GPUs still show).
    QHash<QString, QString> runOnGpu; // "host/cuda:N" -> ID
    const auto config = location.resolve(&error);
    const std::unique_ptr<RegistryClient> registry = config ? config->connect(&error) : nullptr;
    if (registry) {
        RunFilter running;
        running.status = RunStatus::Running;
        const auto runs = registry->runs(running, &error);
        for (const RunRecord& run : runs.value_or(QVector<RunRecord>())) {
            for (const int gpu : Device::cudaIndicesIn(run.device)) // each GPU of a data-parallel run
                runOnGpu.insert(run.host + QStringLiteral("/cuda:") + QString::number(gpu), run.id);
        }
    }
    if (!error.isEmpty())
        console::note(QStringLiteral("warning: %1; runs are not shown").arg(error));
    console::out(QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                     .arg(QStringLiteral("HOST"), -16)
                     .arg(QStringLiteral("GPU"), -3)
                     .arg(QStringLiteral("NAME"), -24)
                     .arg(QStringLiteral("MEMORY MiB"), -13)
                     .arg(QStringLiteral("UTIL"), -4)
                     .arg(QStringLiteral("RUN")));
    for (const HostGpus& host : GpuProbe::probe(shown, kProbeTimeoutMs)) {
        if (!host.problem.isEmpty()) {
            console::out(QStringLiteral("%1  unreachable: %2\n").arg(host.host, -16).arg(host.problem));
            continue;
        }
        if (host.cpuOnly) {
            console::out(QStringLiteral("%1  cpu host (no nvidia-smi)\n").arg(host.host, -16));
            continue;
        }
        for (const GpuStatus& gpu : host.gpus) {
            const QString run = runOnGpu.value(host.host + QStringLiteral("/cuda:") + QString::number(gpu.index));
            console::out(
                QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                    .arg(host.host, -16)
                    .arg(gpu.index, -3)
                    .arg(gpu.name.left(24), -24)
                    .arg(QStringLiteral("%1/%2").arg(gpu.memoryUsedMiB).arg(gpu.memoryTotalMiB), -13)
                    .arg(gpu.utilization ? QStringLiteral("%1%").arg(*gpu.utilization) : QStringLiteral("-"), -4)
                    .arg(run.isEmpty() ? QStringLiteral("free") : run));
        }
    }
    return console::kOk;
}

void addDispatch(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    struct Options
    {
        std::string host;
        std::string spec;
        std::string gpu = "auto";
        int gpus = 1;
        int nodes = 0;
        double wait = 20;
    };
    auto options = std::make_shared<Options>();
    CLI::App* dispatch = app.add_subcommand(
        "dispatch", "Reserve an ID and start `jikken train` on a host (ssh alias or localhost) in a tmux session named "
                    "after it");
    dispatch->add_option("--host", options->host, "the host: an alias of ~/.ssh/config, or localhost")->required();
    dispatch->add_option("SPEC", options->spec, "run spec (JSON)")->required();
    dispatch->add_option("--gpu", options->gpu, "auto (the first free GPU), cpu, or a GPU index")
        ->capture_default_str();
    dispatch
        ->add_option("--gpus,--gpus-per-node", options->gpus,
                     "how many free GPUs: one data-parallel process on each, in the one session (on Slurm, "
                     "one job asking for them)")
        ->check(CLI::Range(1, 1024));
    dispatch
        ->add_option("--nodes", options->nodes,
                     "on a Slurm host: one job on this many nodes, srun starting the run's ranks on each "
                     "(--gpus a node)")
        ->check(CLI::Range(1, 1024));
    dispatch->add_option("--wait", options->wait, "seconds to wait for the run to report itself running")
        ->capture_default_str();
    dispatch->callback([&action, &registry, options] {
        action = [&registry, options] {
            QString error;
            const auto spec = RunSpec::fromFile(QString::fromStdString(options->spec), &error);
            if (!spec)
                return console::fail(error, console::kUsage);
            const auto host = HostCatalog::find(QString::fromStdString(options->host), &error);
            if (!host)
                return console::fail(error, console::kUsage);
            return withDispatcher(registry, [&](Dispatcher& dispatcher) {
                const auto id =
                    dispatcher.dispatch(*host, *spec, QString::fromStdString(options->gpu),
                                        static_cast<int>(options->wait * 1000), &error, options->gpus, options->nodes);
                if (!id)
                    return console::fail(error);
                console::out(*id + u'\n');
                return console::kOk;
            });
        };
    });
}

void addHosts(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    auto hosts = std::make_shared<std::vector<std::string>>();
    CLI::App* command =
        app.add_subcommand("hosts", "The hosts' GPUs (nvidia-smi over ssh, all at once) and the runs on them");
    command->add_option("HOST", *hosts, "only these hosts");
    command->callback(
        [&action, &registry, hosts] { action = [&registry, hosts] { return showHosts(registry, *hosts); }; });
}

void addStop(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    struct Options
    {
        std::string id;
        double grace = 60;
    };
    auto options = std::make_shared<Options>();
    CLI::App* stop = app.add_subcommand("stop", "Stop a dispatched run: Ctrl-C in its session, killed after --grace");
    stop->add_option("ID", options->id, "the run")->required();
    stop->add_option("--grace", options->grace, "seconds to wait for a clean stop")->capture_default_str();
    stop->callback([&action, &registry, options] {
        action = [&registry, options] {
            return withDispatcher(registry, [&](Dispatcher& dispatcher) {
                QString error;
                if (!dispatcher.stop(QString::fromStdString(options->id), static_cast<int>(options->grace * 1000),
                                     &error))
                    return console::fail(error);
                return console::kOk;
            });
        };
    });
}

void addOutput(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    struct Options
    {
        std::string id;
        int lines = 40;
    };
    auto options = std::make_shared<Options>();
    CLI::App* output = app.add_subcommand("output", "The last lines a dispatched run printed");
    output->add_option("ID", options->id, "the run")->required();
    output->add_option("-n,--lines", options->lines, "how many lines")->capture_default_str();
    output->callback([&action, &registry, options] {
        action = [&registry, options] {
            return withDispatcher(registry, [&](Dispatcher& dispatcher) {
                QString error;
                const auto text = dispatcher.output(QString::fromStdString(options->id), options->lines, &error);
                if (!text)
                    return console::fail(error);
                console::out(*text);
                return console::kOk;
            });
        };
    });
}

/// Replaces this process with `command` (argv, no shell); returns only when it cannot be run.
int exec(const QStringList& command)
{
    std::vector<QByteArray> words;
    for (const QString& word : command)
        words.push_back(word.toLocal8Bit());
    std::vector<char*> argv;
    for (QByteArray& word : words)
        argv.push_back(word.data());
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    return console::fail(QStringLiteral("cannot run %1").arg(command.first()));
}

void addAttach(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    struct Options
    {
        std::string id;
        bool print = false;
    };
    auto options = std::make_shared<Options>();
    CLI::App* attach =
        app.add_subcommand("attach", "A terminal in a dispatched run's tmux session (ssh -t HOST tmux attach)");
    attach->add_option("ID", options->id, "the run")->required();
    attach->add_flag("--print", options->print, "print the command instead of running it");
    attach->callback([&action, &registry, options] {
        action = [&registry, options] {
            return withDispatcher(registry, [&](Dispatcher& dispatcher) {
                QString error;
                const auto command = dispatcher.attachCommand(QString::fromStdString(options->id), &error);
                if (!command)
                    return console::fail(error);
                if (!options->print)
                    return exec(*command);
                console::out(command->join(u' ') + u'\n');
                return console::kOk;
            });
        };
    });
}

int install(const QString& alias, const QString& prefix)
{
    QString error;
    const auto host = HostCatalog::find(alias, &error);
    if (!host)
        return console::fail(error, console::kUsage);
    const auto bundle = CompanionBundle::collect(QCoreApplication::applicationFilePath(), &error);
    if (!bundle)
        return console::fail(error);
    const auto sending = [&](int files, qint64 bytes) {
        console::note(QStringLiteral("sending %1 files (%2 MB) to %3:%4")
                          .arg(files)
                          .arg(bytes / 1e6, 0, 'f', 0)
                          .arg(host->alias, prefix));
    };
    const auto report = CompanionInstaller::install(host->alias, *bundle, prefix, sending, &error);
    if (!report)
        return console::fail(error);
    console::out(QStringLiteral("%1: %2 at %3 (%4 files sent, %5 MB; %6 already there)\n")
                     .arg(host->alias, report->version, report->launcher)
                     .arg(report->sent)
                     .arg(report->bytesSent / 1e6, 0, 'f', 1)
                     .arg(report->kept));
    return console::kOk;
}

void addInstall(CLI::App& app, CommandAction& action)
{
    struct Options
    {
        std::string host;
        std::string prefix = CompanionInstaller::defaultPrefix().toStdString();
    };
    auto options = std::make_shared<Options>();
    CLI::App* command = app.add_subcommand(
        "install", "Copy this companion, its libraries beside it, to a host that does not have it (over ssh)");
    command->add_option("HOST", options->host, "an alias of ~/.ssh/config, or localhost")->required();
    command->add_option("--prefix", options->prefix, "the folder on the host (relative to its home, or absolute)")
        ->capture_default_str();
    command->callback([&action, options] {
        action = [options] {
            return install(QString::fromStdString(options->host), QString::fromStdString(options->prefix));
        };
    });
}

} // namespace

void addDispatchCommands(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    addDispatch(app, registry, action);
    addHosts(app, registry, action);
    addStop(app, registry, action);
    addOutput(app, registry, action);
    addAttach(app, registry, action);
    addInstall(app, action);
}

} // namespace jikken
