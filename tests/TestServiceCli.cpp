// The real `jikken` binary against a real `jikken serve`: the CLI through the service, a spreadsheet import,
// and an outage in the middle of a real training run. Runs on both backends.
#include "JikkenProcess.h"
#include "RegistryBackend.h"
#include "ServeProcess.h"
#include "events/EventLogReader.h"
#include "ids/ModelId.h"
#include "registry/RegistryJournal.h"
#include "registry/RegistryStore.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QThread>
#include <QtTest>

#include <csignal>

using namespace jikken;
using namespace jikken::testing;

class TestServiceCli : public QObject
{
    Q_OBJECT

private:
    RegistryBackend m_backend;
    QTemporaryDir m_dir;
    int m_databases = 0;

    /// A `jikken` whose registry is the service at `url`, with `token`.
    JikkenProcess client(const QString& url, const QString& token) const
    {
        JikkenProcess jikken(m_dir.filePath(QStringLiteral("client-home")), m_dir.path());
        jikken.setEnvironment(QStringLiteral("JIKKEN_REGISTRY"), url);
        jikken.setEnvironment(QStringLiteral("JIKKEN_TOKEN"), token);
        return jikken;
    }
    JikkenProcess server() const { return JikkenProcess(m_dir.filePath(QStringLiteral("server-home")), m_dir.path()); }
    QString freshDatabase() { return m_backend.database(QStringLiteral("cli%1").arg(++m_databases)); }

    /// The run as the registry's database holds it, read past the service.
    static std::optional<RunRecord> storedRun(const QString& database, const QString& id, QString* error)
    {
        RegistryStore store;
        return store.open(database, error) ? store.run(id, error) : std::nullopt;
    }

    /// `jikken serve` on a fresh database, with a write token.
    struct Service
    {
        JikkenProcess admin;
        QString database;
        ServeProcess serve{admin, database};
        QString token{};
    };
    std::unique_ptr<Service> startService(const QString& tokenName)
    {
        auto service = std::unique_ptr<Service>(new Service{server(), freshDatabase()});
        service->token = service->serve.makeToken(tokenName);
        QString error;
        if (!service->serve.start(&error))
            qFatal("%s", qPrintable(error));
        return service;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_backend.start(&error), qPrintable(error));
    }

    void verbsWorkThroughTheService()
    {
        const JikkenProcess admin = server();
        const QString database = freshDatabase();
        ServeProcess serve(admin, database);
        const QString token = serve.makeToken(QStringLiteral("laptop"));
        const QString readOnly = serve.makeToken(QStringLiteral("phone"), true);
        QVERIFY(token.startsWith(QStringLiteral("jk_")) && readOnly.startsWith(QStringLiteral("jk_")));
        QString error;
        QVERIFY2(serve.start(&error), qPrintable(error));

        const JikkenProcess jikken = client(serve.url(), token);
        const Result reserved =
            jikken.run({QStringLiteral("reserve"), QStringLiteral("--method"), QStringLiteral("focalloss")});
        QVERIFY2(reserved.exitCode == 0, qPrintable(reserved.err));
        const QString id = reserved.out.trimmed();
        QVERIFY(ModelId::parse(id));
        QCOMPARE(jikken.run({QStringLiteral("memo"), id, QStringLiteral("γ=2")}).exitCode, 0);
        const Result shown = client(serve.url(), readOnly).run({QStringLiteral("show"), id});
        QVERIFY(shown.out.contains(QStringLiteral("γ=2")));
        const Result refused = client(serve.url(), readOnly).run({QStringLiteral("memo"), id, QStringLiteral("x")});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains(QStringLiteral("read-only")), qPrintable(refused.err));
        const Result exported =
            jikken.run({QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("csv")});
        QVERIFY(exported.out.contains(id));
        const Result today = jikken.run({QStringLiteral("ls"), QStringLiteral("--date"), QStringLiteral("today")});
        QVERIFY2(today.out.contains(id), qPrintable(today.out + today.err));

        // Verbs that work on the database itself refuse a service, clearly.
        const Result config = jikken.run({QStringLiteral("config")});
        QCOMPARE(config.exitCode, 2);
        QVERIFY(config.err.contains(QStringLiteral("database")));
        const Result noToken = client(serve.url(), {}).run({QStringLiteral("ls")});
        QCOMPARE(noToken.exitCode, 2);
        QVERIFY(noToken.err.contains(QStringLiteral("JIKKEN_TOKEN")));
        const Result wrongToken = client(serve.url(), QStringLiteral("jk_nope")).run({QStringLiteral("ls")});
        QCOMPARE(wrongToken.exitCode, 1);
        QVERIFY(wrongToken.err.contains(QStringLiteral("401")));
        QVERIFY(!wrongToken.err.contains(QStringLiteral("\n"), Qt::CaseSensitive) || wrongToken.err.count(u'\n') == 1);

        // Revoked: refused within seconds.
        QCOMPARE(admin
                     .run({QStringLiteral("--registry"), database, QStringLiteral("token"), QStringLiteral("revoke"),
                           QStringLiteral("laptop")})
                     .exitCode,
                 0);
        QThread::msleep(2100);
        QCOMPARE(jikken.run({QStringLiteral("ls")}).exitCode, 1);
        const Result listed =
            admin.run({QStringLiteral("--registry"), database, QStringLiteral("token"), QStringLiteral("list")});
        QVERIFY(listed.out.contains(QStringLiteral("laptop")) && listed.out.contains(QStringLiteral("phone")));
        QVERIFY(!listed.out.contains(token)); // secrets are not kept
    }

    void importsAMessySpreadsheet()
    {
        const JikkenProcess admin = server();
        ServeProcess serve(admin, freshDatabase());
        const QString token = serve.makeToken(QStringLiteral("importer"));
        QString error;
        QVERIFY2(serve.start(&error), qPrintable(error));
        const JikkenProcess jikken = client(serve.url(), token);
        const QString csv =
            qEnvironmentVariable("JIKKEN_TEST_SOURCE_DIR") + QStringLiteral("/tests/data/messy-registry.csv");
        const Result imported = jikken.run({QStringLiteral("import"), QStringLiteral("--csv"), csv});
        QCOMPARE(imported.exitCode, 1); // some rows were left out
        QVERIFY2(imported.out.contains(QStringLiteral("imported 4 runs")), qPrintable(imported.out + imported.err));
        QVERIFY(imported.err.contains(QStringLiteral("2019075_03_focalloss")));
        QVERIFY(imported.err.contains(QStringLiteral("20190705_01_FocalLoss")));
        QVERIFY(imported.err.contains(QStringLiteral("appears twice")));

        const Result json =
            jikken.run({QStringLiteral("show"), QStringLiteral("--json"), QStringLiteral("20190702_02_softmax")});
        const QJsonObject second = QJsonDocument::fromJson(json.out.toUtf8()).object();
        QCOMPARE(second.value(QStringLiteral("latest_test_error")).toDouble(), 0.0735);
        QCOMPARE(second.value(QStringLiteral("status")).toString(), QStringLiteral("finished"));
        QCOMPARE(second.value(QStringLiteral("memo")).toString(),
                 QStringLiteral("lr half, \"same\" as 01\r\nsecond line of the memo"));
        QCOMPARE(second.value(QStringLiteral("hparams")).toObject().value(QStringLiteral("LR")).toDouble(), 0.05);
        QCOMPARE(second.value(QStringLiteral("host")).toString(), QStringLiteral("gpu2"));
        const QJsonObject first =
            QJsonDocument::fromJson(
                jikken.run({QStringLiteral("show"), QStringLiteral("--json"), QStringLiteral("20190702_01_softmax")})
                    .out.toUtf8())
                .object();
        QCOMPARE(first.value(QStringLiteral("fields")).toObject().value(QStringLiteral("GPU memory")).toString(),
                 QStringLiteral("10GB"));
        const QJsonObject killed =
            QJsonDocument::fromJson(
                jikken.run({QStringLiteral("show"), QStringLiteral("--json"), QStringLiteral("20190702_03_softmax")})
                    .out.toUtf8())
                .object();
        QCOMPARE(killed.value(QStringLiteral("status")).toString(), QStringLiteral("stopped"));
        QCOMPARE(killed.value(QStringLiteral("status_reason")).toString(), QStringLiteral("killed"));
        QCOMPARE(killed.value(QStringLiteral("latest_test_error")).toDouble(), 0.298); // "29.8" read as a percentage

        // Imported numbers are taken: the next ID of that day follows them.
        const Result again = jikken.run({QStringLiteral("import"), QStringLiteral("--csv"), csv});
        QVERIFY(again.err.contains(QStringLiteral("in the registry already")));
        QVERIFY(again.out.contains(QStringLiteral("imported 0 runs")));
    }

    void noServiceNoIdNoRun()
    {
        const JikkenProcess jikken = client(QStringLiteral("http://127.0.0.1:9"), QStringLiteral("jk_x"));
        const Result r = jikken.run(
            QStringList{QStringLiteral("train"), QStringLiteral("--epochs"), QStringLiteral("1")} + kSmallRun);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("does not answer")) &&
                     r.err.contains(QStringLiteral("no ID was reserved")),
                 qPrintable(r.err));
        QVERIFY(!QDir(m_dir.filePath(QStringLiteral("logs"))).exists());
    }

    /// Starts `jikken train ARGUMENTS` with `trainer`; returns the model ID it prints first.
    static QString startTraining(const JikkenProcess& trainer, QProcess& training, const QStringList& arguments)
    {
        trainer.start(training, QStringList{QStringLiteral("train")} + arguments + kSmallRun);
        if (!training.waitForReadyRead(60000))
            return {};
        return QString::fromUtf8(training.readLine()).trimmed();
    }

    /// Waits for the first epoch's checkpoint of a run in `runDir`.
    static bool waitForCheckpoint(const QString& runDir)
    {
        QElapsedTimer timer;
        timer.start();
        while (!QFile::exists(runDir + QStringLiteral("/checkpoint.json")) && timer.elapsed() < 120000)
            QThread::msleep(20);
        return QFile::exists(runDir + QStringLiteral("/checkpoint.json"));
    }

    // The token is revoked while a run trains (twelve epochs: an idle machine trains three before the revocation
    // lands): its reports stay in the journal (none dropped, none refused
    // for good), the warning comes once, the last line and the exit status say what is missing, and
    // `jikken sync` with a new token delivers all of it.
    void aRevokedTokenKeepsTheReports()
    {
        const auto service = startService(QStringLiteral("revoked-mid-run"));
        const JikkenProcess& admin = service->admin;
        const QString& database = service->database;
        ServeProcess& serve = service->serve;
        QString error;
        QProcess training;
        // Each training test its own method: a fresh registry numbers from 01 again, and logs/<id> must be new.
        const QString id = startTraining(client(serve.url(), service->token), training,
                                         {QStringLiteral("--epochs"), QStringLiteral("12"), QStringLiteral("--method"),
                                          QStringLiteral("label-smoothing")});
        QVERIFY2(ModelId::parse(id), qPrintable(id));
        const QString runDir = m_dir.filePath(QStringLiteral("logs/") + id);
        QVERIFY(waitForCheckpoint(runDir));
        QCOMPARE(admin
                     .run({QStringLiteral("--registry"), database, QStringLiteral("token"), QStringLiteral("revoke"),
                           QStringLiteral("revoked-mid-run")})
                     .exitCode,
                 0);
        QVERIFY(training.waitForFinished(300000));
        const QString err = QString::fromUtf8(training.readAllStandardError());
        QCOMPARE(training.exitCode(), 75);
        QCOMPARE(err.count(QStringLiteral("fix the token")), 1);
        const QStringList lines = err.trimmed().split(u'\n');
        QVERIFY2(lines.last().contains(id) && lines.last().contains(QStringLiteral("does not have all")),
                 qPrintable(err));
        QVERIFY2(err.contains(QStringLiteral("jikken sync")), qPrintable(err));
        QFile journal(runDir + QStringLiteral("/") + QString::fromLatin1(RegistryJournal::kFileName));
        QVERIFY(journal.size() > 0);
        QVERIFY(!QFile::exists(runDir + QStringLiteral("/") + QString::fromLatin1(RegistryJournal::kRejectedFileName)));

        const QString fresh = serve.makeToken(QStringLiteral("fresh"));
        const Result sync = client(serve.url(), fresh).run({QStringLiteral("sync"), runDir});
        QVERIFY2(sync.exitCode == 0, qPrintable(sync.err));
        QCOMPARE(journal.size(), 0);
        const auto run = storedRun(database, id, &error);
        QVERIFY2(run, qPrintable(error));
        QCOMPARE(toString(run->status), QStringLiteral("finished"));
        QCOMPARE(run->epoch, 12);
    }

    // The log disk fills while a checkpoint is written (a file-size limit on the trainer stands in for the
    // disk): no abort, no torn .pt file, the run is marked failed with the reason, and the last good
    // checkpoint is still the one that resumes.
    void aFullDiskFailsTheRunAndKeepsTheCheckpoint()
    {
        const auto service = startService(QStringLiteral("disk"));
        const QString& database = service->database;
        const QString url = service->serve.url();
        const QString& token = service->token;
        QString error;
        const JikkenProcess trainer = client(url, token);
        QProcess first;
        const QString id = startTraining(trainer, first,
                                         {QStringLiteral("--epochs"), QStringLiteral("1"), QStringLiteral("--method"),
                                          QStringLiteral("class-balanced")});
        QVERIFY2(ModelId::parse(id), qPrintable(id));
        QVERIFY(first.waitForFinished(300000));
        QCOMPARE(first.exitCode(), 0);
        const QDir runDir(m_dir.filePath(QStringLiteral("logs/") + id));
        const auto checkpointFiles = [&] {
            return runDir.entryList({QStringLiteral("*.pt*"), QStringLiteral("checkpoint.json*")}, QDir::Files,
                                    QDir::Name);
        };
        const QStringList before = checkpointFiles();
        QCOMPARE(before.size(), 4); // best-N.pt (kept beside the last), checkpoint.json, model-N.pt, optimizer-N.pt
        QFile json(runDir.filePath(QStringLiteral("checkpoint.json")));
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QByteArray lastGood = json.readAll();
        json.close();

        JikkenProcess full = client(url, token);
        const QString model = before.filter(QStringLiteral("model-")).value(0);
        full.setFileSizeLimit(QFileInfo(runDir.filePath(model)).size() / 2); // the weights no longer fit
        const Result resumed = full.run(
            {QStringLiteral("train"), QStringLiteral("--resume"), id, QStringLiteral("--epochs"), QStringLiteral("2")});
        QVERIFY2(!resumed.crashed && resumed.exitCode == 1, qPrintable(resumed.err));
        QVERIFY2(resumed.err.trimmed().split(u'\n').last().contains(QStringLiteral("cannot write the checkpoint")),
                 qPrintable(resumed.err));
        QCOMPARE(checkpointFiles(), before); // nothing torn, nothing half-named
        QVERIFY(json.open(QIODevice::ReadOnly));
        QCOMPARE(json.readAll(), lastGood);

        const auto run = storedRun(database, id, &error);
        QVERIFY2(run, qPrintable(error));
        QCOMPARE(toString(run->status), QStringLiteral("failed"));
        QVERIFY2(run->statusReason.contains(QStringLiteral("cannot write the checkpoint")),
                 qPrintable(run->statusReason));
    }

    // The service goes down in the middle of a real training run and comes back: training never stops, and
    // every point of the event file reaches the registry exactly once.
    void outageDuringTraining()
    {
        const auto service = startService(QStringLiteral("gpu1"));
        const QString& database = service->database;
        ServeProcess& serve = service->serve;
        QString error;
        JikkenProcess trainer = client(serve.url(), service->token);
        trainer.setEnvironment(QStringLiteral("JIKKEN_HEARTBEAT_SECONDS"), QStringLiteral("0.5"));
        QProcess training;
        const QString id = startTraining(trainer, training, {QStringLiteral("--epochs"), QStringLiteral("3")});
        QVERIFY2(ModelId::parse(id), qPrintable(id));
        const QString runDir = m_dir.filePath(QStringLiteral("logs/") + id);

        // Down once the first epoch has been reported, for a few seconds of training.
        QVERIFY(waitForCheckpoint(runDir));
        serve.stop(SIGKILL);
        // Until the trainer has reported something (a loaded machine may take more than a moment).
        QFile journal(runDir + QStringLiteral("/") + QString::fromLatin1(RegistryJournal::kFileName));
        QElapsedTimer away;
        away.start();
        while (away.elapsed() < 3000 ||
               (journal.size() == 0 && away.elapsed() < 60000 && training.state() == QProcess::Running))
            QThread::msleep(100);
        QVERIFY2(training.state() == QProcess::Running, "the outage must fall inside the run");
        QVERIFY2(journal.size() > 0, "reports wait in the journal while the service is away");
        QVERIFY2(serve.start(&error), qPrintable(error));

        QVERIFY(training.waitForFinished(300000));
        QVERIFY2(training.exitCode() == 0, training.readAllStandardError().constData());

        const auto run = storedRun(database, id, &error);
        QVERIFY2(run, qPrintable(error));
        QCOMPARE(toString(run->status), QStringLiteral("finished"));
        QCOMPARE(run->epoch, 3);
        QVERIFY(run->finalMetrics.contains(QStringLiteral("test_error")));
        // The checkpoints it kept came through the journal too, as the run folder has them, on the run's host.
        QFile kept(runDir + QStringLiteral("/checkpoints.json"));
        QVERIFY(kept.open(QIODevice::ReadOnly));
        QString problem;
        QCOMPARE(run->checkpoints,
                 Checkpoints::fromJson(QJsonDocument::fromJson(kept.readAll()).array(), &problem).value());
        QCOMPARE(
            std::count_if(run->checkpoints.cbegin(), run->checkpoints.cend(), [](const auto& c) { return c.kept; }), 2);
        QCOMPARE(Checkpoints::last(run->checkpoints)->host, run->host);

        RegistryStore store;
        QVERIFY2(store.open(database, &error), qPrintable(error));
        EventLogReader log(runDir);
        QVERIFY(log.poll(nullptr, nullptr));
        const RunScalars& events = log.runs().at(QStringLiteral(".")).scalars;
        int compared = 0;
        for (int t = 0; t < events.tags().size(); ++t) {
            const QString tag = events.tags()[t];
            const QVector<ScalarPoint> stored = store.scalars(id, tag, &error).value();
            const auto& series = events.series(t);
            QCOMPARE(stored.size(), series.size()); // exactly once: none lost, none twice
            for (int i = 0; i < series.size(); ++i) {
                QCOMPARE(stored[i].step, series.steps[i]);
                QVERIFY(qAbs(stored[i].value - series.values[i]) <= 1e-6 * qMax(1.0, qAbs(series.values[i])));
                ++compared;
            }
        }
        QVERIFY2(compared >= 30, qPrintable(QString::number(compared))); // train/loss every 10 steps, 7 tags per epoch
        QCOMPARE(journal.size(), 0);                                     // all delivered
    }
};

QTEST_GUILESS_MAIN(TestServiceCli)
#include "TestServiceCli.moc"
