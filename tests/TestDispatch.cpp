// Dispatch with real components: Debian's sshd on loopback (SshServer), tmux on the "remote" side, a
// script named nvidia-smi on that side's PATH, the real `jikken` binary as the remote companion, and
// `jikken serve` as the registry the remote run reports to. Hostile text everywhere it can go.
#include "JikkenProcess.h"
#include "ServeProcess.h"
#include "SlurmCluster.h"
#include "SshServer.h"
#include "dispatch/CompanionBundle.h"
#include "dispatch/RegistryTunnel.h"
#include "dispatch/RemoteShell.h"
#include "dispatch/ShellQuote.h"
#include "registry/RegistryStore.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QUrl>
#include <QtTest>

using namespace jikken;
using namespace jikken::testing;

namespace {

// Two GPUs: the first one busy (30 GB in use by something else), the second one free.
const char* kFakeNvidiaSmi = "#!/bin/sh\n"
                             "echo '0, NVIDIA A100-SXM4-40GB, 30000, 40960, 97'\n"
                             "echo '1, NVIDIA A100-SXM4-40GB, 3, 40960, 0'\n";
QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

const QString kHostile = QStringLiteral("it's \"$(touch PWNED)\" `touch PWNED` ; touch PWNED\n$HOME 実験 \\");

} // namespace

class TestDispatch : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    SshServer m_ssh;
    SlurmCluster m_slurm;
    std::unique_ptr<JikkenProcess> m_jikken;
    std::unique_ptr<ServeProcess> m_serve;
    QString m_database;
    QString m_token;
    QString m_work;
    QStringList m_sessions;

    QString path(const QString& name) const { return m_dir.filePath(name); }

    void writeFile(const QString& name, const QByteArray& text, QFileDevice::Permissions permissions = {})
    {
        QDir().mkpath(QFileInfo(path(name)).absolutePath());
        QFile file(path(name));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(text);
        file.close();
        if (permissions)
            file.setPermissions(permissions);
    }

    QString writeSpec(const QString& name, int epochs, const QString& memo = {})
    {
        QJsonObject spec{{QStringLiteral("model"), QStringLiteral("lenet")},
                         {QStringLiteral("method"), QStringLiteral("focalloss")},
                         {QStringLiteral("epochs"), epochs},
                         {QStringLiteral("train_limit"), 3000},
                         {QStringLiteral("test_limit"), 1000},
                         {QStringLiteral("threads"), 1}};
        if (!memo.isEmpty())
            spec.insert(QStringLiteral("memo"), memo);
        writeFile(name, QJsonDocument(spec).toJson());
        return path(name);
    }

    std::optional<RunRecord> record(const QString& id)
    {
        RegistryStore store;
        QString error;
        if (!store.open(m_database, &error))
            return std::nullopt;
        return store.run(id, &error);
    }

    bool waitForStatus(const QString& id, RunStatus status, int timeoutMs)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            const auto run = record(id);
            if (run && run->status == status)
                return true;
            QThread::msleep(200);
        }
        return false;
    }

    static bool sessionExists(const QString& id)
    {
        QProcess tmux;
        tmux.start(QStringLiteral("tmux"), {QStringLiteral("has-session"), QStringLiteral("-t"), u'=' + id});
        return tmux.waitForFinished() && tmux.exitStatus() == QProcess::NormalExit && tmux.exitCode() == 0;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_ssh.start(path(QStringLiteral("ssh")), {QStringLiteral("gpu-a"), QStringLiteral("login")},
                             QStringLiteral("stranger"), &error),
                 qPrintable(error));
        writeFile(QStringLiteral("bin/nvidia-smi"), kFakeNvidiaSmi,
                  QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        // The work folder's name is hostile too: it reaches the remote shell only quoted.
        m_work = path(QStringLiteral("work ") + kHostile.left(30).remove(u'\n').remove(u'/'));
        QVERIFY(QDir().mkpath(m_work));
        const QJsonObject gpuA{{QStringLiteral("jikken"), QStringLiteral(JIKKEN_BINARY)},
                               {QStringLiteral("workdir"), m_work},
                               {QStringLiteral("setup"),
                                QJsonArray{QStringLiteral("export PATH=%1:$PATH").arg(path(QStringLiteral("bin")))}}};
        const QJsonObject local{{QStringLiteral("jikken"), QStringLiteral(JIKKEN_BINARY)},
                                {QStringLiteral("workdir"), m_work}};
        const QJsonObject broken{{QStringLiteral("jikken"), QStringLiteral("/nonexistent/jikken")}};
        // A Slurm login node (the same machine, through sshd): runs go through sbatch.
        QVERIFY2(m_slurm.start(path(QStringLiteral("slurm")), &error), qPrintable(error));
        const QJsonObject login{
            {QStringLiteral("jikken"), QStringLiteral(JIKKEN_BINARY)},
            {QStringLiteral("workdir"), m_work},
            {QStringLiteral("scheduler"), QStringLiteral("slurm")},
            {QStringLiteral("setup"), QJsonArray{QStringLiteral("export SLURM_CONF=%1").arg(m_slurm.configPath())}}};
        writeFile(
            QStringLiteral("config/jikken/hosts.json"),
            QJsonDocument(QJsonObject{{QStringLiteral("hosts"), QJsonObject{{QStringLiteral("gpu-a"), gpuA},
                                                                            {QStringLiteral("localhost"), local},
                                                                            {QStringLiteral("login"), login},
                                                                            {QStringLiteral("stranger"), broken}}}})
                .toJson());
        m_jikken = std::make_unique<JikkenProcess>(path(QStringLiteral("home")), m_work);
        m_jikken->setEnvironment(QStringLiteral("JIKKEN_SSH_CONFIG"), m_ssh.configPath());
        m_jikken->setEnvironment(QStringLiteral("XDG_CONFIG_HOME"), path(QStringLiteral("config")));
        // The registry: a service the remote companions report to.
        m_database = path(QStringLiteral("registry.sqlite"));
        m_serve = std::make_unique<ServeProcess>(*m_jikken, m_database);
        const QString token = m_token = m_serve->makeToken(QStringLiteral("dispatch"));
        QVERIFY(!token.isEmpty());
        QVERIFY2(m_serve->start(&error), qPrintable(error));
        m_jikken->setEnvironment(QStringLiteral("JIKKEN_REGISTRY"), m_serve->url());
        m_jikken->setEnvironment(QStringLiteral("JIKKEN_TOKEN"), token);
    }

    void cleanupTestCase()
    {
        for (const QString& id : m_sessions) {
            QProcess tmux; // most have ended already; quietly
            tmux.start(QStringLiteral("tmux"), {QStringLiteral("kill-session"), QStringLiteral("-t"), u'=' + id});
            tmux.waitForFinished();
        }
    }

    void hostsShowGpusCpuHostsAndSshErrors()
    {
        const Result result = m_jikken->run({QStringLiteral("hosts")});
        QCOMPARE(result.exitCode, 0);
        QVERIFY2(result.out.contains(
                     QRegularExpression(QStringLiteral("gpu-a +0 +NVIDIA A100-SXM4-40GB +30000/40960 +97% +free"))),
                 qPrintable(result.out + result.err));
        QVERIFY(result.out.contains(QRegularExpression(QStringLiteral("gpu-a +1 .* 3/40960 +0% +free"))));
        QVERIFY(result.out.contains(QRegularExpression(QStringLiteral("localhost +cpu host"))));
        // An unknown host key is an error that says what to do, never accepted silently.
        QVERIFY2(result.out.contains(QRegularExpression(
                     QStringLiteral("stranger +unreachable: stranger: its SSH host key is not known"))),
                 qPrintable(result.out));
    }

    // GPU 0 is busy, so "auto" picks GPU 1 and the run gets CUDA_VISIBLE_DEVICES=1; this machine has no
    // CUDA, so the companion refuses, and the reservation is marked failed with its reason.
    void aFailureAfterTheReservationMarksItFailed()
    {
        const Result result = m_jikken->run({QStringLiteral("dispatch"), QStringLiteral("--host"),
                                             QStringLiteral("gpu-a"), writeSpec(QStringLiteral("cuda.json"), 1)});
        QCOMPARE(result.exitCode, 1);
        const QString id = result.err.section(u' ', 1, 1);
        QVERIFY2(result.err.contains(QStringLiteral("failed:")) && result.err.contains(QStringLiteral("CUDA")),
                 qPrintable(result.err));
        const auto run = record(id);
        QVERIFY2(run, qPrintable(result.err));
        QCOMPARE(toString(run->status), toString(RunStatus::Failed));
        QVERIFY2(run->statusReason.contains(QStringLiteral("CUDA")), qPrintable(run->statusReason));
        QCOMPARE(run->host, QStringLiteral("gpu-a"));
        QCOMPARE(run->device, QStringLiteral("cuda:1"));
    }

    // Over SSH to the service-backed registry: the run trains in a tmux session named after its ID, the
    // hostile memo arrives byte for byte, and nothing in it ran.
    void dispatchesOverSshAndTrains()
    {
        const QString spec = writeSpec(QStringLiteral("cpu.json"), 1, kHostile);
        const Result result =
            m_jikken->run({QStringLiteral("dispatch"), QStringLiteral("--host"), QStringLiteral("gpu-a"),
                           QStringLiteral("--gpu"), QStringLiteral("cpu"), spec});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        const QString id = result.out.trimmed();
        m_sessions << id;
        const auto running = record(id);
        QVERIFY(running);
        QVERIFY2(running->status == RunStatus::Running || running->status == RunStatus::Finished,
                 qPrintable(toString(running->status)));
        QCOMPARE(running->host, QStringLiteral("gpu-a"));
        QVERIFY(waitForStatus(id, RunStatus::Finished, 240000));
        const auto finished = record(id);
        QCOMPARE(finished->device, QStringLiteral("cpu"));
        QVERIFY(finished->logDir.startsWith(m_work));
        QCOMPARE(finished->spec.value(QStringLiteral("memo")).toString(), kHostile);
        QVERIFY(!QFile::exists(path(QStringLiteral("PWNED"))));
        QVERIFY(!QFile::exists(QDir(m_work).filePath(QStringLiteral("PWNED"))));
        QVERIFY(!QFile::exists(QDir::home().filePath(QStringLiteral("PWNED"))));

        const Result output = m_jikken->run({QStringLiteral("output"), id});
        QCOMPARE(output.exitCode, 0);
        QVERIFY2(output.out.contains(id), qPrintable(output.out));
        // Its session ended with the run: a terminal follows the output it left instead.
        const Result attach = m_jikken->run({QStringLiteral("attach"), QStringLiteral("--print"), id});
        QVERIFY2(attach.out.contains(QStringLiteral("-t -- gpu-a 'tail' '-n' '200' '-f' ")) &&
                     attach.out.contains(QStringLiteral("/logs/%1/output.log").arg(id)),
                 qPrintable(attach.out));

        // Its best checkpoint, fetched from gpu-a over ssh (the hostile work folder quoted on the way):
        // the file the registry recorded, byte for byte.
        const CheckpointRecord* best = Checkpoints::best(finished->checkpoints);
        QVERIFY(best);
        QCOMPARE(best->host, QStringLiteral("gpu-a"));
        const QString pulled = path(QStringLiteral("pulled"));
        QVERIFY(QDir().mkpath(pulled));
        const auto sha256Of = [](const QString& file) {
            QFile in(file);
            return in.open(QIODevice::ReadOnly)
                       ? QString::fromLatin1(QCryptographicHash::hash(in.readAll(), QCryptographicHash::Sha256).toHex())
                       : QString();
        };
        const QString target = QDir(pulled).filePath(id + u'-' + QFileInfo(best->path).fileName());
        const Result pull = m_jikken->run({QStringLiteral("pull"), id, QStringLiteral("--best"), pulled});
        QVERIFY2(pull.exitCode == 0, qPrintable(pull.err));
        QCOMPARE(pull.out.trimmed(), target);
        QCOMPARE(sha256Of(target), best->sha256);
        // Resumed from what an interrupted fetch left; a leftover of another file is fetched again whole.
        QFile original(best->path);
        QVERIFY(original.open(QIODevice::ReadOnly));
        const QByteArray bytes = original.readAll();
        original.close();
        for (const QByteArray& left : {bytes.left(bytes.size() / 2), QByteArray(bytes.size() / 3, 'x')}) {
            const QString again = QDir(pulled).filePath(QStringLiteral("again.pt"));
            QFile part(again + QStringLiteral(".part"));
            QVERIFY(part.open(QIODevice::WriteOnly));
            part.write(left);
            part.close();
            const Result resumed = m_jikken->run({QStringLiteral("pull"), id, again});
            QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
            QCOMPARE(sha256Of(again), best->sha256);
            QVERIFY(!QFile::exists(again + QStringLiteral(".part")));
        }
        const Result noStep =
            m_jikken->run({QStringLiteral("pull"), id, QStringLiteral("--step"), QStringLiteral("7")});
        QCOMPARE(noStep.exitCode, 1);
        QVERIFY2(noStep.err.contains(QStringLiteral("no checkpoint at step 7")), qPrintable(noStep.err));
        // A file changed on the host since it was recorded is not fetched.
        QVERIFY(original.open(QIODevice::Append));
        original.write("tampered");
        original.close();
        const QString refusedTarget = QDir(pulled).filePath(QStringLiteral("changed.pt"));
        const Result changed = m_jikken->run({QStringLiteral("pull"), id, refusedTarget});
        QCOMPARE(changed.exitCode, 1);
        QVERIFY2(changed.err.contains(QStringLiteral("has changed since the registry recorded it")),
                 qPrintable(changed.err));
        QCOMPARE(changed.err.count(u'\n'), 1);
        QVERIFY(!QFile::exists(refusedTarget));
    }

    // localhost needs no SSH; a long run stops cleanly on Ctrl-C in its session.
    void stopsARunCleanly()
    {
        const Result result = m_jikken->run({QStringLiteral("dispatch"), QStringLiteral("--host"),
                                             QStringLiteral("localhost"), writeSpec(QStringLiteral("long.json"), 40)});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        const QString id = result.out.trimmed();
        m_sessions << id;
        QVERIFY(sessionExists(id));
        QVERIFY(waitForStatus(id, RunStatus::Running, 60000));
        const Result attach = m_jikken->run({QStringLiteral("attach"), QStringLiteral("--print"), id});
        QCOMPARE(attach.out.trimmed(), QStringLiteral("tmux attach-session -t =%1").arg(id)); // a live session
        const Result stopped =
            m_jikken->run({QStringLiteral("stop"), id, QStringLiteral("--grace"), QStringLiteral("120")});
        QVERIFY2(stopped.exitCode == 0, qPrintable(stopped.err));
        QVERIFY(waitForStatus(id, RunStatus::Stopped, 30000));
        QVERIFY(!sessionExists(id));
        const Result again = m_jikken->run({QStringLiteral("stop"), id});
        QCOMPARE(again.exitCode, 1);
        QVERIFY(again.err.contains(QStringLiteral("no session")));
    }

    // `jikken run` around a Python script that writes its own event file: here in the foreground, then
    // on a host in tmux; the scalars reach the registry, the exit status ends the run.
    void wrapsAScriptAndFollowsItsEventFiles()
    {
        const QString script =
            qEnvironmentVariable("JIKKEN_TEST_SOURCE_DIR") + QStringLiteral("/tests/data/write_events.py");
        const Result here =
            m_jikken->run({QStringLiteral("run"), QStringLiteral("--method"), QStringLiteral("py-script"),
                           QStringLiteral("--"), QStringLiteral("python3"), script, QStringLiteral("{logdir}"),
                           QStringLiteral("20"), QStringLiteral("0.02"), QStringLiteral("0")});
        QVERIFY2(here.exitCode == 0, qPrintable(here.err));
        QVERIFY(here.out.contains(QStringLiteral("step 19 error")));
        const QString id = here.err.section(u':', 0, 0);
        const auto run = record(id);
        QVERIFY2(run, qPrintable(here.err));
        QCOMPARE(toString(run->status), toString(RunStatus::Finished));
        QVERIFY(run->latestTestError && qAbs(*run->latestTestError - 0.9 / 20) < 1e-6);
        RegistryStore store;
        QString error;
        QVERIFY(store.open(m_database, &error));
        QCOMPARE(store.scalars(id, QStringLiteral("loss"), &error).value().size(), 20);

        const Result failing =
            m_jikken->run({QStringLiteral("run"), QStringLiteral("--method"), QStringLiteral("py-script"),
                           QStringLiteral("--"), QStringLiteral("python3"), script, QStringLiteral("{logdir}"),
                           QStringLiteral("2"), QStringLiteral("0"), QStringLiteral("3")});
        QCOMPARE(failing.exitCode, 3);
        const auto failed = record(failing.err.section(u':', 0, 0));
        QVERIFY(failed);
        QCOMPARE(failed->statusReason, QStringLiteral("exit status 3"));

        const Result remote = m_jikken->run(
            {QStringLiteral("run"), QStringLiteral("--method"), QStringLiteral("py-script"), QStringLiteral("--host"),
             QStringLiteral("gpu-a"), QStringLiteral("--gpu"), QStringLiteral("cpu"), QStringLiteral("--"),
             QStringLiteral("python3"), script, QStringLiteral("{logdir}"), QStringLiteral("10"),
             QStringLiteral("0.05"), QStringLiteral("0")});
        QVERIFY2(remote.exitCode == 0, qPrintable(remote.err));
        const QString remoteId = remote.out.trimmed();
        m_sessions << remoteId;
        QVERIFY(waitForStatus(remoteId, RunStatus::Finished, 60000));
        QCOMPARE(store.scalars(remoteId, QStringLiteral("test/error"), &error).value().size(), 10);
        QCOMPARE(record(remoteId)->host, QStringLiteral("gpu-a"));
    }

    // A Slurm login node: sbatch with the job named after the ID, its state in the output, scancel to stop.
    void dispatchesToSlurm()
    {
        const Result result = m_jikken->run({QStringLiteral("dispatch"), QStringLiteral("--host"),
                                             QStringLiteral("login"), QStringLiteral("--gpu"), QStringLiteral("cpu"),
                                             writeSpec(QStringLiteral("slurm.json"), 1, kHostile)});
        QVERIFY2(result.exitCode == 0, qPrintable(result.err));
        const QString id = result.out.trimmed();
        QVERIFY(waitForStatus(id, RunStatus::Finished, 240000));
        QCOMPARE(record(id)->host, QStringLiteral("login"));
        QCOMPARE(record(id)->spec.value(QStringLiteral("memo")).toString(), kHostile);
        const Result output = m_jikken->run({QStringLiteral("output"), id});
        QVERIFY2(output.out.startsWith(QStringLiteral("slurm job ")), qPrintable(output.out + output.err));

        const Result long_ = m_jikken->run({QStringLiteral("dispatch"), QStringLiteral("--host"),
                                            QStringLiteral("login"), QStringLiteral("--gpu"), QStringLiteral("cpu"),
                                            writeSpec(QStringLiteral("slurm-long.json"), 40)});
        QVERIFY2(long_.exitCode == 0, qPrintable(long_.err));
        const QString longId = long_.out.trimmed();
        QVERIFY(waitForStatus(longId, RunStatus::Running, 60000));
        const Result stopped =
            m_jikken->run({QStringLiteral("stop"), longId, QStringLiteral("--grace"), QStringLiteral("120")});
        QVERIFY2(stopped.exitCode == 0, qPrintable(stopped.err));
        QVERIFY(waitForStatus(longId, RunStatus::Stopped, 30000));

        // A data-parallel run as one job: srun starts the run's launcher on each node, which learns its place
        // and the rendezvous from Slurm's environment (the test cluster has one node: two CPU ranks on it).
        QJsonObject twoRanks =
            QJsonDocument::fromJson(readAll(writeSpec(QStringLiteral("slurm-ranks.json"), 1))).object();
        twoRanks.insert(QStringLiteral("nproc"), 2);
        writeFile(QStringLiteral("slurm-ranks.json"), QJsonDocument(twoRanks).toJson());
        const Result ranks =
            m_jikken->run({QStringLiteral("dispatch"), QStringLiteral("--host"), QStringLiteral("login"),
                           QStringLiteral("--gpu"), QStringLiteral("cpu"), QStringLiteral("--nodes"),
                           QStringLiteral("1"), path(QStringLiteral("slurm-ranks.json"))});
        QVERIFY2(ranks.exitCode == 0, qPrintable(ranks.err));
        const QString ranksId = ranks.out.trimmed();
        QVERIFY2(waitForStatus(ranksId, RunStatus::Finished, 240000), qPrintable(record(ranksId)->statusReason));
        QVERIFY2(record(ranksId)->device.startsWith(QStringLiteral("2 ranks · ")), qPrintable(record(ranksId)->device));
        // Started by srun, placed by Slurm's environment: node 0, hosting the rendezvous on the job's node.
        const QString command = record(ranksId)->command;
        QVERIFY2(command.contains(QStringLiteral("--nnodes 1 --node-rank 0 --master ")), qPrintable(command));

        const Result badGpu = m_jikken->run({QStringLiteral("dispatch"), QStringLiteral("--host"),
                                             QStringLiteral("login"), QStringLiteral("--gpu"), QStringLiteral("many"),
                                             writeSpec(QStringLiteral("slurm-bad.json"), 1)});
        QCOMPARE(badGpu.exitCode, 1);
        QVERIFY(badGpu.err.contains(QStringLiteral("how many GPUs")));
    }

    // `jikken install`: the companion and its libraries, over ssh, into a folder with a hostile name.
    void installsASelfContainedCompanion()
    {
        const QString prefix = path(QStringLiteral("bundle ") + kHostile.left(24).remove(u'\n').remove(u'/'));
        const QStringList install{QStringLiteral("install"), QStringLiteral("gpu-a"), QStringLiteral("--prefix"),
                                  prefix};
        Result r = m_jikken->run(install);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(!r.out.contains(QStringLiteral("(0 files sent")), qPrintable(r.out));
        for (const char* file :
             {"bin/jikken", "libexec/jikken", "lib/libQt6Core.so.6", "plugins/sqldrivers/libqsqlite.so"})
            QVERIFY2(QFileInfo::exists(prefix + u'/' + QString::fromLatin1(file)), file);
        QVERIFY(!QFileInfo::exists(prefix + QStringLiteral("/lib/libc.so.6"))); // the host's own
        QVERIFY(!QFile::exists(path(QStringLiteral("PWNED"))));
        QVERIFY(!QFile::exists(QDir::home().filePath(QStringLiteral("PWNED"))));

        // Self-contained: every library the loader finds for it, apart from the C library's, is the bundle's.
        QProcess ldd;
        QProcessEnvironment env;
        env.insert(QStringLiteral("LD_LIBRARY_PATH"), prefix + QStringLiteral("/lib"));
        ldd.setProcessEnvironment(env);
        ldd.start(QStringLiteral("ldd"), {prefix + QStringLiteral("/libexec/jikken")});
        QVERIFY(ldd.waitForFinished(30000));
        int bundled = 0;
        static const QRegularExpression line(QStringLiteral("^\\s*(\\S+) => (.+) \\(0x[0-9a-f]+\\)$"));
        for (const QString& text : QString::fromLocal8Bit(ldd.readAllStandardOutput()).split(u'\n')) {
            const auto match = line.match(text);
            if (!match.hasMatch() || CompanionBundle::belongsToTheHost(match.captured(1)))
                continue;
            QVERIFY2(match.captured(2).startsWith(prefix + QStringLiteral("/lib/")), qPrintable(text));
            ++bundled;
        }
        QVERIFY(bundled > 20);
        // It runs with nothing from the environment.
        QProcess bare;
        bare.setProcessEnvironment(QProcessEnvironment());
        bare.start(prefix + QStringLiteral("/bin/jikken"), {QStringLiteral("--version")});
        QVERIFY(bare.waitForFinished(30000));
        QCOMPARE(bare.exitCode(), 0);
        QVERIFY(bare.readAllStandardOutput().startsWith("0."));

        // Again: nothing travels; a file that went missing travels alone.
        r = m_jikken->run(install);
        QVERIFY2(r.exitCode == 0 && r.out.contains(QStringLiteral("(0 files sent")), qPrintable(r.out + r.err));
        QVERIFY(QFile::remove(prefix + QStringLiteral("/lib/libQt6Core.so.6")));
        r = m_jikken->run(install);
        QVERIFY2(r.exitCode == 0 && r.out.contains(QStringLiteral("(1 files sent")), qPrintable(r.out + r.err));

        const Result stranger = m_jikken->run({QStringLiteral("install"), QStringLiteral("stranger"),
                                               QStringLiteral("--prefix"), path(QStringLiteral("never"))});
        QCOMPARE(stranger.exitCode, 1);
        QVERIFY2(stranger.err.contains(QStringLiteral("host key is not known")), qPrintable(stranger.err));
        QCOMPARE(stranger.err.count(u'\n'), 1);
        QVERIFY(QDir(prefix).removeRecursively()); // half a gigabyte
    }

    // A reverse tunnel carries a registry service here to the host's loopback; cut, it comes back; a port
    // the host already uses is refused in one line.
    void aTunnelCarriesTheRegistryToTheHost()
    {
        qputenv("JIKKEN_SSH_CONFIG", m_ssh.configPath().toUtf8());
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 remote = probe.serverPort();
        probe.close();
        RegistryTunnel tunnel(QStringLiteral("gpu-a"), static_cast<quint16>(QUrl(m_serve->url()).port()), remote);
        QString error;
        QVERIFY2(tunnel.open(20000, &error) == RegistryTunnel::Opening::Open, qPrintable(error));
        QCOMPARE(tunnel.remoteUrl(), QStringLiteral("http://127.0.0.1:%1").arg(remote));
        const QString ls = QStringLiteral("JIKKEN_REGISTRY=%1 JIKKEN_TOKEN=%2 %3 ls --format csv\n")
                               .arg(tunnel.remoteUrl(), m_token, ShellQuote::quote(QStringLiteral(JIKKEN_BINARY)));
        RemoteResult listed = RemoteShell(QStringLiteral("gpu-a")).run(ls);
        QVERIFY2(listed.ok(), qPrintable(listed.failure()));
        QVERIFY(listed.out.startsWith("id,method"));

        QString dropped;
        bool reopened = false;
        tunnel.onDropped([&](const QString& why) { dropped = why; });
        tunnel.onReopened([&] { reopened = true; });
        tunnel.process().kill();
        QTRY_VERIFY_WITH_TIMEOUT(!dropped.isEmpty(), 5000);
        QVERIFY2(dropped.contains(QStringLiteral("gpu-a: the tunnel to the registry dropped")), qPrintable(dropped));
        QTRY_VERIFY_WITH_TIMEOUT(reopened, 20000);
        listed = RemoteShell(QStringLiteral("gpu-a")).run(ls);
        QVERIFY2(listed.ok(), qPrintable(listed.failure()));

        RegistryTunnel second(QStringLiteral("gpu-a"), static_cast<quint16>(QUrl(m_serve->url()).port()), remote);
        QVERIFY(second.open(20000, &error) == RegistryTunnel::Opening::PortTaken);
        QCOMPARE(error, QStringLiteral("gpu-a: port %1 is taken there").arg(remote));
        RegistryTunnel unreachable(QStringLiteral("stranger"), 1, remote);
        QVERIFY(unreachable.open(20000, &error) == RegistryTunnel::Opening::Failed);
        QVERIFY2(error.startsWith(QStringLiteral("stranger: the tunnel to the registry did not open: ")),
                 qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("Host key verification failed")), qPrintable(error));
    }

    void refusalsAreOneClearLine()
    {
        const QString spec = writeSpec(QStringLiteral("any.json"), 1);
        const Result unknown =
            m_jikken->run({QStringLiteral("dispatch"), QStringLiteral("--host"), QStringLiteral("nowhere"), spec});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY(unknown.err.contains(QStringLiteral("unknown host \"nowhere\"")));
        const Result noGpu =
            m_jikken->run({QStringLiteral("dispatch"), QStringLiteral("--host"), QStringLiteral("gpu-a"),
                           QStringLiteral("--gpu"), QStringLiteral("7"), spec});
        QCOMPARE(noGpu.exitCode, 1);
        QVERIFY2(noGpu.err.contains(QStringLiteral("gpu-a has no GPU \"7\"")), qPrintable(noGpu.err));
        // A data-parallel run asks for GPUs no one uses: gpu-a's first is busy.
        const Result tooFew =
            m_jikken->run({QStringLiteral("dispatch"), QStringLiteral("--host"), QStringLiteral("gpu-a"),
                           QStringLiteral("--gpus"), QStringLiteral("2"), spec});
        QCOMPARE(tooFew.exitCode, 1);
        QVERIFY2(tooFew.err.contains(QStringLiteral("gpu-a has 1 free GPU(s), not the 2 asked for (it has 2)")),
                 qPrintable(tooFew.err));
        const Result both = m_jikken->run({QStringLiteral("dispatch"), QStringLiteral("--host"),
                                           QStringLiteral("gpu-a"), QStringLiteral("--gpus"), QStringLiteral("2"),
                                           QStringLiteral("--gpu"), QStringLiteral("1"), spec});
        QCOMPARE(both.exitCode, 1);
        QVERIFY2(both.err.contains(QStringLiteral("not both")), qPrintable(both.err));
        const Result nodesWithoutSlurm =
            m_jikken->run({QStringLiteral("dispatch"), QStringLiteral("--host"), QStringLiteral("gpu-a"),
                           QStringLiteral("--nodes"), QStringLiteral("2"), spec});
        QCOMPARE(nodesWithoutSlurm.exitCode, 1);
        QVERIFY2(nodesWithoutSlurm.err.contains(QStringLiteral("gpu-a is not a Slurm host")),
                 qPrintable(nodesWithoutSlurm.err));
        // The stranger's key is unknown: with no GPU to probe, the reservation is made, then marked failed.
        const Result stranger =
            m_jikken->run({QStringLiteral("dispatch"), QStringLiteral("--host"), QStringLiteral("stranger"),
                           QStringLiteral("--gpu"), QStringLiteral("cpu"), spec});
        QCOMPARE(stranger.exitCode, 1);
        QVERIFY2(stranger.err.contains(QStringLiteral("host key is not known")), qPrintable(stranger.err));
        QCOMPARE(stranger.err.count(u'\n'), 1);
        const QString id = stranger.err.section(u' ', 1, 1);
        const auto failed = record(id);
        QVERIFY2(failed, qPrintable(stranger.err));
        QCOMPARE(toString(failed->status), toString(RunStatus::Failed));
        QVERIFY(failed->statusReason.contains(QStringLiteral("host key")));
    }
};

QTEST_GUILESS_MAIN(TestDispatch)
#include "TestDispatch.moc"
