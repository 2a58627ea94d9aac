#include "Dispatcher.h"

#include "GpuProbe.h"
#include "RemoteShell.h"
#include "SessionScripts.h"
#include "ShellQuote.h"
#include "registry/DatabaseUrl.h"
#include "registry/RegistryClient.h"
#include "spec/Device.h"

#include <QDeadlineTimer>
#include <QFileInfo>
#include <QHostInfo>
#include <QJsonDocument>
#include <QThread>

namespace jikken {

namespace {

constexpr int kPollMs = 100;
constexpr int kSessionCheckMs = 1000;
constexpr int kExitNoCompanion = 4;

using SessionScripts::prelude;
using ShellQuote::quote;

std::optional<QString> failWith(QString* error, const QString& message)
{
    if (error)
        *error = message;
    return std::nullopt;
}

} // namespace

Dispatcher::Dispatcher(RegistryClient& registry, ClientConfig registryConfig)
    : m_registry(registry), m_registryConfig(std::move(registryConfig))
{
}

QString Dispatcher::dispatchDirectory(const QString& id)
{
    return QStringLiteral(".jikken/dispatch/") + id;
}

std::optional<QString> Dispatcher::registryExports(const HostSettings& host, QString* error) const
{
    QStringList lines;
    if (m_registryConfig.isService()) {
        lines << QStringLiteral("export JIKKEN_REGISTRY=%1").arg(quote(m_registryConfig.service.toString()))
              << QStringLiteral("export JIKKEN_TOKEN=%1").arg(quote(m_registryConfig.token));
    } else if (DatabaseUrl::isPostgresql(m_registryConfig.database) || RemoteShell::isLocal(host.alias)) {
        const QString database = DatabaseUrl::isPostgresql(m_registryConfig.database)
                                     ? m_registryConfig.database
                                     : QFileInfo(m_registryConfig.database).absoluteFilePath();
        lines << QStringLiteral("export JIKKEN_REGISTRY=%1").arg(quote(database));
    } else if (m_router) {
        const auto route = m_router(host.alias, error);
        if (!route)
            return std::nullopt;
        lines << QStringLiteral("export JIKKEN_REGISTRY=%1").arg(quote(route->url))
              << QStringLiteral("export JIKKEN_TOKEN=%1").arg(quote(route->token));
    } else {
        return failWith(error, QStringLiteral("%1 cannot reach the registry, a file on this computer (%2); dispatch "
                                              "from the app (it opens an SSH tunnel), or run jikken serve and point "
                                              "JIKKEN_REGISTRY at it")
                                   .arg(host.alias, m_registryConfig.database));
    }
    return lines.join(u'\n');
}

std::optional<QString> Dispatcher::chooseGpu(const HostSettings& host, const QString& gpu, QString* error, int count)
{
    if (gpu == QLatin1String("cpu"))
        return QString();
    if (count > 1 && gpu != QLatin1String("auto"))
        return failWith(error, QStringLiteral("give --gpus (how many) or --gpu (which one), not both"));
    if (host.slurm && count > 1)
        return QString::number(count);
    // On a Slurm login node the scheduler picks the GPUs: "auto" asks for one, a number for that many.
    if (host.slurm) {
        bool ok = false;
        const int count = gpu == QLatin1String("auto") ? 1 : gpu.toInt(&ok);
        if (gpu != QLatin1String("auto") && (!ok || count < 1))
            return failWith(error,
                            QStringLiteral("on the Slurm host %1, --gpu is auto, cpu or how many GPUs, not \"%2\"")
                                .arg(host.alias, gpu));
        return QString::number(count);
    }
    // What Jikken already runs there, and on which GPU.
    QString registryError;
    RunFilter running;
    running.status = RunStatus::Running;
    const auto runs = m_registry.runs(running, &registryError);
    if (!runs)
        return failWith(error, registryError);
    QStringList used;
    int runsOnHost = 0;
    for (const RunRecord& run : *runs) {
        if (run.host != host.alias)
            continue;
        ++runsOnHost;
        for (const int index : Device::cudaIndicesIn(run.device)) // a data-parallel run's every GPU
            used << QString::number(index);
    }
    const QVector<HostGpus> probed = GpuProbe::probe({host}, 30000);
    const HostGpus& found = probed.first();
    if (!found.problem.isEmpty())
        return failWith(error, found.problem);
    const int limit = host.maxRuns > 0 ? host.maxRuns : std::max<int>(1, found.gpus.size());
    if (runsOnHost >= limit)
        return failWith(error, QStringLiteral("%1 already runs %2 Jikken run(s), its limit (max_runs in %3)")
                                   .arg(host.alias)
                                   .arg(runsOnHost)
                                   .arg(HostCatalog::settingsPath()));
    if (gpu != QLatin1String("auto")) {
        bool ok = false;
        const int index = gpu.toInt(&ok);
        const bool exists =
            std::any_of(found.gpus.begin(), found.gpus.end(), [index](const GpuStatus& g) { return g.index == index; });
        if (!ok || !exists)
            return failWith(error,
                            QStringLiteral("%1 has no GPU \"%2\" (it has %3)")
                                .arg(host.alias, gpu)
                                .arg(found.cpuOnly ? QStringLiteral("none") : QString::number(found.gpus.size())));
        return QString::number(index);
    }
    if (found.cpuOnly && count == 1)
        return QString();
    QStringList free;
    for (const GpuStatus& g : found.gpus) {
        if (!used.contains(QString::number(g.index)) && !g.inUse() && free.size() < count)
            free << QString::number(g.index);
    }
    if (free.size() == count)
        return free.join(u',');
    if (count == 1)
        return failWith(error,
                        QStringLiteral("%1 has no free GPU: all %2 are in use").arg(host.alias).arg(found.gpus.size()));
    return failWith(error, QStringLiteral("%1 has %2 free GPU(s), not the %3 asked for (it has %4)")
                               .arg(host.alias)
                               .arg(free.size())
                               .arg(count)
                               .arg(found.gpus.size()));
}

QString Dispatcher::launchScript(const HostSettings& host, const QString& id, const Launch& what,
                                 const QString& cudaDevices, const QString& registryExports) const
{
    const QString directory = dispatchDirectory(id);
    const QString output = directory + QStringLiteral("/output.log");
    // The run's own script: the user's setup lines (their shell, as they wrote them), then only quoted
    // values. Its output goes to the session and to output.log; `tee -i` outlives the Ctrl-C of a stop,
    // so the companion's last words are kept.
    QString run = QStringLiteral("#!/bin/sh\n") + host.setup.join(u'\n') + u'\n';
    if (!cudaDevices.isEmpty() && !host.slurm) // Slurm sets CUDA_VISIBLE_DEVICES to the GPUs it gives
        run += QStringLiteral("export CUDA_VISIBLE_DEVICES=%1\n").arg(quote(cudaDevices));
    run += QStringLiteral("export JIKKEN_HOST=%1\n").arg(quote(host.alias));
    run += registryExports + u'\n';
    run += what.environment;
    run += QStringLiteral("{ %1; echo $? > %2; } 2>&1 | tee -i -a %3\n")
               .arg(ShellQuote::command(what.through + QStringList{host.jikken} + what.arguments),
                    quote(directory + QStringLiteral("/exit-status")), quote(output));
    const QString companionCheck = host.jikken.contains(u'/')
                                       ? QStringLiteral("[ -x %1 ]").arg(quote(host.jikken))
                                       : QStringLiteral("command -v %1 >/dev/null 2>&1").arg(quote(host.jikken));
    QString script = QStringLiteral("set -e\n") + prelude(host);
    script += SessionScripts::checkTools(host);
    script += QStringLiteral("%1 || { echo %2 >&2; exit %3; }\n")
                  .arg(companionCheck,
                       quote(QStringLiteral("jikken is not installed as %1 on %2 (jikken install %2, or set \"jikken\" "
                                            "in hosts.json)")
                                 .arg(host.jikken, host.alias)),
                       QString::number(kExitNoCompanion));
    script += QStringLiteral("umask 077\nmkdir -p %1\n").arg(quote(directory));
    for (const auto& [path, content] : what.files)
        script += ShellQuote::hereDocument(path, content);
    script += ShellQuote::hereDocument(directory + QStringLiteral("/run.sh"), run);
    script += QStringLiteral("chmod 700 %1\n").arg(quote(directory + QStringLiteral("/run.sh")));
    script += SessionScripts::start(host, id, directory + QStringLiteral("/run.sh"),
                                    host.slurm ? cudaDevices : QString(), what.nodes);
    return script;
}

std::optional<QString> Dispatcher::dispatch(const HostSettings& host, RunSpec spec, const QString& gpu, int waitMs,
                                            QString* error, int gpus, int nodes)
{
    if (nodes > 0 && !host.slurm)
        return failWith(error, QStringLiteral("--nodes asks Slurm for a job on several nodes; %1 is not a Slurm host "
                                              "(\"slurm\": true in %2)")
                                   .arg(host.alias, HostCatalog::settingsPath()));
    if (spec.dataRoot.isEmpty())
        spec.dataRoot = host.dataRoot;
    RunDescription description = spec.description();
    description.command = ShellQuote::command(
        {QStringLiteral("jikken"), QStringLiteral("dispatch"), QStringLiteral("--host"), host.alias});
    return launch(
        host, spec.method, description, gpu,
        [&spec, gpus, nodes](const QString& id, bool gpuGiven) {
            RunSpec resolved = spec;
            // Given a GPU, the trainer must use it, not fall back to the CPU unnoticed.
            if (gpuGiven && resolved.device == QLatin1String("auto"))
                resolved.device = QStringLiteral("cuda");
            const QString specPath = dispatchDirectory(id) + QStringLiteral("/spec.json");
            QStringList arguments{QStringLiteral("train"), specPath, QStringLiteral("--id"), id};
            if (gpus > 1) { // a rank on each GPU the session sees: CUDA_VISIBLE_DEVICES numbers them from 0
                arguments << QStringLiteral("--gpus") << Device::visibleGpus(gpus);
                resolved.nproc = gpus;
            }
            Launch launch{arguments, {}, {}, {}, nodes};
            if (nodes > 0) { // srun starts a launcher a node; each learns its place from Slurm's environment
                resolved.nnodes = nodes;
                launch.arguments << QStringLiteral("--nnodes") << QString::number(nodes);
                launch.through = {
                    QStringLiteral("srun"),
                    QStringLiteral("--ntasks-per-node=1"),
                    QStringLiteral("--kill-on-bad-exit=1"),
                    QStringLiteral("sh"),
                    QStringLiteral("-c"),
                    QStringLiteral("exec \"$0\" \"$@\" --node-rank \"$SLURM_NODEID\" --master \"$JIKKEN_MASTER\"")};
                // Node 0 of the allocation hosts the rendezvous, on a port of the job's own.
                launch.environment = QStringLiteral(
                    "JIKKEN_MASTER=\"$(scontrol show hostnames \"$SLURM_JOB_NODELIST\" | head -n 1):$((29500 + "
                    "SLURM_JOB_ID % 20000))\"\nexport JIKKEN_MASTER\n");
            }
            launch.files = {{specPath, QString::fromUtf8(QJsonDocument(resolved.toJson()).toJson())}};
            return launch;
        },
        waitMs, error, gpus);
}

std::optional<QString> Dispatcher::dispatchCommand(const HostSettings& host, const QString& method,
                                                   const QStringList& command, const QString& gpu, int waitMs,
                                                   QString* error, const QStringList& runOptions)
{
    RunDescription description;
    description.command = ShellQuote::command(command);
    return launch(
        host, method, description, gpu,
        [&command, &runOptions](const QString& id, bool) {
            return Launch{QStringList{QStringLiteral("run"), QStringLiteral("--id"), id} + runOptions +
                              QStringList{QStringLiteral("--")} + command,
                          {},
                          {},
                          {},
                          0};
        },
        waitMs, error);
}

std::optional<QString> Dispatcher::launch(const HostSettings& host, const QString& method, RunDescription description,
                                          const QString& gpu, const LaunchMaker& make, int waitMs, QString* error,
                                          int gpus)
{
    const auto exports = registryExports(host, error);
    if (!exports)
        return std::nullopt;
    const auto cudaDevices = chooseGpu(host, gpu, error, gpus);
    if (!cudaDevices)
        return std::nullopt;
    const auto reserved = m_registry.reserve(method, error);
    if (!reserved)
        return std::nullopt;
    const QString id = reserved->toString();
    const auto markFailed = [&](const QString& reason) -> std::optional<QString> {
        QString ignored;
        m_registry.setStatus(id, RunStatus::Failed, reason, &ignored);
        return failWith(error, QStringLiteral("%1 failed: %2").arg(id, reason));
    };
    description.host = host.alias;
    // Slurm chooses the GPU when the job starts; the trainer then reports which one it got.
    description.device = cudaDevices->isEmpty() ? QStringLiteral("cpu")
                         : host.slurm           ? QStringLiteral("cuda")
                                                : QStringLiteral("cuda:") + *cudaDevices;
    if (!m_registry.describe(id, description, error))
        return markFailed(*error);

    const RemoteShell shell(host.alias);
    const RemoteResult launched =
        shell.run(launchScript(host, id, make(id, !cudaDevices->isEmpty()), *cudaDevices, *exports));
    if (!launched.ok())
        return markFailed(launched.failure());

    // Until the trainer says it runs (or stops early), watching that its session (or job) lives. A Slurm
    // job may wait in the queue for long: it is there, so the dispatch is done.
    const QString sessionCheck = prelude(host) + SessionScripts::isAlive(host, id);
    QDeadlineTimer deadline(waitMs);
    QDeadlineTimer nextSessionCheck(kSessionCheckMs);
    while (true) {
        QString ignored;
        const auto record = m_registry.run(id, &ignored);
        if (record && record->status != RunStatus::Reserved)
            return record->status == RunStatus::Failed
                       ? failWith(error, QStringLiteral("%1 failed: %2").arg(id, record->statusReason))
                       : std::optional(id);
        if (nextSessionCheck.hasExpired() || deadline.hasExpired()) {
            const RemoteResult alive = shell.run(sessionCheck);
            if (alive.exitCode == SessionScripts::kGone) {
                // Gone without a word to the registry: its output says why.
                const auto again = m_registry.run(id, &ignored);
                if (again && again->status != RunStatus::Reserved)
                    continue;
                const QString said = QString::fromUtf8(alive.out).trimmed().section(u'\n', -1);
                return markFailed(
                    said.isEmpty() ? QStringLiteral("the run's session on %1 ended at once").arg(host.alias) : said);
            }
            if (deadline.hasExpired() || (host.slurm && alive.ok()))
                return id; // alive, and still starting (a large dataset, a slow file system, a queue)
            nextSessionCheck.setRemainingTime(kSessionCheckMs);
        }
        QThread::msleep(kPollMs);
    }
}

std::optional<Dispatcher::Placed> Dispatcher::placeOf(const QString& id, QString* error)
{
    auto record = m_registry.run(id, error);
    if (!record)
        return std::nullopt;
    if (record->host.isEmpty()) {
        failWith(error, QStringLiteral("%1 names no host").arg(id));
        return std::nullopt;
    }
    // A run started from a terminal here carries this machine's own name, which is no ssh alias.
    const bool here = record->host.compare(QHostInfo::localHostName(), Qt::CaseInsensitive) == 0;
    const auto host = HostCatalog::find(here ? QStringLiteral("localhost") : record->host, error);
    if (!host)
        return std::nullopt;
    return Placed{*host, std::move(*record)};
}

bool Dispatcher::stop(const QString& id, int graceMs, QString* error)
{
    const auto placed = placeOf(id, error);
    if (!placed)
        return false;
    const HostSettings* host = &placed->host;
    const QString& folder = placed->record.logDir;
    const RemoteShell shell(host->alias);
    const QString here = prelude(*host);
    const RemoteResult interrupted = shell.run(here + SessionScripts::interrupt(*host, id, folder));
    if (interrupted.exitCode == SessionScripts::kGone) {
        failWith(error, QStringLiteral("%1 has no session on %2 (it is not running there)").arg(id, host->alias));
        return false;
    }
    if (!interrupted.ok()) {
        failWith(error, interrupted.failure());
        return false;
    }
    QDeadlineTimer deadline(graceMs);
    while (!deadline.hasExpired()) {
        const RemoteResult alive = shell.run(here + SessionScripts::isAlive(*host, id, folder));
        if (alive.problem.isEmpty() && alive.exitCode == SessionScripts::kGone) {
            // The trainer finished its step, checkpointed and marked itself stopped; a job cancelled
            // while it waited in the queue never started, so it is marked here.
            QString ignored;
            const auto record = m_registry.run(id, &ignored);
            if (record && record->status == RunStatus::Reserved)
                m_registry.setStatus(id, RunStatus::Stopped, QStringLiteral("cancelled before it started"), &ignored);
            return true;
        }
        QThread::msleep(250);
    }
    const RemoteResult killed = shell.run(here + SessionScripts::kill(*host, id, folder));
    QString ignored;
    const auto record = m_registry.run(id, &ignored);
    if (record && (record->status == RunStatus::Running || record->status == RunStatus::Reserved))
        m_registry.setStatus(id, RunStatus::Stopped,
                             QStringLiteral("killed: no clean stop within %1 s").arg(graceMs / 1000.0), &ignored);
    if (!killed.ok()) {
        failWith(error, killed.failure());
        return false;
    }
    return true;
}

std::optional<QString> Dispatcher::output(const QString& id, int lines, QString* error)
{
    const auto placed = placeOf(id, error);
    if (!placed)
        return std::nullopt;
    // A dispatched run's session log, else the output.log its trainer keeps (a run started from a terminal).
    const QString script =
        prelude(placed->host) + SessionScripts::state(placed->host, id, placed->record.logDir) +
        QStringLiteral("log=%1\n[ -f \"$log\" ] || log=%2\ntail -n %3 \"$log\"\n")
            .arg(quote(dispatchDirectory(id) + QStringLiteral("/output.log")),
                 quote(placed->record.logDir + u'/' + QString::fromLatin1(SessionScripts::kOutputLog)))
            .arg(lines);
    const RemoteResult result = RemoteShell(placed->host.alias).run(script);
    if (!result.ok())
        return failWith(error, result.failure());
    return QString::fromUtf8(result.out);
}

std::optional<QStringList> Dispatcher::attachCommand(const QString& id, QString* error)
{
    const auto placed = placeOf(id, error);
    if (!placed)
        return std::nullopt;
    const HostSettings& host = placed->host;
    const RemoteShell shell(host.alias);
    if (host.slurm || placed->record.logDir.isEmpty())
        return shell.interactiveCommand(SessionScripts::attach(host, id));
    // No tmux session: a run started from a terminal, whose output.log is followed instead.
    const RemoteResult session = shell.run(prelude(host) + SessionScripts::isAlive(host, id));
    if (!session.problem.isEmpty()) {
        failWith(error, session.failure());
        return std::nullopt;
    }
    return shell.interactiveCommand(session.exitCode == 0 ? SessionScripts::attach(host, id)
                                                          : SessionScripts::follow(placed->record.logDir));
}

} // namespace jikken
