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

    // The service goes down in the middle of a real training run and comes back: training never stops, and
    // every point of the event file reaches the registry exactly once.
    void outageDuringTraining()
    {
        const JikkenProcess admin = server();
        const QString database = freshDatabase();
        ServeProcess serve(admin, database);
        const QString token = serve.makeToken(QStringLiteral("gpu1"));
        QString error;
        QVERIFY2(serve.start(&error), qPrintable(error));

        JikkenProcess trainer = client(serve.url(), token);
        trainer.setEnvironment(QStringLiteral("JIKKEN_HEARTBEAT_SECONDS"), QStringLiteral("0.5"));
        QProcess training;
        trainer.start(training, QStringList{QStringLiteral("train"), QStringLiteral("--epochs"), QStringLiteral("3")} +
                                    kSmallRun);
        QVERIFY(training.waitForReadyRead(60000));
        const QString id = QString::fromUtf8(training.readLine()).trimmed();
        QVERIFY2(ModelId::parse(id), qPrintable(id));
        const QString runDir = m_dir.filePath(QStringLiteral("logs/") + id);

        // Down once the first epoch has been reported, for a few seconds of training.
        QElapsedTimer timer;
        timer.start();
        while (!QFile::exists(runDir + QStringLiteral("/checkpoint.json")) && timer.elapsed() < 120000)
            QThread::msleep(20);
        serve.stop(SIGKILL);
        QThread::msleep(3000);
        QVERIFY2(training.state() == QProcess::Running, "the outage must fall inside the run");
        QFile journal(runDir + QStringLiteral("/") + QString::fromLatin1(RegistryJournal::kFileName));
        QVERIFY2(journal.size() > 0, "reports wait in the journal while the service is away");
        QVERIFY2(serve.start(&error), qPrintable(error));

        QVERIFY(training.waitForFinished(300000));
        QVERIFY2(training.exitCode() == 0, training.readAllStandardError().constData());

        RegistryStore store;
        QVERIFY2(store.open(database, &error), qPrintable(error));
        const auto run = store.run(id, &error);
        QVERIFY2(run, qPrintable(error));
        QCOMPARE(toString(run->status), QStringLiteral("finished"));
        QCOMPARE(run->epoch, 3);
        QVERIFY(run->finalMetrics.contains(QStringLiteral("test_error")));

        EventLogReader log(runDir);
        QVERIFY(log.poll(nullptr, nullptr));
        const RunScalars& events = log.runs().at(QStringLiteral(".")).scalars;
        int compared = 0;
        for (int t = 0; t < events.tags().size(); ++t) {
            const QString tag = events.tags()[t];
            const QVector<ScalarPoint> stored = store.scalars(id, tag, &error);
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
