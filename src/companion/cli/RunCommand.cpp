// `jikken run --method M -- CMD…`: a training script of the user's own (Python, most often) under a model
// ID: the registry follows the TensorBoard event files it writes, and its exit status ends the run.

#include "Console.h"
#include "RegistryCommands.h"
#include "ReportedRun.h"
#include "dispatch/Dispatcher.h"
#include "events/ScalarFollower.h"
#include "registry/RegistryClient.h"
#include "util/Provenance.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QProcess>
#include <QTimer>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>

namespace jikken {

namespace {

constexpr int kFollowMs = 250; // how often the event files are read: scalars reach the registry within it
constexpr int kHeartbeatMs = 10000;

std::atomic_int g_signal{0};

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
    std::vector<std::string> command;
};

// Sends what the event files gained; progress carries the newest step and test error (a sign of life).
void follow(RegistryClient& registry, const QString& id, ScalarFollower& follower, bool* warned)
{
    QStringList warnings;
    const QVector<ScalarPoint> points = follower.poll(&warnings);
    if (points.isEmpty())
        return;
    QString error;
    qint64 step = 0;
    std::optional<double> testError;
    for (const ScalarPoint& p : points) {
        step = std::max(step, p.step);
        if (p.tag == QLatin1String("test/error"))
            testError = p.value;
    }
    if (!registry.addScalars(id, points, &error) || !registry.reportProgress(id, 0, step, testError, &error)) {
        if (!*warned)
            console::note(QStringLiteral("warning: %1 (the script goes on)").arg(error));
        *warned = true;
    }
}

/// The record of a script run: its command as `jikken run -- …` (quoted word by word), host, logdir and GPU.
RunDescription describeScript(const RunOptions& options, const QString& logDir)
{
    RunDescription description;
    description.host = qEnvironmentVariable("JIKKEN_HOST", Provenance::probe(QDir::currentPath()).host);
    description.command = console::shellQuote(QStringLiteral("jikken")) + QStringLiteral(" run -- ") + [&] {
        QStringList words;
        for (const std::string& word : options.command)
            words << console::shellQuote(QString::fromStdString(word));
        return words.join(u' ');
    }();
    description.logDir = logDir;
    description.device = qEnvironmentVariableIsSet("CUDA_VISIBLE_DEVICES")
                             ? QStringLiteral("cuda:") + qEnvironmentVariable("CUDA_VISIBLE_DEVICES")
                             : QString();
    return description;
}

/// Until the script ends: its scalars to the registry every kFollowMs, heartbeats, and a signal to this
/// process passed on to it (not to its group, as `kill` does).
void followUntilDone(QProcess& script, RegistryClient& registry, const QString& id, const QString& logDir)
{
    ScalarFollower follower(logDir);
    bool warned = false;
    QEventLoop loop;
    QObject::connect(&script, &QProcess::finished, &loop, &QEventLoop::quit);
    QTimer followTimer;
    QObject::connect(&followTimer, &QTimer::timeout, &loop, [&] { follow(registry, id, follower, &warned); });
    followTimer.start(kFollowMs);
    QTimer heartbeat;
    QObject::connect(&heartbeat, &QTimer::timeout, &loop, [&] {
        QString ignored;
        registry.heartbeat(id, &ignored);
    });
    heartbeat.start(kHeartbeatMs);
    QTimer forward;
    QObject::connect(&forward, &QTimer::timeout, &loop, [&] {
        if (const int signal = g_signal.load(); signal != 0 && script.state() == QProcess::Running)
            ::kill(static_cast<pid_t>(script.processId()), signal);
    });
    forward.start(100);
    if (script.state() == QProcess::Running)
        loop.exec();
    followTimer.stop();
    passOn(stdout, script.readAllStandardOutput());
    passOn(stderr, script.readAllStandardError());
    follow(registry, id, follower, &warned); // what it wrote last
}

int runHere(RegistryClient& direct, const ClientConfig& config, const RunOptions& options)
{
    QString error;
    QString id = QString::fromStdString(options.id);
    if (id.isEmpty()) {
        const auto reserved = direct.reserve(QString::fromStdString(options.method), &error);
        if (!reserved)
            return console::fail(error);
        id = reserved->toString();
    } else {
        const auto record = direct.run(id, &error);
        if (!record)
            return console::fail(error + QStringLiteral("; reserve it first with jikken reserve"));
        if (record->status != RunStatus::Reserved)
            return console::fail(QStringLiteral("%1 is %2, not reserved").arg(id, toString(record->status)));
    }
    const QString logDir =
        QFileInfo(options.logDir.empty() ? QStringLiteral("logs/") + id : QString::fromStdString(options.logDir))
            .absoluteFilePath()
            .replace(QStringLiteral("{id}"), id);
    // With a service, reports go through a journal in the logdir first, as with jikken train: a network
    // or SSH tunnel that drops while the script runs loses nothing; it is delivered when it is back.
    ReportedRun run(id, logDir, direct);
    if (const auto exit = run.open(config))
        return *exit;
    RegistryClient& registry = run.registry();
    QStringList command;
    for (const std::string& word : options.command)
        command << QString::fromStdString(word)
                       .replace(QStringLiteral("{id}"), id)
                       .replace(QStringLiteral("{logdir}"), logDir);

    if (!registry.describe(id, describeScript(options, logDir), &error) ||
        !registry.setStatus(id, RunStatus::Running, {}, &error))
        return run.fail(error);
    console::note(QStringLiteral("%1: %2 (logs in %3)").arg(id, command.join(u' '), logDir));

    QProcess script;
    // What the script prints goes to the terminal as it comes and into the run's output.log.
    script.setInputChannelMode(QProcess::ForwardedInputChannel);
    QObject::connect(&script, &QProcess::readyReadStandardOutput, &script,
                     [&script] { passOn(stdout, script.readAllStandardOutput()); });
    QObject::connect(&script, &QProcess::readyReadStandardError, &script,
                     [&script] { passOn(stderr, script.readAllStandardError()); });
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    // Python holds its output back when it is not a terminal's: it is wanted line by line.
    if (!environment.contains(QStringLiteral("PYTHONUNBUFFERED")))
        environment.insert(QStringLiteral("PYTHONUNBUFFERED"), QStringLiteral("1"));
    environment.insert(QStringLiteral("JIKKEN_ID"), id);
    environment.insert(QStringLiteral("JIKKEN_LOGDIR"), logDir);
    script.setProcessEnvironment(environment);
    std::signal(SIGINT, noteSignal);
    std::signal(SIGTERM, noteSignal);
    script.start(command.first(), command.mid(1));
    if (!script.waitForStarted(-1))
        return run.fail(QStringLiteral("cannot start %1: %2").arg(command.first(), script.errorString()));

    followUntilDone(script, registry, id, logDir);

    const int signal = g_signal.load();
    const bool crashed = script.exitStatus() != QProcess::NormalExit;
    const int status = script.exitCode();
    if (signal != 0) {
        registry.setStatus(id, RunStatus::Stopped, QStringLiteral("stopped by signal %1").arg(signal), &error);
        run.deliver();
        return 128 + signal;
    }
    if (crashed)
        return run.fail(QStringLiteral("%1 crashed").arg(command.first()));
    if (status != 0) {
        run.fail(QStringLiteral("exit status %1").arg(status));
        return status;
    }
    if (!registry.setStatus(id, RunStatus::Finished, {}, &error))
        return console::fail(error);
    return run.deliver() ? console::kOk : console::kUndelivered;
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
    run->add_option("COMMAND", options->command, "the command, after --")->required();
    run->callback([&action, &registry, options] {
        action = [&registry, options] {
            if (options->method.empty() == options->id.empty())
                return console::fail(QStringLiteral("give --method (a new ID) or --id (one reserved before)"),
                                     console::kUsage);
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
            return withRegistry(registry, [&](RegistryClient& client, const ClientConfig& config) {
                Dispatcher dispatcher(client, config);
                const auto id = dispatcher.dispatchCommand(*host, QString::fromStdString(options->method), command,
                                                           QString::fromStdString(options->gpu),
                                                           static_cast<int>(options->wait * 1000), &error);
                if (!id)
                    return console::fail(error);
                console::out(*id + u'\n');
                return console::kOk;
            });
        };
    });
}

} // namespace jikken
