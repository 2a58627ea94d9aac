// Agents on two GPU hosts (this machine's sshd as two aliases, each with a fake nvidia-smi of two GPUs whose
// use the test changes over time), started by `jikken agent start HOST` in tmux over real ssh, reporting to a
// `jikken serve` service: a 3 x 3 sweep runs all 9 points, never two runs on one GPU, no GPU idle while a
// run waits, a GPU busy with something else left alone until it frees, and an agent killed with kill -9
// mid-run has its run queued again once by its next start. On a Slurm login node (a real Slurm cluster of
// one node), the agent hands its runs to sbatch, and a restarted agent follows the jobs its killed
// predecessor submitted instead of queueing them again.
#include "JikkenProcess.h"
#include "ServeProcess.h"
#include "SlurmCluster.h"
#include "SshServer.h"
#include "registry/RegistryStore.h"
#include "registry/RunQueue.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QSqlQuery>
#include <QThread>
#include <QtTest>

#include <csignal>
#include <memory>

using namespace jikken;
using namespace jikken::testing;

namespace {

const QStringList kHosts{QStringLiteral("agents-gpu1"), QStringLiteral("agents-gpu2")};
const QString kLogin = QStringLiteral("agents-login");

QString gpuLine(int index, bool busy)
{
    return busy ? QStringLiteral("%1, NVIDIA H100, 70000, 81559, 97\n").arg(index)
                : QStringLiteral("%1, NVIDIA H100, 3, 81559, 0\n").arg(index);
}

} // namespace

class TestAgentsOverSsh : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    SshServer m_ssh;
    SlurmCluster m_slurm;
    std::unique_ptr<JikkenProcess> m_jikken;
    std::unique_ptr<ServeProcess> m_serve;
    QString m_database;

    QString path(const QString& name) const { return m_dir.filePath(name); }

    static bool writeFile(const QString& file, const QString& text, bool executable = false)
    {
        QDir().mkpath(QFileInfo(file).absolutePath());
        QFile out(file);
        if (!out.open(QIODevice::WriteOnly) || out.write(text.toUtf8()) < 0)
            return false;
        out.close();
        return !executable || out.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }

    /// What host `h`'s nvidia-smi says: GPU 0 idle, GPU 1 busy with something else or idle.
    bool setGpus(int h, bool secondBusy) const
    {
        return writeFile(path(QStringLiteral("gpus-%1.csv").arg(h)), gpuLine(0, false) + gpuLine(1, secondBusy));
    }

    QString agentLog(int h) const { return agentLog(QStringLiteral("work-%1").arg(h), kHosts[h]); }
    QString agentLog(const QString& work, const QString& host) const
    {
        QFile log(path(QStringLiteral("%1/.jikken/agents/%2.log").arg(work, host)));
        return log.open(QIODevice::ReadOnly) ? QString::fromUtf8(log.readAll()) : QString();
    }

    /// The process of a host's agent (its tmux pane: the agent's script execs it); 0 when none.
    static qint64 agentProcess(int h) { return agentProcess(kHosts[h]); }
    static qint64 agentProcess(const QString& host)
    {
        QProcess tmux;
        tmux.start(QStringLiteral("tmux"),
                   {QStringLiteral("list-panes"), QStringLiteral("-t"), QStringLiteral("=jikken-agent-") + host,
                    QStringLiteral("-F"), QStringLiteral("#{pane_pid}")});
        tmux.waitForFinished(10000);
        return tmux.exitCode() == 0 ? tmux.readAllStandardOutput().trimmed().toLongLong() : 0;
    }

    /// The queue as it stands: runs waiting, and runs each host's agent holds (taken, not ended).
    struct Snapshot
    {
        int waiting = 0;
        QVector<QStringList> held = QVector<QStringList>(2);
        int finished = 0;
    };
    Snapshot snapshot() const
    {
        Snapshot now;
        RegistryStore store;
        QString error;
        if (!store.open(m_database, &error))
            return now;
        QSqlQuery rows(store.database());
        rows.exec(QStringLiteral("SELECT q.agent, r.status, r.id FROM run_queue q JOIN runs r ON r.id = q.run_id"));
        while (rows.next()) {
            const QString agent = rows.value(0).toString();
            const QString status = rows.value(1).toString();
            const qsizetype host = kHosts.indexOf(agent);
            if (status == QLatin1String("finished"))
                ++now.finished;
            else if (status == QLatin1String("queued") && agent.isEmpty())
                ++now.waiting;
            else if (host >= 0 && (status == QLatin1String("queued") || status == QLatin1String("running")))
                now.held[host] << rows.value(2).toString();
        }
        return now;
    }

    /// Replays an agent's log: no GPU ever holds two runs; the GPUs it started runs on, in order.
    static bool oneRunPerGpu(const QString& log, QStringList* gpusUsed, QString* why)
    {
        static const QRegularExpression kStarted(QStringLiteral(": started (\\S+) \\(attempt \\d+, GPU (\\d+)\\)"));
        static const QRegularExpression kEnded(QStringLiteral(": (\\S+) (ended|queued again)"));
        QHash<QString, QString> onGpu; // GPU -> run
        for (const QString& line : log.split(u'\n')) {
            if (const auto started = kStarted.match(line); started.hasMatch()) {
                const QString gpu = started.captured(2);
                if (onGpu.contains(gpu)) {
                    *why = QStringLiteral("%1 started on GPU %2 while %3 ran there")
                               .arg(started.captured(1), gpu, onGpu.value(gpu));
                    return false;
                }
                onGpu.insert(gpu, started.captured(1));
                *gpusUsed << gpu;
            } else if (line.contains(QLatin1String("on agents-gpu")) && line.contains(QLatin1String(" slot(s)"))) {
                onGpu.clear(); // an agent started afresh: the last one's runs went with it
            } else if (const auto ended = kEnded.match(line); ended.hasMatch()) {
                onGpu.remove(onGpu.key(ended.captured(1)));
            }
        }
        return true;
    }

    /// A spec of a small run (`epochs` of 3,000 images), logging under logs/.
    QString writeSpec(int epochs) const
    {
        const QString spec = path(QStringLiteral("spec-%1.json").arg(epochs));
        const QJsonObject fields{{QStringLiteral("model"), QStringLiteral("lenet")},
                                 {QStringLiteral("method"), QStringLiteral("softmax")},
                                 {QStringLiteral("epochs"), epochs},
                                 {QStringLiteral("train_limit"), 3000},
                                 {QStringLiteral("test_limit"), 200},
                                 {QStringLiteral("threads"), 1},
                                 {QStringLiteral("log_root"), path(QStringLiteral("logs"))}};
        return writeFile(spec, QString::fromUtf8(QJsonDocument(fields).toJson())) ? spec : QString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_ssh.start(path(QStringLiteral("ssh")), kHosts + QStringList{kLogin},
                             QStringLiteral("agents-stranger"), &error),
                 qPrintable(error));
        QVERIFY2(m_slurm.start(path(QStringLiteral("slurm")), &error), qPrintable(error));
        QVERIFY(QDir().mkpath(path(QStringLiteral("work-login"))));
        QJsonObject hosts;
        for (int h = 0; h < 2; ++h) {
            const QString bin = path(QStringLiteral("bin-%1").arg(h));
            QVERIFY(writeFile(bin + QStringLiteral("/nvidia-smi"),
                              QStringLiteral("#!/bin/sh\ncat %1\n").arg(path(QStringLiteral("gpus-%1.csv").arg(h))),
                              true));
            QVERIFY(setGpus(h, h == 0)); // gpu1's second GPU trains something else at first
            const QString work = path(QStringLiteral("work-%1").arg(h));
            QVERIFY(QDir().mkpath(work));
            hosts.insert(kHosts[h], QJsonObject{{QStringLiteral("jikken"), QStringLiteral(JIKKEN_BINARY)},
                                                {QStringLiteral("workdir"), work},
                                                {QStringLiteral("setup"),
                                                 QJsonArray{QStringLiteral("export PATH=%1:$PATH").arg(bin)}}});
        }
        hosts.insert(kLogin,
                     QJsonObject{{QStringLiteral("jikken"), QStringLiteral(JIKKEN_BINARY)},
                                 {QStringLiteral("workdir"), path(QStringLiteral("work-login"))},
                                 {QStringLiteral("scheduler"), QStringLiteral("slurm")},
                                 {QStringLiteral("setup"),
                                  QJsonArray{QStringLiteral("export SLURM_CONF=%1").arg(m_slurm.configPath())}}});
        QVERIFY(writeFile(path(QStringLiteral("config/jikken/hosts.json")),
                          QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("hosts"), hosts}}).toJson())));
        m_jikken = std::make_unique<JikkenProcess>(path(QStringLiteral("home")), m_dir.path());
        m_jikken->setEnvironment(QStringLiteral("JIKKEN_SSH_CONFIG"), m_ssh.configPath());
        m_jikken->setEnvironment(QStringLiteral("XDG_CONFIG_HOME"), path(QStringLiteral("config")));
        m_database = path(QStringLiteral("registry.sqlite"));
        m_serve = std::make_unique<ServeProcess>(*m_jikken, m_database);
        const QString token = m_serve->makeToken(QStringLiteral("agents"));
        QVERIFY(!token.isEmpty());
        QVERIFY2(m_serve->start(&error), qPrintable(error));
        m_jikken->setEnvironment(QStringLiteral("JIKKEN_TOKEN"), token);
        m_jikken->setEnvironment(QStringLiteral("JIKKEN_REGISTRY"), m_serve->url());
    }

    void cleanupTestCase()
    {
        for (const QString& host : kHosts + QStringList{kLogin}) { // left by a failed test: agents would outlive it
            QProcess tmux;
            tmux.start(QStringLiteral("tmux"),
                       {QStringLiteral("kill-session"), QStringLiteral("-t"), QStringLiteral("=jikken-agent-") + host});
            tmux.waitForFinished(10000);
        }
    }

    void aSweepFillsTheGpusOfTwoHosts()
    {
        const JikkenProcess& cli = *m_jikken;
        const QString spec = writeSpec(2);
        const Result queued = cli.run(
            {QStringLiteral("sweep"), spec, QStringLiteral("--grid"), QStringLiteral("lr=0.03,0.01,0.003"),
             QStringLiteral("--grid"), QStringLiteral("seed=1,2,3"), QStringLiteral("--gpus"), QStringLiteral("1"),
             QStringLiteral("--retries"), QStringLiteral("1"), QStringLiteral("--name"), QStringLiteral("grid")});
        QVERIFY2(queued.exitCode == 0, qPrintable(queued.err));
        const QStringList ids = queued.out.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(ids.size(), 9);

        for (const QString& host : kHosts) {
            const Result started = cli.run({QStringLiteral("agent"), QStringLiteral("start"), host,
                                            QStringLiteral("--poll"), QStringLiteral("0.2")});
            QVERIFY2(started.exitCode == 0, qPrintable(started.err));
        }
        const Result twice = cli.run({QStringLiteral("agent"), QStringLiteral("start"), kHosts[0]});
        QCOMPARE(twice.exitCode, 1);
        QVERIFY2(twice.err.contains(QStringLiteral("runs on agents-gpu1 already")), qPrintable(twice.err));

        // Watched until every point has finished: how long a GPU stayed free while a run waited, outside
        // the moments the test itself takes a GPU away (an agent killed) or gives one (a GPU freed).
        QElapsedTimer clock;
        clock.start();
        qint64 idleSince = -1;
        qint64 longestIdleMs = 0;
        bool killed = false;
        bool restarted = false;
        bool freed = false;
        qsizetype freedAtLog = 0;
        // Measured once both agents hold runs (after ssh, tmux and their start-up), and again so after the
        // killed one's restart.
        bool measuring = false;
        qint64 pauseUntil = 0;
        QStringList killedRuns;
        while (clock.elapsed() < 480000) {
            const Snapshot now = snapshot();
            if (now.finished == 9)
                break;
            const int usable[2] = {freed ? 2 : 1, killed && !restarted ? 0 : 2};
            const bool gpuIdle = now.held[0].size() < usable[0] || now.held[1].size() < usable[1];
            measuring = measuring || (!now.held[0].isEmpty() && !now.held[1].isEmpty());
            if (measuring && clock.elapsed() > pauseUntil && now.waiting > 0 && gpuIdle) {
                if (idleSince < 0)
                    idleSince = clock.elapsed();
                longestIdleMs = std::max(longestIdleMs, clock.elapsed() - idleSince);
            } else {
                idleSince = -1;
            }
            if (!killed && now.held[1].size() == 2 && agentLog(1).count(QStringLiteral(": started ")) >= 3) {
                // gpu2's agent dies mid-run (its second round); its runs die with it.
                const qint64 agent = agentProcess(1);
                QVERIFY(agent > 0);
                killedRuns = now.held[1];
                QCOMPARE(::kill(static_cast<pid_t>(agent), SIGKILL), 0);
                killed = true;
                QTRY_VERIFY_WITH_TIMEOUT(agentProcess(1) == 0, 10000);
                QThread::sleep(1);
                const Result again = cli.run({QStringLiteral("agent"), QStringLiteral("start"), kHosts[1],
                                              QStringLiteral("--poll"), QStringLiteral("0.2")});
                QVERIFY2(again.exitCode == 0, qPrintable(again.err));
                restarted = true;
                measuring = false;
                idleSince = -1;
            }
            if (!freed && now.finished >= 2) {
                freedAtLog = agentLog(0).size();
                QVERIFY(setGpus(0, false)); // what trained on gpu1's second GPU is done
                freed = true;
                pauseUntil = clock.elapsed() + 2000; // seen at the agent's next poll
                idleSince = -1;
            }
            QThread::msleep(100);
        }
        qInfo("9 points in %lld ms; longest GPU idle while runs waited %lld ms; killed with agents-gpu2: %s",
              clock.elapsed(), longestIdleMs, qPrintable(killedRuns.join(u' ')));
        QCOMPARE(snapshot().finished, 9);
        QVERIFY(killed && freed);
        QVERIFY2(longestIdleMs < 2500,
                 qPrintable(QStringLiteral("a GPU stayed free %1 ms while runs waited").arg(longestIdleMs)));

        // Per host, replayed from its agent's log: one run per GPU at any time; gpu1's busy GPU untouched
        // until it freed, then used.
        for (int h = 0; h < 2; ++h) {
            QStringList used;
            QString why;
            QVERIFY2(oneRunPerGpu(agentLog(h), &used, &why), qPrintable(kHosts[h] + QStringLiteral(": ") + why));
        }
        QVERIFY2(!agentLog(0).left(freedAtLog).contains(QStringLiteral(", GPU 1)")), qPrintable(agentLog(0)));
        QVERIFY2(agentLog(0).mid(freedAtLog).contains(QStringLiteral(", GPU 1)")), qPrintable(agentLog(0)));
        for (const QString& run : std::as_const(killedRuns)) {
            QCOMPARE(agentLog(1).count(run + QStringLiteral(" queued again")), 1);
            QVERIFY(QDir(path(QStringLiteral("logs/%1.attempt-1").arg(run))).exists()); // its first attempt's logs kept
        }

        // Every point once, the killed one twice: no duplicates, nothing left waiting.
        RegistryStore store;
        QString error;
        QVERIFY(store.open(m_database, &error));
        QSqlQuery attempts(store.database());
        QVERIFY(attempts.exec(QStringLiteral("SELECT run_id, attempts FROM run_queue")));
        int rows = 0;
        while (attempts.next()) {
            ++rows;
            QCOMPARE(attempts.value(1).toInt(), killedRuns.contains(attempts.value(0).toString()) ? 2 : 1);
        }
        QCOMPARE(rows, 9);

        for (const QString& host : kHosts) {
            const Result stopped = cli.run({QStringLiteral("agent"), QStringLiteral("stop"), host});
            QVERIFY2(stopped.exitCode == 0, qPrintable(stopped.err));
        }
        const Result none = cli.run({QStringLiteral("agent"), QStringLiteral("stop"), kHosts[0]});
        QCOMPARE(none.exitCode, 1);
        QVERIFY2(none.err.contains(QStringLiteral("no agent agents-gpu1 runs on agents-gpu1")), qPrintable(none.err));
        const Result badName = cli.run({QStringLiteral("agent"), QStringLiteral("start"), kHosts[0],
                                        QStringLiteral("--name"), QStringLiteral("a b")});
        QCOMPARE(badName.exitCode, 2);
    }

    // A Slurm login node: the agent started there submits each run as a job named after its ID; killed
    // mid-run with kill -9, its jobs run on, and the next agent follows them: nothing queued twice.
    void aSlurmLoginNodeHandsRunsToSbatch()
    {
        const JikkenProcess& cli = *m_jikken;
        const Result queued =
            cli.run({QStringLiteral("sweep"), writeSpec(3), QStringLiteral("--grid"), QStringLiteral("seed=1,2,3"),
                     QStringLiteral("--hosts"), kLogin, QStringLiteral("--retries"), QStringLiteral("1"),
                     QStringLiteral("--name"), QStringLiteral("on-slurm")});
        QVERIFY2(queued.exitCode == 0, qPrintable(queued.err));
        const QStringList ids = queued.out.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(ids.size(), 3);
        const QStringList start{QStringLiteral("agent"), QStringLiteral("start"), kLogin, QStringLiteral("--poll"),
                                QStringLiteral("0.2")};
        const Result started = cli.run(start);
        QVERIFY2(started.exitCode == 0, qPrintable(started.err));
        const auto statusOf = [this](const QString& id) {
            RegistryStore store;
            QString error;
            return store.open(m_database, &error) ? toString(store.run(id, &error).value_or(RunRecord()).status)
                                                  : QString();
        };
        QTRY_VERIFY_WITH_TIMEOUT(
            statusOf(ids[0]) == QLatin1String("running") || statusOf(ids[1]) == QLatin1String("running"), 120000);
        const qint64 agent = agentProcess(kLogin);
        QVERIFY(agent > 0);
        QCOMPARE(::kill(static_cast<pid_t>(agent), SIGKILL), 0);
        QTRY_VERIFY_WITH_TIMEOUT(agentProcess(kLogin) == 0, 10000);
        const Result again = cli.run(start);
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        QTRY_VERIFY_WITH_TIMEOUT(statusOf(ids[0]) == QLatin1String("finished") &&
                                     statusOf(ids[1]) == QLatin1String("finished") &&
                                     statusOf(ids[2]) == QLatin1String("finished"),
                                 300000);
        const QString log = agentLog(QStringLiteral("work-login"), kLogin);
        QVERIFY2(log.contains(QStringLiteral("runs go to sbatch")), qPrintable(log));
        QVERIFY2(log.contains(QRegularExpression(QStringLiteral("follows \\S+ \\(slurm job \\d+\\)"))),
                 qPrintable(log));
        QVERIFY2(!log.contains(QStringLiteral("queued again")), qPrintable(log));
        RegistryStore store;
        QString error;
        QVERIFY(store.open(m_database, &error));
        for (const QString& id : ids) {
            QSqlQuery attempts(store.database());
            attempts.prepare(QStringLiteral("SELECT attempts FROM run_queue WHERE run_id = ?"));
            attempts.addBindValue(id);
            QVERIFY(attempts.exec() && attempts.next());
            QCOMPARE(attempts.value(0).toInt(), 1); // each submitted once, never twice
            QVERIFY(QFile::exists(path(QStringLiteral("work-login/.jikken/dispatch/%1/slurm-job").arg(id))));
            QVERIFY(QFile::exists(path(QStringLiteral("logs/%1/slurm.log").arg(id))));
        }
        const Result stopped = cli.run({QStringLiteral("agent"), QStringLiteral("stop"), kLogin});
        QVERIFY2(stopped.exitCode == 0, qPrintable(stopped.err));
    }
};

QTEST_MAIN(TestAgentsOverSsh)
#include "TestAgentsOverSsh.moc"
