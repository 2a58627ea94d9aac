// The registry service under faults, with real components: `jikken serve` on a real PostgreSQL that is
// restarted under it, and a run's journal (JournalingRegistryClient) delivering through the outage.
#include "JikkenProcess.h"
#include "PostgresCluster.h"
#include "ServeProcess.h"
#include "registry/HttpRegistryClient.h"
#include "registry/JournalingRegistryClient.h"
#include "registry/RegistryJournal.h"
#include "registry/RegistryStore.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

using namespace jikken;
using namespace jikken::testing;

class TestServiceFaults : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    PostgresCluster m_cluster;
    QString m_database;
    std::unique_ptr<JikkenProcess> m_admin;
    std::unique_ptr<ServeProcess> m_serve;
    QString m_token;

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_cluster.start(&error), qPrintable(error));
        m_database = m_cluster.createDatabase(&error);
        QVERIFY2(!m_database.isEmpty(), qPrintable(error));
        m_admin = std::make_unique<JikkenProcess>(m_dir.filePath(QStringLiteral("home")), m_dir.path());
        m_serve = std::make_unique<ServeProcess>(*m_admin, m_database);
        m_token = m_serve->makeToken(QStringLiteral("gpu1"));
        QVERIFY(!m_token.isEmpty());
        QVERIFY2(m_serve->start(&error), qPrintable(error));
    }

    // `pg_ctl stop -m fast` and start again under a running service: while the database is away a valid
    // token is never told it is invalid (503 or 500, not 401), and the service reconnects by itself.
    void aPostgresRestartIsNotAnAuthenticationError()
    {
        HttpRegistryClient client(QUrl(m_serve->url()), m_token, 3000);
        QString error;
        QVERIFY2(client.reserve(QStringLiteral("before"), &error), qPrintable(error));
        QVERIFY2(m_cluster.pause(&error), qPrintable(error));
        // Past the service's 2 s token cache, so the token itself is looked up in the absent database.
        QElapsedTimer timer;
        timer.start();
        int refusals = 0;
        while (timer.elapsed() < 3000) {
            const auto id = client.reserve(QStringLiteral("during"), &error);
            QVERIFY2(!id, "nothing can be reserved without the database");
            QVERIFY2(client.lastFailure() != RegistryFailure::Unauthorized, qPrintable(error));
            QVERIFY2(client.lastFailure() == RegistryFailure::Unreachable ||
                         client.lastFailure() == RegistryFailure::ServiceError,
                     qPrintable(error));
            // A list read fails as plainly: no list (an empty one would read as "no runs yet").
            QVERIFY(!client.runs({}, &error));
            QVERIFY2(client.lastFailure() == RegistryFailure::Unreachable ||
                         client.lastFailure() == RegistryFailure::ServiceError,
                     qPrintable(error));
            ++refusals;
            QThread::msleep(200);
        }
        QVERIFY2(refusals >= 3, qPrintable(QString::number(refusals)));
        QVERIFY2(m_cluster.resume(&error), qPrintable(error));
        timer.restart();
        std::optional<ModelId> after;
        while (!after && timer.elapsed() < 15000) {
            after = client.reserve(QStringLiteral("after"), &error);
            if (!after)
                QThread::msleep(200);
        }
        QVERIFY2(after, qPrintable(error));
        QVERIFY2(client.run(after->toString(), &error), qPrintable(error));
    }

    // A run's reports while the database is away: the service answers 5xx, and every report stays in the
    // journal until it is stored, then goes exactly once.
    void reportsWaitThroughADatabaseOutage()
    {
        QString error;
        const auto id = HttpRegistryClient(QUrl(m_serve->url()), m_token).reserve(QStringLiteral("outage"), &error);
        QVERIFY2(id, qPrintable(error));
        const QString runDir = m_dir.filePath(id->toString());
        QVERIFY(QDir().mkpath(runDir));
        JournalingRegistryClient::Options options;
        options.heartbeatMs = 0;
        options.requestTimeoutMs = 2000;
        options.maxRetryDelayMs = 300;
        JournalingRegistryClient journaled(QUrl(m_serve->url()), m_token, id->toString(), runDir, options);
        QVERIFY2(journaled.start(&error), qPrintable(error));
        QVERIFY2(m_cluster.pause(&error), qPrintable(error));
        QThread::msleep(2100); // the token cache expires: requests now meet the missing database

        QVERIFY(journaled.setStatus(id->toString(), RunStatus::Running, {}, &error));
        QVector<ScalarPoint> points;
        for (int step = 0; step < 500; ++step)
            points.append({QStringLiteral("train/loss"), step, 1.0e9 + step, 1.0 / (step + 1)});
        QVERIFY(journaled.addScalars(id->toString(), points, &error));
        QVERIFY(journaled.reportProgress(id->toString(), 1, 499, 0.25, &error));
        QVERIFY(journaled.setStatus(id->toString(), RunStatus::Finished, {}, &error));
        QThread::msleep(1500); // several attempts, all answered 5xx
        QFile journal(runDir + u'/' + QString::fromLatin1(RegistryJournal::kFileName));
        QVERIFY2(journal.size() > 0, "the reports wait in the journal");
        QVERIFY2(journaled.lastProblem().contains(QStringLiteral("50")), qPrintable(journaled.lastProblem()));

        QVERIFY2(m_cluster.resume(&error), qPrintable(error));
        QCOMPARE(journaled.finish(30000), 0);
        QCOMPARE(journaled.rejectedReports(), 0);
        QCOMPARE(journal.size(), 0);
        RegistryStore store;
        QVERIFY2(store.open(m_database, &error), qPrintable(error));
        const auto run = store.run(id->toString(), &error);
        QVERIFY2(run, qPrintable(error));
        QCOMPARE(toString(run->status), QStringLiteral("finished"));
        QCOMPARE(run->epoch, 1);
        QCOMPARE(store.scalars(id->toString(), QStringLiteral("train/loss"), &error).value().size(), 500);
    }
};

QTEST_GUILESS_MAIN(TestServiceFaults)
#include "TestServiceFaults.moc"
