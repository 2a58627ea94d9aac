// The registry's queue and the agents that fill free slots from it (`jikken queue`, `jikken sweep`,
// `jikken agent`): exactly one claim per run however many ask at once, a sweep of real training runs
// shared by two agents (on the database, and through `jikken serve`), a killed agent's run queued again
// once, and only the failed points of a sweep retried. Runs on both backends.
#include "JikkenProcess.h"
#include "RegistryBackend.h"
#include "RequiredProgram.h"
#include "ServeProcess.h"
#include "registry/HttpRegistryClient.h"
#include "registry/RegistryStore.h"
#include "registry/RunQueue.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QSet>
#include <QSqlQuery>
#include <QThread>
#include <QtTest>

#include <csignal>
#include <memory>
#include <mutex>
#include <vector>

using namespace jikken;
using namespace jikken::testing;

class TestQueue : public QObject
{
    Q_OBJECT

private:
    RegistryBackend m_backend;
    QTemporaryDir m_dir;
    int m_databases = 0;
    QString m_logRoot; ///< each database's runs log apart: IDs start again in each

    QString freshDatabase()
    {
        QString error;
        const QString database = m_backend.database(QStringLiteral("queue%1").arg(++m_databases), &error);
        m_logRoot = m_dir.filePath(QStringLiteral("logs%1").arg(m_databases));
        RegistryStore store; // made and migrated before the processes meet it
        if (!store.open(database, &error))
            qFatal("%s", qPrintable(error));
        return database;
    }

    JikkenProcess jikken() const { return JikkenProcess(m_dir.filePath(QStringLiteral("home")), m_dir.path()); }

    /// A spec that trains in a few seconds on two cores.
    QString smallSpec(int epochs = 1)
    {
        const QString path = m_dir.filePath(QStringLiteral("spec-%1-%2.json").arg(m_databases).arg(epochs));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            qFatal("cannot write %s", qPrintable(path));
        file.write(QJsonDocument(QJsonObject{{QStringLiteral("model"), QStringLiteral("lenet")},
                                             {QStringLiteral("method"), QStringLiteral("softmax")},
                                             {QStringLiteral("epochs"), epochs},
                                             {QStringLiteral("train_limit"), 600},
                                             {QStringLiteral("test_limit"), 200},
                                             {QStringLiteral("threads"), 1},
                                             {QStringLiteral("log_root"), m_logRoot}})
                       .toJson());
        return path;
    }

    /// Agents of one slot each, named `names`, run until nothing waits; whether they all exited 0.
    static bool agentsEmptyTheQueue(const JikkenProcess& cli, const QStringList& registry, const QStringList& names)
    {
        std::vector<std::unique_ptr<QProcess>> agents;
        for (const QString& name : names) {
            agents.push_back(std::make_unique<QProcess>());
            cli.start(*agents.back(), registry + QStringList{QStringLiteral("agent"), QStringLiteral("--name"), name,
                                                             QStringLiteral("--slots"), QStringLiteral("1"),
                                                             QStringLiteral("--until-empty"), QStringLiteral("--poll"),
                                                             QStringLiteral("0.2")});
        }
        bool allOk = true;
        for (auto& agent : agents) {
            const bool ok = agent->waitForFinished(600000) && agent->exitCode() == 0;
            if (!ok)
                qWarning("agent: %s", agent->readAllStandardError().constData());
            allOk = allOk && ok;
        }
        return allOk;
    }

    static QStringList idsIn(const Result& result) { return result.out.split(u'\n', Qt::SkipEmptyParts); }

    static std::optional<RunRecord> runOf(const QString& database, const QString& id)
    {
        RegistryStore store;
        QString error;
        if (!store.open(database, &error))
            return std::nullopt;
        return store.run(id, &error);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_backend.start(&error), qPrintable(error));
    }

    // A run moved in the queue's order gets a priority that places it there (priority, then age, then
    // ID); where none does, every run's is set, counting down.
    void aMovedRunGetsThePriorityOfItsPlace()
    {
        const auto run = [](const char* id, int priority, qint64 queuedAt) {
            QueuedRun made;
            made.id = *ModelId::parse(QLatin1String(id));
            made.request.priority = priority;
            made.queuedAt = queuedAt;
            return made;
        };
        const QueuedRun a = run("20261207_01_a", 3, 10), b = run("20261207_02_b", 1, 20),
                        c = run("20261207_03_c", 1, 30), d = run("20261207_04_d", 0, 40);
        using Changes = QVector<QPair<ModelId, int>>;
        QCOMPARE(prioritiesFor({d, a, b, c}, 0), (Changes{{d.id, 4}}));  // to the top: above the first
        QCOMPARE(prioritiesFor({a, b, c, d}, 3), Changes());             // where it is already
        QCOMPARE(prioritiesFor({b, c, d, a}, 3), (Changes{{a.id, -1}})); // to the bottom: below the last
        QCOMPARE(prioritiesFor({a, d, b, c}, 1), (Changes{{d.id, 2}}));  // between 3 and 1
        QCOMPARE(prioritiesFor({a, c, b, d}, 1), (Changes{{c.id, 2}}));  // above its equal: one more
        QCOMPARE(prioritiesFor({b, a, c, d}, 0), (Changes{{b.id, 4}}));  // above a higher one
        // c (priority 1, queued at 30) between b and b2, both 1 and older than c: no one priority fits.
        const QueuedRun b2 = run("20261207_05_e", 1, 25);
        QCOMPARE(prioritiesFor({a, b, c, b2}, 2), (Changes{{a.id, 4}, {b.id, 3}, {c.id, 2}})); // b2 keeps 1
    }

    // Eight agents claim from one queue of forty at once, each on its own connection: every run is taken
    // once, none twice, and a claim asks no more of a host than it has (GPUs, named hosts).
    void eightAgentsClaimEachRunOnce()
    {
        const QString database = freshDatabase();
        QString error;
        {
            RegistryStore store;
            QVERIFY2(store.open(database, &error), qPrintable(error));
            RunQueue queue(store);
            for (int i = 0; i < 40; ++i) {
                const auto id = store.reserve(QStringLiteral("race"), &error);
                QVERIFY2(id, qPrintable(error));
                QueueRequest request;
                request.priority = i % 3;
                QVERIFY2(queue.add(*id, QJsonObject{{QStringLiteral("epochs"), 1}}, request, &error),
                         qPrintable(error));
            }
            const auto big = store.reserve(QStringLiteral("big"), &error);
            QVERIFY(queue.add(*big, {}, QueueRequest{{QStringLiteral("gpu9")}, 2, 9, 0, {}}, &error));
        }
        std::mutex lock;
        QStringList taken;
        std::vector<std::unique_ptr<QThread>> agents;
        for (int a = 0; a < 8; ++a) {
            agents.emplace_back(QThread::create([&, a] {
                RegistryStore store;
                QString failure;
                if (!store.open(database, &failure))
                    return;
                RunQueue queue(store);
                QStringList held; // none of its runs starts here: the agent holds them all
                while (true) {
                    const auto claimed =
                        queue.claim(QStringLiteral("agent%1").arg(a), QStringLiteral("gpu1"), 1, held, &failure);
                    if (!claimed) { // SQLite busy past its timeout: ask again, as an agent does
                        QThread::msleep(10);
                        continue;
                    }
                    if (!*claimed)
                        return;
                    held << (*claimed)->id.toString();
                    const std::lock_guard<std::mutex> hold(lock);
                    taken << (*claimed)->id.toString();
                }
            }));
            agents.back()->start();
        }
        for (auto& agent : agents)
            QVERIFY(agent->wait(120000));
        QCOMPARE(taken.size(), 40);
        QCOMPARE(QSet<QString>(taken.begin(), taken.end()).size(), 40);
        for (const QString& id : std::as_const(taken))
            QVERIFY2(!id.endsWith(QLatin1String("_big")), "a 2-GPU run for gpu9 went to gpu1 with one GPU");
        // The one left waits for its host and its GPUs.
        RegistryStore store;
        QVERIFY(store.open(database, &error));
        RunQueue queue(store);
        QVERIFY(!queue.claim(QStringLiteral("x"), QStringLiteral("gpu9"), 1, {}, &error)->has_value());
        const auto big = queue.claim(QStringLiteral("x"), QStringLiteral("gpu9"), 2, {}, &error);
        QVERIFY(big && *big && (*big)->id.toString().endsWith(QLatin1String("_big")));
        QCOMPARE((*big)->attempts, 1);
        // Agent x starts afresh: its run, with no retries left, is lost, not queued again.
        const auto released = queue.releaseRunsOf(QStringLiteral("x"), {}, &error);
        QVERIFY2(released && released->isEmpty(), qPrintable(error));
        QCOMPARE(toString(store.run((*big)->id.toString(), &error)->status), QStringLiteral("lost"));
        QVERIFY(!queue.claim(QStringLiteral("y"), QStringLiteral("gpu9"), 2, {}, &error)->has_value());
    }

    // A 2 x 2 sweep of real training runs, two agents of one slot each: every point trains once, to
    // `finished`, its memo naming its point; the queue is empty after; bad flags queue nothing.
    void aSweepIsSharedByTwoAgents()
    {
        const QString database = freshDatabase();
        const JikkenProcess cli = jikken();
        const QStringList registry{QStringLiteral("--registry"), database};
        const Result refused =
            cli.run(registry + QStringList{QStringLiteral("sweep"), smallSpec(), QStringLiteral("--grid"),
                                           QStringLiteral("lr=0.01,nope")});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.err.contains(QStringLiteral("must be a number")), qPrintable(refused.err));
        const Result queued = cli.run(registry + QStringList{QStringLiteral("sweep"), smallSpec(),
                                                             QStringLiteral("--grid"), QStringLiteral("lr=0.01,0.003"),
                                                             QStringLiteral("--grid"), QStringLiteral("seed=1,2"),
                                                             QStringLiteral("--name"), QStringLiteral("grid")});
        QVERIFY2(queued.exitCode == 0, qPrintable(queued.err));
        const QStringList ids = idsIn(queued);
        QCOMPARE(ids.size(), 4); // and the refused sweep queued nothing before it
        QCOMPARE(runOf(database, ids[0])->memo, QStringLiteral("lr=0.01 seed=1"));
        QCOMPARE(toString(runOf(database, ids[3])->status), QStringLiteral("queued"));
        QVERIFY(agentsEmptyTheQueue(cli, registry, {QStringLiteral("a1"), QStringLiteral("a2")}));
        RegistryStore store;
        QString error;
        QVERIFY(store.open(database, &error));
        QSet<QString> agentsUsed;
        for (const QString& id : ids) {
            QCOMPARE(toString(store.run(id, &error)->status), QStringLiteral("finished"));
            QVERIFY(QFile::exists(QStringLiteral("%1/%2/queued-spec.json").arg(m_logRoot, id)));
        }
        QSqlQuery rows(store.database());
        QVERIFY(rows.exec(QStringLiteral("SELECT attempts, agent FROM run_queue")));
        int count = 0;
        while (rows.next()) {
            ++count;
            QCOMPARE(rows.value(0).toInt(), 1);
            agentsUsed << rows.value(1).toString();
        }
        rows.finish();
        QCOMPARE(count, 4);
        QCOMPARE(agentsUsed.size(), 2); // both took their share
        QVERIFY(RunQueue(store).list(&error)->isEmpty());
    }

    // The same through `jikken serve`: a sweep queued, listed and shared by two agents that reach the registry
    // only through the service; a claim whose answer was lost is handed to its agent again, not left taken;
    // a read-only token claims nothing.
    void aSweepRunsThroughTheService()
    {
        const QString database = freshDatabase();
        JikkenProcess cli = jikken();
        ServeProcess serve(cli, database);
        const QString token = serve.makeToken(QStringLiteral("queue"));
        const QString readOnly = serve.makeToken(QStringLiteral("viewer"), true);
        QString error;
        QVERIFY2(!token.isEmpty() && serve.start(&error), qPrintable(error));
        cli.setEnvironment(QStringLiteral("JIKKEN_TOKEN"), token);
        const QStringList registry{QStringLiteral("--registry"), serve.url()};
        const Result queued = cli.run(registry + QStringList{QStringLiteral("sweep"), smallSpec(),
                                                             QStringLiteral("--grid"), QStringLiteral("seed=1,2,3"),
                                                             QStringLiteral("--name"), QStringLiteral("remote")});
        QVERIFY2(queued.exitCode == 0, qPrintable(queued.err));
        const QStringList ids = idsIn(queued);
        QCOMPARE(ids.size(), 3);
        QCOMPARE(runOf(database, ids[1])->memo, QStringLiteral("seed=2"));
        const Result listed = cli.run(registry + QStringList{QStringLiteral("queue"), QStringLiteral("ls")});
        QVERIFY2(listed.exitCode == 0, qPrintable(listed.err));
        QCOMPARE(listed.out.count(QStringLiteral("remote")), 3);

        HttpRegistryClient viewer(QUrl(serve.url()), readOnly);
        QVERIFY(!viewer.claim(QStringLiteral("v"), QStringLiteral("h"), 0, {}, &error));
        QCOMPARE(viewer.lastFailure(), RegistryFailure::Unauthorized);
        HttpRegistryClient ghost(QUrl(serve.url()), token);
        const auto first = ghost.claim(QStringLiteral("ghost"), QStringLiteral("h"), 0, {}, &error);
        QVERIFY2(first && *first, qPrintable(error));
        const QString lost = (*first)->id.toString();
        // Its answer never arrived: the agent, holding nothing, asks again and is handed the same run.
        const auto again = ghost.claim(QStringLiteral("ghost"), QStringLiteral("h"), 0, {}, &error);
        QVERIFY(again && *again);
        QCOMPARE((*again)->id.toString(), lost);
        QCOMPARE((*again)->attempts, 1);
        const auto next = ghost.claim(QStringLiteral("ghost"), QStringLiteral("h"), 0, {lost}, &error);
        QVERIFY(next && *next && (*next)->id.toString() != lost);
        QVERIFY(!ghost.cancel((*next)->id, &error)); // taken: not cancelled from the queue
        QCOMPARE(ghost.lastFailure(), RegistryFailure::Conflict);
        const auto released = ghost.releaseRunsOf(QStringLiteral("ghost"), {}, &error);
        QVERIFY2(released, qPrintable(error));
        QCOMPARE(released->size(), 0); // no retries: both lost, neither queued again
        QCOMPARE(toString(runOf(database, lost)->status), QStringLiteral("lost"));
        const auto retried = ghost.retrySweep(QStringLiteral("remote"), true, &error);
        QVERIFY2(retried && retried->size() == 2, qPrintable(error));

        QVERIFY(agentsEmptyTheQueue(cli, registry, {QStringLiteral("s1"), QStringLiteral("s2")}));
        for (const QString& id : ids)
            QCOMPARE(toString(runOf(database, id)->status), QStringLiteral("finished"));
        const auto left = ghost.list(&error);
        QVERIFY2(left && left->isEmpty(), qPrintable(error));
        const auto sweeps = ghost.sweeps(&error);
        QVERIFY2(sweeps && sweeps->size() == 1, qPrintable(error));
        QCOMPARE(sweeps->first().name, QStringLiteral("remote"));
        QCOMPARE(sweeps->first().points, 3);
        QCOMPARE(sweeps->first().finished, 3);
        QVERIFY(ids.contains(sweeps->first().bestRun) && sweeps->first().bestTestError.has_value());
        const Result table = cli.run(registry + QStringList{QStringLiteral("sweep"), QStringLiteral("ls")});
        QVERIFY2(table.exitCode == 0, qPrintable(table.err));
        QVERIFY2(
            table.out.contains(QRegularExpression(
                QStringLiteral("remote\\s+3\\s+3\\s+0\\s+0\\s+0\\s+0\\.\\d+ \\(%1\\)").arg(sweeps->first().bestRun))),
            qPrintable(table.out));
    }

    // An agent killed mid-run takes its trainer with it; started again, it queues the run once more (one
    // retry allowed), which then finishes as its second attempt, the first attempt's logs kept aside.
    void aKilledAgentsRunIsQueuedAgainOnce()
    {
        const QString database = freshDatabase();
        const JikkenProcess cli = jikken();
        const QStringList registry{QStringLiteral("--registry"), database};
        const Result queued = cli.run(registry + QStringList{QStringLiteral("queue"), smallSpec(2),
                                                             QStringLiteral("--retries"), QStringLiteral("1")});
        QVERIFY2(queued.exitCode == 0, qPrintable(queued.err));
        const QString id = idsIn(queued).value(0);
        const QStringList agentArguments =
            registry + QStringList{QStringLiteral("agent"), QStringLiteral("--name"),
                                   QStringLiteral("solo"),  QStringLiteral("--slots"),
                                   QStringLiteral("1"),     QStringLiteral("--poll"),
                                   QStringLiteral("0.2"),   QStringLiteral("--until-empty")};
        QProcess first;
        cli.start(first, agentArguments);
        QTRY_COMPARE_WITH_TIMEOUT(toString(runOf(database, id).value_or(RunRecord()).status), QStringLiteral("running"),
                                  120000);
        ::kill(static_cast<pid_t>(first.processId()), SIGKILL);
        QVERIFY(first.waitForFinished(10000));
        const Result cancelled = cli.run(registry + QStringList{QStringLiteral("queue"), QStringLiteral("cancel"), id});
        QCOMPARE(cancelled.exitCode, 1); // taken by an agent: not cancelled from the queue
        QVERIFY2(cancelled.err.contains(QStringLiteral("solo")), qPrintable(cancelled.err));
        const Result second = cli.run(agentArguments);
        QVERIFY2(second.exitCode == 0, qPrintable(second.err));
        QVERIFY2(second.err.contains(QStringLiteral("queued again")), qPrintable(second.err));
        const auto record = runOf(database, id);
        QCOMPARE(toString(record->status), QStringLiteral("finished"));
        QCOMPARE(record->epoch, 2); // trained from its start, not stopped by a trainer left from the first
        QVERIFY(QDir(QStringLiteral("%1/%2.attempt-1").arg(m_logRoot, id)).exists());
        RegistryStore store;
        QString error;
        QVERIFY(store.open(database, &error));
        QSqlQuery attempts(store.database());
        QVERIFY(attempts.exec(QStringLiteral("SELECT attempts FROM run_queue")) && attempts.next());
        QCOMPARE(attempts.value(0).toInt(), 2);
    }

    // An agent hands out the GPUs nvidia-smi shows idle, one run per GPU: of two (one busy with something
    // else), two runs needing a GPU each go one after the other to the idle one, never to the busy one.
    void runsGetIdleGpusOneAtATime()
    {
        const QString database = freshDatabase();
        const QString bin = m_dir.filePath(QStringLiteral("fake-bin"));
        QVERIFY(QDir().mkpath(bin));
        QFile smi(bin + QStringLiteral("/nvidia-smi"));
        QVERIFY(smi.open(QIODevice::WriteOnly));
        smi.write("#!/bin/sh\n"
                  "echo '0, NVIDIA H100, 70000, 81559, 97'\n" // something else trains there
                  "echo '1, NVIDIA H100, 3, 81559, 0'\n");
        smi.close();
        QVERIFY(smi.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        JikkenProcess cli = jikken();
        cli.setEnvironment(QStringLiteral("PATH"), bin + u':' + qEnvironmentVariable("PATH"));
        const QStringList registry{QStringLiteral("--registry"), database};
        const Result queued =
            cli.run(registry + QStringList{QStringLiteral("sweep"), smallSpec(), QStringLiteral("--grid"),
                                           QStringLiteral("seed=1,2"), QStringLiteral("--gpus"), QStringLiteral("1")});
        QVERIFY2(queued.exitCode == 0, qPrintable(queued.err));
        QCOMPARE(idsIn(queued).size(), 2);
        const Result agent = cli.run(registry + QStringList{QStringLiteral("agent"), QStringLiteral("--slots"),
                                                            QStringLiteral("2"), QStringLiteral("--until-empty"),
                                                            QStringLiteral("--poll"), QStringLiteral("0.2")});
        QVERIFY2(agent.exitCode == 0, qPrintable(agent.err));
        QVERIFY2(agent.err.contains(QStringLiteral("GPUs 0,1")), qPrintable(agent.err)); // 0 busy: used when free
        QCOMPARE(agent.err.count(QStringLiteral(", GPU 1)")), 2);
        QCOMPARE(agent.err.count(QStringLiteral(", GPU 0")), 0);
        // One after the other: the second started after the first ended.
        const qsizetype firstEnded = agent.err.indexOf(QStringLiteral(" ended"));
        const qsizetype secondStarted = agent.err.lastIndexOf(QStringLiteral("started "));
        QVERIFY2(firstEnded > 0 && secondStarted > firstEnded, qPrintable(agent.err));
        for (const QString& id : idsIn(queued))
            QCOMPARE(toString(runOf(database, id)->status), QStringLiteral("finished"));
    }

    // A random search: N draws per grid point from each --space, within its range, the same again with the
    // same --seed; a range that is not one queues nothing.
    void aRandomSearchDrawsFromItsSpaces()
    {
        const JikkenProcess cli = jikken();
        QStringList memos[2];
        for (int round = 0; round < 2; ++round) {
            const QString database = freshDatabase();
            const QStringList registry{QStringLiteral("--registry"), database};
            const Result queued = cli.run(
                registry + QStringList{QStringLiteral("sweep"), smallSpec(), QStringLiteral("--grid"),
                                       QStringLiteral("seed=1,2"), QStringLiteral("--random"), QStringLiteral("3"),
                                       QStringLiteral("--space"), QStringLiteral("lr=log:1e-4..1e-1"),
                                       QStringLiteral("--space"), QStringLiteral("optimizer=choice:sgd,adam"),
                                       QStringLiteral("--space"), QStringLiteral("batch_size=int:16..64"),
                                       QStringLiteral("--seed"), QStringLiteral("7")});
            QVERIFY2(queued.exitCode == 0, qPrintable(queued.err));
            const QStringList ids = idsIn(queued);
            QCOMPARE(ids.size(), 6);
            for (int i = 0; i < ids.size(); ++i) {
                const auto run = runOf(database, ids[i]);
                memos[round] << run->memo;
                QVERIFY2(run->memo.startsWith(i < 3 ? QStringLiteral("seed=1 lr=") : QStringLiteral("seed=2 lr=")),
                         qPrintable(run->memo));
                const double lr = run->hparams.value(QStringLiteral("lr")).toDouble();
                QVERIFY2(lr >= 1e-4 && lr <= 1e-1, qPrintable(run->memo));
                const int batch = run->hparams.value(QStringLiteral("batch_size")).toInt();
                QVERIFY2(batch >= 16 && batch <= 64, qPrintable(run->memo));
                QVERIFY(QStringList({QStringLiteral("sgd"), QStringLiteral("adam")})
                            .contains(run->hparams.value(QStringLiteral("optimizer")).toString()));
            }
            QVERIFY(QSet<QString>(memos[round].begin(), memos[round].end()).size() == 6); // drawn, not repeated
        }
        QCOMPARE(memos[0], memos[1]);
        const QString database = freshDatabase();
        const QStringList registry{QStringLiteral("--registry"), database};
        for (const QStringList& bad : {QStringList{QStringLiteral("--random"), QStringLiteral("2"),
                                                   QStringLiteral("--space"), QStringLiteral("lr=log:0..1")},
                                       QStringList{QStringLiteral("--random"), QStringLiteral("2"),
                                                   QStringLiteral("--grid"), QStringLiteral("seed=1")},
                                       QStringList{QStringLiteral("--random"), QStringLiteral("2"),
                                                   QStringLiteral("--space"), QStringLiteral("lr=0.1..oops")}}) {
            const Result refused = cli.run(registry + QStringList{QStringLiteral("sweep"), smallSpec()} + bad);
            QCOMPARE(refused.exitCode, 2);
            QVERIFY2(refused.err.count(u'\n') == 1, qPrintable(refused.err));
        }
        RegistryStore store;
        QString error;
        QVERIFY(store.open(database, &error));
        QVERIFY(store.runs({}, &error)->isEmpty());
    }

    // `agent unit` writes a systemd user unit that systemd reads as meant: a hostile registry path stays one
    // value, no specifier or variable; a service's token goes to a file only its owner reads, not the unit.
    void aSystemdUnitRunsTheAgent()
    {
        QString error;
        const QString analyze = requireProgram(QStringLiteral("systemd-analyze"), QStringLiteral("systemd"), &error);
        QVERIFY2(!analyze.isEmpty(), qPrintable(error));
        JikkenProcess cli = jikken();
        const QString config = m_dir.filePath(QStringLiteral("unit-config"));
        cli.setEnvironment(QStringLiteral("XDG_CONFIG_HOME"), config);
        const QString hostile = m_dir.filePath(QStringLiteral("a b%h$HOME\"q\\.sqlite"));
        const Result local = cli.run({QStringLiteral("--registry"), hostile, QStringLiteral("agent"),
                                      QStringLiteral("unit"), QStringLiteral("--name"), QStringLiteral("lab-1"),
                                      QStringLiteral("--slots"), QStringLiteral("2")});
        QVERIFY2(local.exitCode == 0, qPrintable(local.err));
        const QString unit = config + QStringLiteral("/systemd/user/jikken-agent-lab-1.service");
        QFile written(unit);
        QVERIFY(written.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(written.readAll());
        QString escaped = hostile;
        escaped.replace(u'\\', QStringLiteral("\\\\"))
            .replace(u'"', QStringLiteral("\\\""))
            .replace(u'%', QStringLiteral("%%"))
            .replace(u'$', QStringLiteral("$$"));
        QVERIFY2(text.contains(QStringLiteral("Environment=\"JIKKEN_REGISTRY=%1\"\n").arg(escaped)), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("\"agent\" \"--name\" \"lab-1\" \"--slots\" \"2\"")), qPrintable(text));
        QProcess verify;
        verify.start(analyze, {QStringLiteral("verify"), unit});
        QVERIFY(verify.waitForFinished(60000));
        QVERIFY2(verify.exitCode() == 0, verify.readAllStandardError().constData());

        cli.setEnvironment(QStringLiteral("JIKKEN_TOKEN"), QStringLiteral("s3cret-token"));
        const Result service =
            cli.run({QStringLiteral("--registry"), QStringLiteral("http://127.0.0.1:9"), QStringLiteral("agent"),
                     QStringLiteral("unit"), QStringLiteral("--name"), QStringLiteral("lab-2")});
        QVERIFY2(service.exitCode == 0, qPrintable(service.err));
        QFile serviceUnit(config + QStringLiteral("/systemd/user/jikken-agent-lab-2.service"));
        QVERIFY(serviceUnit.open(QIODevice::ReadOnly));
        QVERIFY(!serviceUnit.readAll().contains("s3cret-token"));
        QFile token(config + QStringLiteral("/jikken/agent-lab-2.env"));
        QVERIFY(token.open(QIODevice::ReadOnly));
        QCOMPARE(token.readAll(), QByteArray("JIKKEN_TOKEN=s3cret-token\n"));
        QCOMPARE(token.permissions() & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
        const Result bad =
            cli.run({QStringLiteral("agent"), QStringLiteral("unit"), QStringLiteral("--name"), QStringLiteral("a/b")});
        QCOMPARE(bad.exitCode, 2);
    }

    // `sweep retry --failed` queues exactly the failed and lost points; cancel takes a waiting run out.
    void sweepRetryQueuesOnlyTheFailed()
    {
        const QString database = freshDatabase();
        const JikkenProcess cli = jikken();
        const QStringList registry{QStringLiteral("--registry"), database};
        const Result queued = cli.run(registry + QStringList{QStringLiteral("sweep"), smallSpec(),
                                                             QStringLiteral("--grid"), QStringLiteral("seed=1,2,3,4,5"),
                                                             QStringLiteral("--name"), QStringLiteral("five")});
        QVERIFY2(queued.exitCode == 0, qPrintable(queued.err));
        const QStringList ids = idsIn(queued);
        QCOMPARE(ids.size(), 5);
        RegistryStore store;
        QString error;
        QVERIFY(store.open(database, &error));
        QVERIFY(store.setStatus(ids[0], RunStatus::Finished, {}, &error));
        QVERIFY(store.setStatus(ids[1], RunStatus::Failed, QStringLiteral("oom"), &error));
        QVERIFY(store.setStatus(ids[2], RunStatus::Lost, {}, &error));
        QVERIFY(store.setStatus(ids[3], RunStatus::Stopped, {}, &error));
        const Result cancelled =
            cli.run(registry + QStringList{QStringLiteral("queue"), QStringLiteral("cancel"), ids[4]});
        QVERIFY2(cancelled.exitCode == 0, qPrintable(cancelled.err));
        QCOMPARE(toString(store.run(ids[4], &error)->status), QStringLiteral("stopped"));
        const Result retried = cli.run(registry + QStringList{QStringLiteral("sweep"), QStringLiteral("retry"),
                                                              QStringLiteral("five"), QStringLiteral("--failed")});
        QVERIFY2(retried.exitCode == 0, qPrintable(retried.err));
        QCOMPARE(idsIn(retried), (QStringList{ids[1], ids[2]}));
        QCOMPARE(toString(store.run(ids[1], &error)->status), QStringLiteral("queued"));
        QCOMPARE(toString(store.run(ids[3], &error)->status), QStringLiteral("stopped"));
        // The later of the two taken first once it is given a higher priority.
        const Result raised = cli.run(
            registry + QStringList{QStringLiteral("queue"), QStringLiteral("priority"), ids[2], QStringLiteral("5")});
        QVERIFY2(raised.exitCode == 0, qPrintable(raised.err));
        const Result listed = cli.run(registry + QStringList{QStringLiteral("queue"), QStringLiteral("ls")});
        QCOMPARE(listed.out.count(QStringLiteral("five")), 2);
        QVERIFY2(listed.out.indexOf(ids[2]) < listed.out.indexOf(ids[1]), qPrintable(listed.out));
        const Result unknown =
            cli.run(registry + QStringList{QStringLiteral("queue"), QStringLiteral("priority"),
                                           QStringLiteral("20190705_01_never"), QStringLiteral("1")});
        QCOMPARE(unknown.exitCode, 1);
        const Result bad = cli.run(registry + QStringList{QStringLiteral("queue"), smallSpec(),
                                                          QStringLiteral("--hosts"), QStringLiteral("a b")});
        QCOMPARE(bad.exitCode, 2);
    }
};

QTEST_MAIN(TestQueue)
#include "TestQueue.moc"
