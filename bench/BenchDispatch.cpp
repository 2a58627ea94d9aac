// Dispatch against issue 5's targets, over loopback SSH to a real sshd (the tests' fixture) with the real
// `jikken` binary on the far side and `jikken serve` as the registry:
//   - dispatch to "running": `jikken run` around a script, cold (first connection) and warm (the master
//     connection reused), against a bare `ssh HOST true` as the baseline;
//   - the GPU view of 10 hosts, probed at once, against probing them one after another;
//   - the app's embedded registry: a tunnel opened for a dispatch, and the main thread's longest gap meanwhile;
//   - scalar latency: a wrapped script's event file to the registry.
//
//   ./build/bench/bench_dispatch        (as root: it starts sshd; needs openssh-server and tmux)
#include "../tests/JikkenProcess.h"
#include "../tests/ServeProcess.h"
#include "../tests/SshServer.h"
#include "GapMeter.h"
#include "dispatch/Dispatcher.h"
#include "dispatch/EmbeddedRegistryTunnels.h"
#include "dispatch/GpuProbe.h"
#include "registry/HttpRegistryClient.h"
#include "registry/RegistryStore.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

using namespace jikken;
using namespace jikken::testing;

namespace {

constexpr int kHosts = 10;
constexpr int kRepeats = 5;

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

void row(const char* job, double measured, const char* unit, double target)
{
    if (target > 0)
        std::printf("| %-62s | %9.0f %-2s | %7.0f %-2s | %6.2fx |\n", job, measured, unit, target, unit,
                    target / measured);
    else
        std::printf("| %-62s | %9.0f %-2s | %10s | %7s |\n", job, measured, unit, "baseline", "");
}

int quietly(const QString& program, const QStringList& arguments)
{
    QProcess process;
    process.start(program, arguments);
    process.waitForFinished(60000);
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

void writeFile(const QString& path, const QByteArray& text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    file.open(QIODevice::WriteOnly);
    file.write(text);
    file.close();
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    // The far side logs in as a lab account with a plain shell set-up: root's own rc files on a
    // developer's machine (pyenv init, conda) cost ~0.5 s per session and would be measured instead.
    const QString user = QStringLiteral("jikkenbench");
    // "*": no password, yet not locked ("!"), which sshd without PAM would refuse.
    if (quietly(QStringLiteral("id"), {user}) != 0)
        quietly(QStringLiteral("useradd"), {QStringLiteral("-m"), QStringLiteral("-p"), QStringLiteral("*"),
                                            QStringLiteral("-s"), QStringLiteral("/bin/bash"), user});
    QTemporaryDir dir;
    QFile(dir.path())
        .setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                        QFileDevice::ReadOther | QFileDevice::ExeOther);
    QStringList aliases;
    for (int i = 0; i < kHosts; ++i)
        aliases << QStringLiteral("gpu%1").arg(i);
    SshServer ssh;
    QString error;
    if (!ssh.start(dir.filePath(QStringLiteral("ssh")), aliases, QStringLiteral("stranger"), &error, user))
        qFatal("%s", qPrintable(error));
    writeFile(dir.filePath(QStringLiteral("bin/nvidia-smi")),
              "#!/bin/sh\nfor i in 0 1 2 3 4 5 6 7; do echo \"$i, NVIDIA H100 80GB HBM3, 3, 81559, 0\"; done\n");
    QFile(dir.filePath(QStringLiteral("bin/nvidia-smi")))
        .setPermissions(QFileDevice::ReadOwner | QFileDevice::ExeOwner | QFileDevice::ReadOther |
                        QFileDevice::ExeOther);
    const QString work = dir.filePath(QStringLiteral("work"));
    QDir().mkpath(work);
    quietly(QStringLiteral("chown"), {user, work});
    QJsonObject hosts;
    for (const QString& alias : aliases)
        hosts.insert(
            alias,
            QJsonObject{{QStringLiteral("jikken"), QStringLiteral(JIKKEN_BINARY)},
                        {QStringLiteral("workdir"), work},
                        {QStringLiteral("setup"),
                         QJsonArray{QStringLiteral("export PATH=%1:$PATH").arg(dir.filePath(QStringLiteral("bin")))}}});
    writeFile(dir.filePath(QStringLiteral("config/jikken/hosts.json")),
              QJsonDocument(QJsonObject{{QStringLiteral("hosts"), hosts}}).toJson());
    qputenv("JIKKEN_SSH_CONFIG", ssh.configPath().toUtf8());
    qputenv("XDG_CONFIG_HOME", dir.filePath(QStringLiteral("config")).toUtf8());

    JikkenProcess jikken(dir.filePath(QStringLiteral("home")), work);
    const QString database = dir.filePath(QStringLiteral("registry.sqlite"));
    ServeProcess serve(jikken, database);
    const QString token = serve.makeToken(QStringLiteral("bench"));
    if (token.isEmpty() || !serve.start(&error))
        qFatal("jikken serve: %s", qPrintable(error));
    ClientConfig config;
    config.service = QUrl(serve.url());
    config.token = token;
    HttpRegistryClient registry(config.service, token);
    Dispatcher dispatcher(registry, config);
    const auto catalog = HostCatalog::load(&error);
    if (!catalog)
        qFatal("%s", qPrintable(error));
    const auto host = [&](const QString& alias) {
        return *std::find_if(catalog->begin(), catalog->end(), [&](const HostSettings& h) { return h.alias == alias; });
    };

    std::printf("| %-62s | %12s | %10s | %7s |\n", "job", "measured", "target", "ratio");
    std::printf(
        "|----------------------------------------------------------------|--------------|------------|---------|\n");

    // Baseline: one bare ssh round trip with a fresh handshake (no master connection).
    std::vector<double> bare;
    for (int i = 0; i < kRepeats; ++i) {
        QElapsedTimer timer;
        timer.start();
        quietly(QStringLiteral("ssh"),
                {QStringLiteral("-F"), ssh.configPath(), QStringLiteral("-o"), QStringLiteral("BatchMode=yes"),
                 QStringLiteral("gpu9"), QStringLiteral("true")});
        bare.push_back(timer.nsecsElapsed() / 1e6);
    }
    row("ssh HOST true, a fresh connection each time (median of 5)", median(bare), "ms", 0);

    // Dispatch to running: `jikken run` around a script that sleeps, so the run is there to find.
    const QStringList command{QStringLiteral("sleep"), QStringLiteral("30")};
    std::vector<double> cold, warm;
    QStringList started;
    for (int i = 0; i < kRepeats; ++i) {
        const HostSettings target = host(aliases[i]);
        for (std::vector<double>* times : {&cold, &warm}) {
            QElapsedTimer timer;
            timer.start();
            const auto id = dispatcher.dispatchCommand(target, QStringLiteral("bench"), command, QStringLiteral("cpu"),
                                                       20000, &error);
            if (!id)
                qFatal("%s", qPrintable(error));
            times->push_back(timer.nsecsElapsed() / 1e6);
            started << *id;
        }
    }
    row("dispatch to running, first to a host (new connection; median)", median(cold), "ms", 0);
    row("dispatch to running, again (connection reused; median)", median(warm), "ms", 1500);
    for (const QString& id : started)
        dispatcher.stop(id, 5000, &error);

    // The GPU view: ten hosts at once, against one after another (fresh connections both: new aliases).
    QVector<HostSettings> ten;
    for (const QString& alias : aliases)
        ten << host(alias);
    // Closes every master connection, so the next probe starts from a handshake.
    const auto closeMasters = [] {
        quietly(QStringLiteral("sh"),
                {QStringLiteral("-c"), QStringLiteral("for s in %1/jikken-ssh-*; do [ -S \"$s\" ] && ssh -o "
                                                      "ControlPath=\"$s\" -O exit x 2>/dev/null; done; true")
                                           .arg(QDir::tempPath())});
    };
    closeMasters();
    QElapsedTimer timer;
    timer.start();
    for (const HostSettings& one : ten)
        GpuProbe::probe({one}, 20000);
    const double oneByOne = timer.nsecsElapsed() / 1e6;
    closeMasters();
    timer.restart();
    const QVector<HostGpus> probed = GpuProbe::probe(ten, 20000);
    const double atOnce = timer.nsecsElapsed() / 1e6;
    int gpus = 0;
    for (const HostGpus& h : probed)
        gpus += h.gpus.size();
    row("GPU view, 10 hosts one after another (fresh connections)", oneByOne, "ms", 0);
    row(qPrintable(QStringLiteral("GPU view, 10 hosts at once (fresh connections; %1 GPUs)").arg(gpus)), atOnce, "ms",
        2000);
    timer.restart();
    GpuProbe::probe(ten, 20000);
    row("GPU view, 10 hosts at once, connections reused", timer.nsecsElapsed() / 1e6, "ms", 2000);

    // The app's embedded registry (a file here): a dispatch, on a worker thread as the app's, opens a tunnel
    // to a host with a fresh connection while the main thread (the window's) ticks every 5 ms. Its longest
    // gap, beside how long the opening took (which the window's thread itself waited out before).
    {
        closeMasters();
        EmbeddedRegistryTunnels tunnels(dir.filePath(QStringLiteral("embedded.sqlite")));
        GapMeter gaps;
        std::atomic<bool> routed = false;
        QString why;
        timer.restart();
        std::thread dispatching([&, route = tunnels.router()] {
            if (!route(QStringLiteral("gpu8"), &why))
                qFatal("%s", qPrintable(why));
            routed = true;
        });
        while (!routed)
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
        const double opening = timer.nsecsElapsed() / 1e6;
        dispatching.join();
        row("embedded registry: tunnel opened from a worker (fresh ssh)", opening, "ms", 0);
        row("embedded registry: the main thread's longest gap meanwhile", gaps.longestMs(), "ms", 50);
    }

    // Scalar latency: a wrapped script writes a point every 0.2 s; each is looked for in the registry.
    const QString script = QStringLiteral(JIKKEN_SOURCE_DIR "/tests/data/write_events.py");
    QProcess wrapper;
    jikken.setEnvironment(QStringLiteral("JIKKEN_REGISTRY"), serve.url());
    jikken.setEnvironment(QStringLiteral("JIKKEN_TOKEN"), token);
    jikken.start(wrapper, {QStringLiteral("run"), QStringLiteral("--method"), QStringLiteral("latency"),
                           QStringLiteral("--"), QStringLiteral("python3"), script, QStringLiteral("{logdir}"),
                           QStringLiteral("25"), QStringLiteral("0.2"), QStringLiteral("0")});
    wrapper.waitForReadyRead(10000);
    QString id;
    std::vector<double> latencies;
    QElapsedTimer clock;
    clock.start();
    while (wrapper.state() == QProcess::Running || latencies.size() < 25) {
        if (id.isEmpty()) {
            RunFilter newest;
            newest.newestFirst = true;
            newest.limit = 1;
            const auto runs = registry.runs(newest, &error).value_or(QVector<RunRecord>());
            if (!runs.isEmpty() && runs.first().id.endsWith(QLatin1String("_latency")))
                id = runs.first().id;
        } else {
            const auto points = registry.series(id, QStringLiteral("test/error"), &error);
            const double now = QDateTime::currentMSecsSinceEpoch() / 1000.0;
            for (int i = static_cast<int>(latencies.size()); points && i < points->size(); ++i)
                latencies.push_back((now - points->wallTimes[i]) * 1000);
        }
        if (clock.elapsed() > 60000)
            break;
        QThread::msleep(20);
    }
    wrapper.waitForFinished(10000);
    if (!latencies.empty()) {
        row("scalar latency, event file to registry (median of 25, 20 ms polls)", median(latencies), "ms", 2000);
        row("scalar latency, the slowest of 25", *std::max_element(latencies.begin(), latencies.end()), "ms", 2000);
    }
    std::printf("(ratio: target / measured; > 1 meets the target)\n");
    return 0;
}
