// `jikken run --method M -- CMD…`: a training script of the user's own (Python, most often) under a model
// ID: the registry follows the TensorBoard event files it writes and what it says through the Python
// package, and its exit status ends the run. `--follow-pid` follows a script that started on its own.

#include "Console.h"
#include "RegistryCommands.h"
#include "ReportedRun.h"
#include "ScriptRun.h"
#include "dispatch/Dispatcher.h"
#include "registry/RegistryClient.h"
#include "util/Provenance.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonObject>
#include <QProcess>
#include <QTimer>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <functional>
#include <memory>

namespace jikken {

namespace {

constexpr int kFollowMs = 250; // how often the event files are read: scalars reach the registry within it
constexpr int kHeartbeatMs = 10000;
constexpr int kSystemMs = 5000; // machine use, as often as jikken train samples it

std::atomic_int g_signal{0};    ///< a signal to this process not yet passed on
std::atomic_int g_forwarded{0}; ///< the last signal passed on to the script

extern "C" void noteSignal(int signal)
{
    // Ctrl-C in the terminal (or tmux) reaches the script too: wait for it to finish, then say so.
    g_signal.store(signal);
}

/// The script's output on our own stream, and in the run's output.log.
void passOn(FILE* stream, const QByteArray& bytes)
{
    if (bytes.isEmpty())
        return;
    std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stream);
    std::fflush(stream);
    console::keep(bytes);
}

struct RunOptions
{
    std::string method;
    std::string id;
    std::string host;
    std::string gpu = "auto";
    double wait = 20;
    std::string logDir;
    std::string model;
    std::string dataset;
    std::vector<std::string> hparams;
    std::string metric;
    std::string mode = "min";
    qint64 followPid = 0;
    std::vector<std::string> command;
};

/// `--hparam KEY=VALUE` as the record keeps it: a number, true/false, or text.
std::optional<QJsonObject> parseHparams(const std::vector<std::string>& pairs, QString* error)
{
    QJsonObject hparams;
    for (const std::string& pair : pairs) {
        const QString text = QString::fromStdString(pair);
        const qsizetype equals = text.indexOf(u'=');
        if (equals <= 0) {
            *error = QStringLiteral("--hparam wants KEY=VALUE, not \"%1\"").arg(text);
            return std::nullopt;
        }
        const QString value = text.mid(equals + 1);
        bool isNumber = false;
        const double number = value.toDouble(&isNumber);
        hparams.insert(text.left(equals), isNumber                          ? QJsonValue(number)
                                          : value == QLatin1String("true")  ? QJsonValue(true)
                                          : value == QLatin1String("false") ? QJsonValue(false)
                                                                            : QJsonValue(value));
    }
    return hparams;
}

/// What the run on a host is told of the script, as `jikken run` options.
QStringList describingOptions(const RunOptions& options)
{
    QStringList words;
    const auto add = [&words](const char* flag, const std::string& value) {
        if (!value.empty())
            words << QString::fromLatin1(flag) << QString::fromStdString(value);
    };
    add("--model", options.model);
    add("--dataset", options.dataset);
    for (const std::string& pair : options.hparams)
        add("--hparam", pair);
    add("--metric", options.metric);
    if (!options.metric.empty())
        add("--mode", options.mode);
    return words;
}

/// The folder a script's command works in: that of the first argument that is a file (the script), else here.
QString scriptFolder(const QStringList& command)
{
    for (const QString& word : command.mid(1)) {
        const QFileInfo file(word);
        if (!word.startsWith(u'-') && file.isFile())
            return file.absolutePath();
    }
    return QDir::currentPath();
}

/// The record of a script run: its command as `jikken run -- …` (quoted word by word, as typed), host,
/// logdir, GPU and the git state of the script's repository.
RunDescription describeScript(const QStringList& command, const QString& logDir)
{
    RunDescription description;
    const Provenance provenance = Provenance::probe(scriptFolder(command));
    description.host = qEnvironmentVariable("JIKKEN_HOST", provenance.host);
    if (!command.isEmpty()) {
        QStringList words;
        for (const QString& word : command)
            words << console::shellQuote(word);
        description.command =
            console::shellQuote(QStringLiteral("jikken")) + QStringLiteral(" run -- ") + words.join(u' ');
    }
    description.gitCommit = provenance.gitCommit;
    description.gitDirty = provenance.gitDirty;
    description.versions = {{QStringLiteral("jikken"), QStringLiteral(JIKKEN_VERSION)}};
    description.logDir = logDir;
    description.device = qEnvironmentVariableIsSet("CUDA_VISIBLE_DEVICES")
                             ? QStringLiteral("cuda:") + qEnvironmentVariable("CUDA_VISIBLE_DEVICES")
                             : QString();
    return description;
}

/// The last line a failing script printed on stderr that says something (Python's exception line).
QString lastErrorLine(const QByteArray& tail)
{
    const QList<QByteArray> lines = tail.split('\n');
    for (auto it = lines.crbegin(); it != lines.crend(); ++it) {
        const QString line = QString::fromUtf8(*it).trimmed();
        if (!line.isEmpty())
            return line.left(500);
    }
    return {};
}

/// Whether `pid` is still there (a process that is not our child cannot be waited for).
bool alive(qint64 pid)
{
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

/// Until `done` says so: the script's scalars and reports to the registry every kFollowMs, its machine use
/// every kSystemMs, heartbeats, and a signal to this process passed on to `pid` (not to its group, as `kill`
/// does).
void followUntil(ScriptRun& run, qint64 pid, const std::function<bool()>& done, QProcess* child)
{
    QEventLoop loop;
    if (child)
        QObject::connect(child, &QProcess::finished, &loop, &QEventLoop::quit);
    QTimer followTimer;
    QObject::connect(&followTimer, &QTimer::timeout, &loop, [&] {
        run.poll();
        if (done())
            loop.quit();
    });
    followTimer.start(kFollowMs);
    QTimer system;
    QObject::connect(&system, &QTimer::timeout, &loop, [&] { run.sampleSystem(); });
    system.start(kSystemMs);
    QTimer heartbeat;
    QObject::connect(&heartbeat, &QTimer::timeout, &loop, [&] { run.heartbeat(); });
    heartbeat.start(kHeartbeatMs);
    QTimer forward;
    QObject::connect(&forward, &QTimer::timeout, &loop, [&] {
        if (const int signal = g_signal.exchange(0); signal != 0 && alive(pid)) {
            g_forwarded.store(signal);
            ::kill(static_cast<pid_t>(pid), signal);
        }
    });
    forward.start(100);
    run.sampleSystem(); // the first sample starts the CPU clock
    if (!done())
        loop.exec();
    run.poll(); // what it wrote last
    run.sampleSystem();
}

/// How a script's run ended: its status, the reason, and `jikken run`'s exit status.
struct ScriptEnd
{
    RunStatus status = RunStatus::Finished;
    QString reason;
    int exitCode = console::kOk;
};

/// The end of a script we started, from how it exited and what it said of itself.
ScriptEnd endOfChild(const QProcess& script, const ScriptReports::State& said, const QByteArray& errorTail)
{
    const int signal = g_forwarded.load();
    if (signal != 0)
        return {RunStatus::Stopped, QStringLiteral("stopped by signal %1").arg(signal), 128 + signal};
    const bool saidUnfinished = said.end && *said.end != RunStatus::Finished;
    if (script.exitStatus() != QProcess::NormalExit)
        return {RunStatus::Failed, QStringLiteral("%1 crashed").arg(script.program()), console::kFailure};
    if (script.exitCode() != 0) {
        const QString line = saidUnfinished && !said.endReason.isEmpty() ? said.endReason : lastErrorLine(errorTail);
        return {RunStatus::Failed,
                QStringLiteral("exit status %1").arg(script.exitCode()) + (line.isEmpty() ? QString() : u": " + line),
                script.exitCode()};
    }
    if (saidUnfinished)
        return {*said.end, said.endReason, console::kFailure};
    return {};
}

/// The end of a process we followed: what it said, or that it is gone without saying.
ScriptEnd endOfFollowed(qint64 pid, const ScriptReports::State& said)
{
    if (!said.end)
        return {RunStatus::Failed, QStringLiteral("process %1 ended without ending its run (killed?)").arg(pid),
                console::kFailure};
    if (*said.end == RunStatus::Finished)
        return {};
    return {*said.end, said.endReason, *said.end == RunStatus::Stopped ? 128 + SIGINT : console::kFailure};
}

/// The run's own reserved ID, checked, or a new one; an error line when neither.
std::optional<QString> runId(RegistryClient& direct, const RunOptions& options, QString* error)
{
    if (options.id.empty()) {
        const auto reserved = direct.reserve(QString::fromStdString(options.method), error);
        return reserved ? std::optional<QString>(reserved->toString()) : std::nullopt;
    }
    const QString id = QString::fromStdString(options.id);
    const auto record = direct.run(id, error);
    if (!record) {
        *error += QStringLiteral("; reserve it first with jikken reserve");
        return std::nullopt;
    }
    if (record->status != RunStatus::Reserved) {
        *error = QStringLiteral("%1 is %2, not reserved").arg(id, toString(record->status));
        return std::nullopt;
    }
    return id;
}

int runHere(RegistryClient& direct, const ClientConfig& config, const RunOptions& options)
{
    QString error;
    const auto hparams = parseHparams(options.hparams, &error);
    if (!hparams)
        return console::fail(error, console::kUsage);
    const auto reserved = runId(direct, options, &error);
    if (!reserved)
        return console::fail(error);
    const QString id = *reserved;
    const QString logDir =
        QFileInfo(options.logDir.empty() ? QStringLiteral("logs/") + id : QString::fromStdString(options.logDir))
            .absoluteFilePath()
            .replace(QStringLiteral("{id}"), id);
    // With a service, reports go through a journal in the logdir first, as with jikken train: a network
    // or SSH tunnel that drops while the script runs loses nothing; it is delivered when it is back.
    ReportedRun reported(id, logDir, direct);
    if (const auto exit = reported.open(config))
        return *exit;
    RegistryClient& registry = reported.registry();
    QStringList command;
    for (const std::string& word : options.command)
        command << QString::fromStdString(word)
                       .replace(QStringLiteral("{id}"), id)
                       .replace(QStringLiteral("{logdir}"), logDir);

    const ScriptFacts facts{QString::fromStdString(options.model), QString::fromStdString(options.dataset), *hparams,
                            QString::fromStdString(options.metric), options.mode == "max"};
    // The command is recorded as typed, {id} and {logdir} kept: Run Again gives the next run its own.
    QStringList typed;
    for (const std::string& word : options.command)
        typed << QString::fromStdString(word);
    ScriptRun run(registry, id, logDir, describeScript(typed, logDir), facts);
    if (!registry.setStatus(id, RunStatus::Running, {}, &error))
        return reported.fail(error);
    std::signal(SIGINT, noteSignal);
    std::signal(SIGTERM, noteSignal);

    ScriptEnd end;
    if (options.followPid != 0) {
        const qint64 pid = options.followPid;
        console::note(QStringLiteral("%1: following process %2 (logs in %3)").arg(id).arg(pid).arg(logDir));
        run.watchProcess(pid);
        followUntil(
            run, pid, [&] { return run.reports().end || !alive(pid); }, nullptr);
        end = endOfFollowed(pid, run.reports());
    } else {
        console::note(QStringLiteral("%1: %2 (logs in %3)").arg(id, command.join(u' '), logDir));
        QProcess script;
        QByteArray errorTail; // the end of what it printed on stderr, for the reason when it fails
        const auto passOnError = [&errorTail](const QByteArray& bytes) {
            passOn(stderr, bytes);
            errorTail = QByteArray(errorTail + bytes).right(8192);
        };
        // What the script prints goes to the terminal as it comes and into the run's output.log.
        script.setInputChannelMode(QProcess::ForwardedInputChannel);
        QObject::connect(&script, &QProcess::readyReadStandardOutput, &script,
                         [&] { passOn(stdout, script.readAllStandardOutput()); });
        QObject::connect(&script, &QProcess::readyReadStandardError, &script,
                         [&] { passOnError(script.readAllStandardError()); });
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        // Python holds its output back when it is not a terminal's: it is wanted line by line.
        if (!environment.contains(QStringLiteral("PYTHONUNBUFFERED")))
            environment.insert(QStringLiteral("PYTHONUNBUFFERED"), QStringLiteral("1"));
        environment.insert(QStringLiteral("JIKKEN_ID"), id);
        environment.insert(QStringLiteral("JIKKEN_LOGDIR"), logDir);
        script.setProcessEnvironment(environment);
        script.start(command.first(), command.mid(1));
        if (!script.waitForStarted(-1))
            return reported.fail(QStringLiteral("cannot start %1: %2").arg(command.first(), script.errorString()));
        run.watchProcess(script.processId());
        followUntil(
            run, script.processId(), [&] { return script.state() == QProcess::NotRunning; }, &script);
        passOn(stdout, script.readAllStandardOutput());
        passOnError(script.readAllStandardError());
        end = endOfChild(script, run.reports(), errorTail);
    }

    const QJsonObject results = run.results();
    if (!results.isEmpty() && !registry.setFinalMetrics(id, results, &error))
        console::note(QStringLiteral("warning: %1").arg(error));
    if (end.status == RunStatus::Failed) {
        reported.fail(end.reason);
        return end.exitCode;
    }
    if (!registry.setStatus(id, end.status, end.reason, &error))
        return console::fail(error);
    const bool delivered = reported.deliver();
    if (end.exitCode != console::kOk)
        return end.exitCode;
    return delivered ? console::kOk : console::kUndelivered;
}

} // namespace

void addRunCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    auto options = std::make_shared<RunOptions>();
    CLI::App* run = app.add_subcommand(
        "run", "Run your own training command under a new model ID: {id} and {logdir} in it are replaced, the "
               "TensorBoard event files it writes in the logdir go to the registry, its exit status ends the run");
    run->add_option("--method", options->method, "the method part of the ID (lowercase letters, digits, -)");
    run->add_option("--id", options->id, "an ID reserved before, instead of --method");
    run->add_option("--host", options->host, "run it on this host (ssh alias or localhost), in tmux");
    run->add_option("--gpu", options->gpu, "with --host: auto, cpu, or a GPU index")->capture_default_str();
    run->add_option("--wait", options->wait, "with --host: seconds to wait for it to start")->capture_default_str();
    run->add_option("--logdir", options->logDir, "where the command writes event files (default logs/{id})");
    run->add_option("--model", options->model, "the model it trains, for the registry's model column");
    run->add_option("--dataset", options->dataset, "the dataset it trains on");
    run->add_option("--hparam", options->hparams, "a hyperparameter, KEY=VALUE (repeat it)");
    run->add_option("--metric", options->metric,
                    "a tag whose last and best values become the run's results (e.g. test/error)");
    run->add_option("--mode", options->mode, "with --metric: min or max is best")
        ->check(CLI::IsMember({"min", "max"}))
        ->capture_default_str();
    run->add_option("--follow-pid", options->followPid,
                    "follow a process already running (the Python package's own scripts) instead of a COMMAND: "
                    "its run ends with what it reports, or failed when it is gone without a word");
    run->add_option("COMMAND", options->command, "the command, after --");
    run->callback([&action, &registry, options] {
        action = [&registry, options] {
            if (options->method.empty() == options->id.empty())
                return console::fail(QStringLiteral("give --method (a new ID) or --id (one reserved before)"),
                                     console::kUsage);
            if (options->command.empty() == (options->followPid == 0))
                return console::fail(QStringLiteral("give a COMMAND after -- or --follow-pid PID"), console::kUsage);
            if (options->followPid < 0 || (options->followPid != 0 && !options->host.empty()))
                return console::fail(QStringLiteral("--follow-pid wants a process of this machine"), console::kUsage);
            if (options->host.empty())
                return withRegistry(registry, [&](RegistryClient& client, const ClientConfig& config) {
                    return runHere(client, config, *options);
                });
            QString error;
            const auto host = HostCatalog::find(QString::fromStdString(options->host), &error);
            if (!host)
                return console::fail(error, console::kUsage);
            if (!options->id.empty())
                return console::fail(QStringLiteral("--host reserves its own ID: give --method"), console::kUsage);
            QStringList command;
            for (const std::string& word : options->command)
                command << QString::fromStdString(word);
            if (!parseHparams(options->hparams, &error))
                return console::fail(error, console::kUsage);
            return withRegistry(registry, [&](RegistryClient& client, const ClientConfig& config) {
                Dispatcher dispatcher(client, config);
                const auto id = dispatcher.dispatchCommand(
                    *host, QString::fromStdString(options->method), command, QString::fromStdString(options->gpu),
                    static_cast<int>(options->wait * 1000), &error, describingOptions(*options));
                if (!id)
                    return console::fail(error);
                console::out(*id + u'\n');
                return console::kOk;
            });
        };
    });
}

} // namespace jikken
