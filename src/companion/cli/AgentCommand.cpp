// `jikken agent`: on one host, takes the queued runs that fit its free GPUs (or slots) and starts each as
// `jikken train --id` would be started by hand, until stopped — or, with --until-empty, until nothing waits
// for it. Which agent takes a run is settled by the registry (RunQueue::claim), however many ask at once, on
// its database or through its service.
#include "QueueCommands.h"

#include "AgentLaunchers.h"
#include "AgentUnit.h"
#include "Console.h"
#include "dispatch/Dispatcher.h"
#include "dispatch/GpuProbe.h"
#include "registry/DatabaseUrl.h"
#include "registry/QueueClient.h"
#include "spec/Device.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QSysInfo>
#include <QThread>

#include <memory>
#include <vector>

namespace jikken {

namespace {

struct AgentOptions
{
    std::string name;
    std::string host;
    int slots = 0;
    std::string gpus = "auto";
    bool untilEmpty = false;
    double pollSeconds = 2;
    bool slurm = false;
    std::vector<std::string> sbatch;

    QStringList sbatchOptions() const
    {
        QStringList options;
        for (const std::string& option : sbatch)
            options << QString::fromStdString(option);
        return options;
    }

    /// The flags of how it runs (not --name, --host), for an agent started elsewhere with these options.
    QStringList arguments() const
    {
        QStringList flags;
        if (slots > 0)
            flags << QStringLiteral("--slots") << QString::number(slots);
        if (gpus != "auto")
            flags << QStringLiteral("--gpus") << QString::fromStdString(gpus);
        if (untilEmpty)
            flags << QStringLiteral("--until-empty");
        flags << QStringLiteral("--poll") << QString::number(pollSeconds);
        if (slurm)
            flags << QStringLiteral("--slurm");
        for (const std::string& option : sbatch)
            flags << QStringLiteral("--sbatch-option=") + QString::fromStdString(option);
        return flags;
    }
    /// The flags of how it runs, on `command`.
    void addTo(CLI::App* command)
    {
        command->add_option("--slots", slots, "runs at once (default: one per GPU, at least one)")
            ->check(CLI::Range(1, 256));
        command->add_option("--gpus", gpus,
                            "the GPUs it hands out: auto (those nvidia-smi lists, each while idle), or 0,1,…");
        command->add_flag("--until-empty", untilEmpty, "exit once nothing waits for it and its runs have ended");
        command->add_option("--poll", pollSeconds, "seconds between asks of the queue (default 2)")
            ->check(CLI::Range(0.1, 3600.0));
        command->add_flag("--slurm", slurm, "hand the runs to sbatch, one job each (a Slurm login node)");
        command->add_option("--sbatch-option", sbatch, "one more sbatch option for every job (repeatable)");
    }
};

/// The GPUs this machine's nvidia-smi sees (none without one); with `idleOnly`, those nothing uses now.
QList<int> gpusSeen(bool idleOnly)
{
    QProcess smi;
    smi.start(QStringLiteral("nvidia-smi"), {QStringLiteral("--query-gpu=index,name,memory.used,memory.total,"
                                                            "utilization.gpu"),
                                             QStringLiteral("--format=csv,noheader,nounits")});
    if (!smi.waitForFinished(10000) || smi.exitCode() != 0)
        return {};
    QString error;
    QList<int> idle;
    for (const GpuStatus& gpu : GpuProbe::parse(smi.readAllStandardOutput(), &error).value_or(QVector<GpuStatus>()))
        if (!idleOnly || !gpu.inUse())
            idle << gpu.index;
    return idle;
}

class Agent
{
public:
    Agent(RegistryClient& registry, QueueClient& queue, const RegistryLocation& location, const AgentOptions& options)
        : m_registry(registry), m_queue(queue), m_location(location), m_options(options),
          m_name(options.name.empty() ? QSysInfo::machineHostName() : QString::fromStdString(options.name)),
          m_host(options.host.empty() ? QSysInfo::machineHostName() : QString::fromStdString(options.host)),
          m_launcher(options.slurm ? makeSlurmLauncher(options.sbatchOptions())
                                   : makeProcessLauncher(!gpusHere().isEmpty()))
    {
    }

    int run()
    {
        if (!takeOver())
            return console::kFailure;
        const int slots = m_options.slots > 0 ? m_options.slots
                          : m_options.slurm   ? kSlurmJobsAtOnce
                                              : std::max<qsizetype>(1, gpusHere().size());
        console::note(QStringLiteral("agent %1 on %2: %3 slot(s), %4")
                          .arg(m_name, m_host)
                          .arg(slots)
                          .arg(m_options.slurm        ? QStringLiteral("runs go to sbatch")
                               : gpusHere().isEmpty() ? QStringLiteral("GPUs none")
                                                      : QStringLiteral("GPUs ") + gpuList(gpusHere())));
        QString error;
        while (true) {
            reap();
            bool nothingWaits = false;
            while (m_launcher->running().size() < slots) {
                const QList<int> free = freeGpus();
                const auto claimed =
                    m_queue.claim(m_name, m_host, static_cast<int>(free.size()), m_launcher->running(), &error);
                if (!claimed) { // the database is away a moment: asked again at the next poll
                    console::note(QStringLiteral("agent %1: %2").arg(m_name, error));
                    break;
                }
                if (!*claimed) {
                    nothingWaits = true;
                    break;
                }
                start(**claimed, free.mid(0, (*claimed)->request.gpus));
            }
            if (m_options.untilEmpty && nothingWaits && m_launcher->running().isEmpty())
                return console::kOk;
            m_launcher->wait(static_cast<int>(m_options.pollSeconds * 1000));
        }
    }

private:
    static constexpr int kSlurmJobsAtOnce = 8;

    /// Takes over from an earlier agent of this name: the runs it started that still live (Slurm jobs)
    /// are followed on; the others are queued again, or lost.
    bool takeOver()
    {
        QString error;
        const auto queued = m_queue.list(&error);
        if (!queued) {
            console::fail(error);
            return false;
        }
        QVector<QueuedRun> taken;
        for (const QueuedRun& run : *queued) {
            if (run.agent == m_name)
                taken.append(run);
        }
        const QStringList alive = m_launcher->adopt(taken);
        for (const QString& id : alive)
            console::note(QStringLiteral("agent %1: follows %2 (%3)").arg(m_name, id, m_launcher->where(id)));
        const auto released = m_queue.releaseRunsOf(m_name, alive, &error);
        if (!released) {
            console::fail(error);
            return false;
        }
        for (const QString& id : *released)
            console::note(QStringLiteral("agent %1: %2 queued again (its earlier agent stopped)").arg(m_name, id));
        return true;
    }

    /// The GPUs this agent hands out: those given, or every one nvidia-smi sees (one busy with something
    /// else now is handed out once it is free).
    QList<int> gpusHere()
    {
        if (!m_gpusHere) {
            m_gpusHere.emplace();
            if (m_options.gpus == "auto") {
                *m_gpusHere = gpusSeen(false);
            } else {
                for (const QString& index : QString::fromStdString(m_options.gpus).split(u',', Qt::SkipEmptyParts))
                    m_gpusHere->append(index.toInt());
            }
        }
        return *m_gpusHere;
    }

    /// This agent's GPUs that none of its runs holds (and, found by nvidia-smi, that nothing else uses now).
    /// Slurm hands out a login node's GPUs: any run fits there, and waits in Slurm's queue.
    QList<int> freeGpus()
    {
        if (m_options.slurm)
            return QList<int>(64, 0);
        QList<int> free = gpusHere();
        if (m_options.gpus == "auto" && !free.isEmpty()) {
            const QList<int> idle = gpusSeen(true);
            free.removeIf([&idle](int gpu) { return !idle.contains(gpu); });
        }
        const QList<int> held = m_launcher->gpusHeld();
        free.removeIf([&held](int gpu) { return held.contains(gpu); });
        return free;
    }

    void start(const QueuedRun& run, const QList<int>& gpus)
    {
        const QString id = run.id.toString();
        const QString logRoot = run.spec.value(QStringLiteral("log_root")).toString(QStringLiteral("logs"));
        const QString folder = QDir(QFileInfo(logRoot).absoluteFilePath()).filePath(id);
        // Each attempt keeps its own logs: an earlier one's folder is renamed out of the new one's way.
        if (run.attempts > 1 && QDir(folder).exists())
            QDir().rename(folder, QStringLiteral("%1.attempt-%2").arg(folder).arg(run.attempts - 1));
        QDir().mkpath(folder);
        const QString specPath = QDir(folder).filePath(QStringLiteral("queued-spec.json"));
        QFile specFile(specPath);
        if (!specFile.open(QIODevice::WriteOnly) || specFile.write(QJsonDocument(run.spec).toJson()) < 0) {
            ended({id, QStringLiteral("agent %1 cannot write %2").arg(m_name, specPath)});
            return;
        }
        specFile.close();
        QStringList arguments;
        if (!m_location.path.empty())
            arguments << QStringLiteral("--registry") << QString::fromStdString(m_location.path);
        arguments << QStringLiteral("train") << specPath << QStringLiteral("--id") << id;
        if (gpus.size() > 1) // a run that takes several GPUs trains a data-parallel rank on each
            arguments << QStringLiteral("--gpus") << Device::visibleGpus(static_cast<int>(gpus.size()));
        if (const QString why = m_launcher->start(run, arguments, folder, gpus); !why.isEmpty()) {
            ended({id, QStringLiteral("agent %1: %2").arg(m_name, why)});
            return;
        }
        const QString where = m_launcher->where(id);
        console::note(QStringLiteral("agent %1: started %2 (attempt %3%4)")
                          .arg(m_name, id)
                          .arg(run.attempts)
                          .arg(where.isEmpty() ? QString() : QStringLiteral(", ") + where));
    }

    /// A run of this agent ended: one that did not say how (a crash, a refused start, a job gone) is
    /// marked failed, with why.
    void ended(const EndedRun& run)
    {
        QString error;
        const auto record = m_registry.run(run.id, &error);
        const bool said = record && isTerminal(record->status);
        if (run.failure.isEmpty() || said) {
            console::note(QStringLiteral("agent %1: %2 ended").arg(m_name, run.id));
            return;
        }
        if (record && !m_registry.setStatus(run.id, RunStatus::Failed, run.failure, &error))
            console::note(QStringLiteral("agent %1: %2").arg(m_name, error));
        console::note(QStringLiteral("agent %1: %2 %3").arg(m_name, run.id, run.failure));
    }

    void reap()
    {
        for (const EndedRun& run : m_launcher->reap())
            ended(run);
    }

    RegistryClient& m_registry;
    QueueClient& m_queue;
    const RegistryLocation& m_location;
    AgentOptions m_options;
    QString m_name;
    QString m_host;
    std::optional<QList<int>> m_gpusHere;
    std::unique_ptr<RunLauncher> m_launcher;
};

/// `jikken agent start|stop HOST`: an agent in tmux on a host of hosts.json, over ssh.
void addRemoteAgentCommands(CLI::App* agent, const RegistryLocation& registry, CommandAction& action)
{
    for (const bool start : {true, false}) {
        auto host = std::make_shared<std::string>();
        auto name = std::make_shared<std::string>();
        auto options = std::make_shared<AgentOptions>();
        CLI::App* verb = agent->add_subcommand(
            start ? "start" : "stop",
            start ? "Start an agent on a host of hosts.json, in tmux over ssh, reporting to this registry"
                  : "Stop the agent on a host (the runs it started end with it)");
        verb->add_option("host", *host, "the host's alias in hosts.json")->required();
        verb->add_option("--name", *name, "the agent's name (default: the host's alias)");
        if (start)
            options->addTo(verb);
        verb->callback([&registry, &action, host, name, options, start] {
            action = [&registry, host, name, options, start] {
                QString error;
                const auto settings = HostCatalog::find(QString::fromStdString(*host), &error);
                if (!settings)
                    return console::fail(error, console::kUsage);
                const QString agentName = name->empty() ? settings->alias : QString::fromStdString(*name);
                if (const QString problem = Dispatcher::agentNameError(agentName); !problem.isEmpty())
                    return console::fail(problem, console::kUsage);
                return withRegistry(registry, [&](RegistryClient& client, const ClientConfig& config) {
                    Dispatcher dispatcher(client, config);
                    QString why;
                    if (start ? !dispatcher.startAgent(*settings, agentName, options->arguments(), &why)
                              : !dispatcher.stopAgent(*settings, agentName, &why))
                        return console::fail(why);
                    console::out(start ? QStringLiteral("agent %1 started on %2 (tmux session jikken-agent-%1; "
                                                        "its output in .jikken/agents/%1.log)\n")
                                             .arg(agentName, settings->alias)
                                       : QStringLiteral("agent %1 on %2 stopped\n").arg(agentName, settings->alias));
                    return console::kOk;
                });
            };
        });
    }
}

/// `jikken agent unit`: a systemd user unit that runs this host's agent, reporting to this registry.
void addUnitCommand(CLI::App* agent, const RegistryLocation& registry, CommandAction& action)
{
    auto options = std::make_shared<AgentOptions>();
    auto print = std::make_shared<bool>(false);
    CLI::App* unit = agent->add_subcommand(
        "unit", "Write a systemd user unit that runs this host's agent (systemctl --user enable --now …)");
    unit->add_option("--name", options->name, "the agent's name (default: the host name)");
    unit->add_option("--host", options->host, "the host name runs ask for with --hosts (default: this machine's)");
    unit->add_flag("--print", *print, "print the unit instead of writing it");
    options->addTo(unit);
    unit->callback([&registry, &action, options, print] {
        action = [&registry, options, print] {
            QString error;
            const auto config = registry.resolve(&error);
            if (!config)
                return console::fail(error, console::kUsage);
            const QString name =
                options->name.empty() ? QSysInfo::machineHostName() : QString::fromStdString(options->name);
            if (const QString problem = Dispatcher::agentNameError(name); !problem.isEmpty())
                return console::fail(problem, console::kUsage);
            QStringList arguments{QStringLiteral("--name"), name};
            if (!options->host.empty())
                arguments << QStringLiteral("--host") << QString::fromStdString(options->host);
            arguments << options->arguments();
            const QString configDir = QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation);
            const QString unitName = QStringLiteral("jikken-agent-%1.service").arg(name);
            // The registry as this command found it; a service's token in a file only its owner reads.
            QStringList environment{QStringLiteral("JIKKEN_REGISTRY=") +
                                    (config->isService() ? config->service.toString()
                                     : DatabaseUrl::isPostgresql(config->database)
                                         ? config->database
                                         : QFileInfo(config->database).absoluteFilePath())};
            const QString tokenFile = QDir(configDir).filePath(QStringLiteral("jikken/agent-%1.env").arg(name));
            const QString text = AgentUnit::text(name, QCoreApplication::applicationFilePath(), arguments, environment,
                                                 config->isService() ? tokenFile : QString());
            if (*print) {
                console::out(text);
                return console::kOk;
            }
            const QString path = QDir(configDir).filePath(QStringLiteral("systemd/user/") + unitName);
            if (config->isService() &&
                !AgentUnit::writePrivate(tokenFile, QStringLiteral("JIKKEN_TOKEN=%1\n").arg(config->token), &error))
                return console::fail(error);
            if (!AgentUnit::writePrivate(path, text, &error))
                return console::fail(error);
            console::out(QStringLiteral("%1\nstart it: systemctl --user daemon-reload && systemctl --user enable --now "
                                        "%2\n(loginctl enable-linger keeps it running when you are logged out)\n")
                             .arg(path, unitName));
            return console::kOk;
        };
    });
}

} // namespace

void addAgentCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    auto options = std::make_shared<AgentOptions>();
    CLI::App* agent = app.add_subcommand(
        "agent", "Start queued runs on this host as GPUs (or slots) free up, each as jikken train --id; start|stop "
                 "HOST runs one on another host");
    agent->add_option("--name", options->name, "this agent's name (default: the host name); one per host");
    agent->add_option("--host", options->host, "the host name runs ask for with --hosts (default: this machine's)");
    options->addTo(agent);
    agent->callback([&registry, &action, agent, options] {
        if (!agent->get_subcommands().empty())
            return;
        action = [&registry, options] {
            return withQueue(registry, [&](RegistryClient& client, QueueClient& queue) {
                return Agent(client, queue, registry, *options).run();
            });
        };
    });
    addRemoteAgentCommands(agent, registry, action);
    addUnitCommand(agent, registry, action);
}

} // namespace jikken
