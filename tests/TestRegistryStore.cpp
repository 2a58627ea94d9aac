#include "registry/RegistrySchema.h"
#include "registry/RegistryStore.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTimeZone>
#include <QtTest>

using namespace jikken;

class TestRegistryStore : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString dbPath(const char* name) const { return m_dir.filePath(QString::fromLatin1(name)); }

private Q_SLOTS:
    void defaultHomeFollowsJikkenHome()
    {
        qputenv("JIKKEN_HOME", "/tmp/somewhere-else");
        QCOMPARE(RegistryStore::defaultDatabasePath(), QStringLiteral("/tmp/somewhere-else/registry.sqlite"));
        qunsetenv("JIKKEN_HOME");
        QVERIFY(RegistryStore::defaultHome().endsWith(QStringLiteral("/jikken")));
    }

    void reservesGapFreeNumbersPerDay()
    {
        RegistryStore store;
        QString error;
        QVERIFY2(store.open(dbPath("days.sqlite"), &error), qPrintable(error));
        QVERIFY(store.setTimeZoneId("UTC", &error));
        QDateTime now(QDate(2019, 7, 5), QTime(23, 59, 0), Qt::UTC);
        store.setClock([&now] { return now; });
        QCOMPARE(store.reserve(QStringLiteral("softmax"), &error)->toString(), QStringLiteral("20190705_01_softmax"));
        QCOMPARE(store.reserve(QStringLiteral("focalloss"), &error)->toString(),
                 QStringLiteral("20190705_02_focalloss"));
        now = now.addSecs(120); // past midnight: a new day starts from 01
        QCOMPARE(store.reserve(QStringLiteral("softmax"), &error)->toString(), QStringLiteral("20190706_01_softmax"));
    }

    void datesInTheRegistrysTimeZone()
    {
        RegistryStore store;
        QString error;
        QVERIFY(store.open(dbPath("zone.sqlite"), &error));
        store.setClock([] { return QDateTime(QDate(2019, 7, 5), QTime(20, 0), Qt::UTC); });
        QVERIFY2(store.setTimeZoneId("Asia/Tokyo", &error), qPrintable(error));
        QCOMPARE(store.today(), QDate(2019, 7, 6)); // 05:00 next morning in Tokyo
        QCOMPARE(store.reserve(QStringLiteral("x"), &error)->toString(), QStringLiteral("20190706_01_x"));
        QVERIFY(!store.setTimeZoneId("Mars/Olympus", &error));
        QVERIFY(error.contains(QStringLiteral("Mars/Olympus")));
        // The setting is the registry's, not this process's: a second connection sees it.
        RegistryStore other;
        QVERIFY(other.open(dbPath("zone.sqlite"), &error));
        QCOMPARE(other.timeZoneId(), QByteArray("Asia/Tokyo"));
    }

    void threeDigitsAfterNinetyNine()
    {
        RegistryStore store;
        QString error;
        QVERIFY(store.open(dbPath("many.sqlite"), &error));
        store.setClock([] { return QDateTime(QDate(2020, 1, 1), QTime(12, 0), Qt::UTC); });
        QVERIFY(store.setTimeZoneId("UTC", &error));
        std::optional<ModelId> last;
        for (int i = 0; i < 100; ++i)
            last = store.reserve(QStringLiteral("m"), &error);
        QCOMPARE(last->toString(), QStringLiteral("20200101_100_m"));
        const QVector<RunRecord> runs = store.runs({}, &error);
        QCOMPARE(runs.size(), 100);
        QCOMPARE(runs.last().id, QStringLiteral("20200101_100_m")); // numeric order, not text order
    }

    void refusesBadMethodsWithoutWriting()
    {
        RegistryStore store;
        QString error;
        QVERIFY(store.open(dbPath("bad.sqlite"), &error));
        QVERIFY(!store.reserve(QStringLiteral("Focal Loss"), &error));
        QVERIFY(error.contains(QStringLiteral("lowercase")));
        QCOMPARE(store.runs({}, &error).size(), 0);
    }

    void keepsTheWholeRecord()
    {
        RegistryStore store;
        QString error;
        QVERIFY(store.open(dbPath("record.sqlite"), &error));
        const QString id = store.reserve(QStringLiteral("softmax"), &error)->toString();
        RunDescription d;
        d.model = QStringLiteral("resnet18");
        d.dataset = QStringLiteral("cifar10");
        d.hparams = QJsonObject{{QStringLiteral("lr"), 0.1}, {QStringLiteral("batch_size"), 128}};
        d.host = QStringLiteral("gpu1");
        d.device = QStringLiteral("cuda:0");
        d.command = QStringLiteral("jikken train spec.json");
        d.spec = QJsonObject{{QStringLiteral("model"), QStringLiteral("resnet18")}};
        d.gitCommit = QStringLiteral("0123abcd");
        d.gitDirty = true;
        d.versions = QJsonObject{{QStringLiteral("libtorch"), QStringLiteral("2.1.0")}};
        d.logDir = QStringLiteral("/logs/") + id;
        d.totalEpochs = 200;
        QVERIFY2(store.describe(id, d, &error), qPrintable(error));
        QCOMPARE(toString(store.run(id, &error)->status), toString(RunStatus::Reserved));
        QVERIFY(store.setStatus(id, RunStatus::Running, {}, &error));
        QVERIFY(store.reportProgress(id, 1, 390, 0.31, &error));
        QVERIFY(store.reportProgress(id, 2, 780, 0.25, &error));
        QVERIFY(store.reportProgress(id, 3, 1170, 0.27, &error));
        QVERIFY(store.reportProgress(id, 3, 1200, std::nullopt, &error));
        QVERIFY(store.setMemo(id, QStringLiteral("lr半分, 他は01と同じ"), &error));
        QVERIFY(store.setFinalMetrics(id, {{QStringLiteral("test_error"), 0.27}}, &error));
        QVERIFY(store.setStatus(id, RunStatus::Finished, {}, &error));

        const auto run = store.run(id, &error);
        QVERIFY(run);
        QCOMPARE(run->model, QStringLiteral("resnet18"));
        QCOMPARE(run->hparams.value(QStringLiteral("batch_size")).toInt(), 128);
        QCOMPARE(run->gitCommit, QStringLiteral("0123abcd"));
        QVERIFY(run->gitDirty);
        QCOMPARE(run->device, QStringLiteral("cuda:0"));
        QCOMPARE(run->totalEpochs, 200);
        QCOMPARE(run->epoch, 3);
        QCOMPARE(run->step, 1200);
        QCOMPARE(*run->latestTestError, 0.27);
        QCOMPARE(*run->bestTestError, 0.25);
        QCOMPARE(run->memo, QStringLiteral("lr半分, 他は01と同じ"));
        QCOMPARE(toString(run->status), toString(RunStatus::Finished));
        QVERIFY(run->started.isValid() && run->finished.isValid() && run->heartbeat.isValid());
        QVERIFY(run->started <= run->finished);
        QCOMPARE(run->finalMetrics.value(QStringLiteral("test_error")).toDouble(), 0.27);
    }

    void unknownIdsAreErrors()
    {
        RegistryStore store;
        QString error;
        QVERIFY(store.open(dbPath("unknown.sqlite"), &error));
        QVERIFY(!store.setMemo(QStringLiteral("20190101_01_x"), QStringLiteral("m"), &error));
        QVERIFY(error.contains(QStringLiteral("20190101_01_x")));
        QVERIFY(!store.run(QStringLiteral("20190101_01_x"), &error));
        QVERIFY(!store.addScalars(QStringLiteral("20190101_01_x"), {{QStringLiteral("a"), 1, 1, 1}}, &error));
    }

    void scalarsAreIdempotentByTagAndStep()
    {
        RegistryStore store;
        QString error;
        QVERIFY(store.open(dbPath("scalars.sqlite"), &error));
        const QString id = store.reserve(QStringLiteral("softmax"), &error)->toString();
        const QVector<ScalarPoint> batch{{QStringLiteral("test/error"), 1, 100.0, 0.5},
                                         {QStringLiteral("test/error"), 2, 101.0, 0.4},
                                         {QStringLiteral("train/loss"), 1, 100.0, 2.0}};
        QVERIFY(store.addScalars(id, batch, &error));
        QVERIFY(store.addScalars(id, batch, &error));                                            // a replay
        QVERIFY(store.addScalars(id, {{QStringLiteral("test/error"), 2, 102.0, 0.35}}, &error)); // a re-run step
        const QVector<ScalarPoint> points = store.scalars(id, QStringLiteral("test/error"), &error);
        QCOMPARE(points.size(), 2);
        QCOMPARE(points[1].value, 0.35);
        QCOMPARE(store.scalars(id, {}, &error).size(), 3);
    }

    void filtersRuns()
    {
        RegistryStore store;
        QString error;
        QVERIFY(store.open(dbPath("filter.sqlite"), &error));
        QVERIFY(store.setTimeZoneId("UTC", &error));
        QDateTime now(QDate(2019, 7, 2), QTime(10, 0), Qt::UTC);
        store.setClock([&now] { return now; });
        const QString a = store.reserve(QStringLiteral("softmax"), &error)->toString();
        store.reserve(QStringLiteral("focalloss"), &error);
        now = now.addDays(2);
        store.reserve(QStringLiteral("softmax"), &error);
        QVERIFY(store.setStatus(a, RunStatus::Failed, QStringLiteral("OOM"), &error));
        QCOMPARE(store.runs({QDate(2019, 7, 2), {}, {}}, &error).size(), 2);
        QCOMPARE(store.runs({{}, QStringLiteral("softmax"), {}}, &error).size(), 2);
        const auto failed = store.runs({{}, {}, RunStatus::Failed}, &error);
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed[0].statusReason, QStringLiteral("OOM"));
    }

    void migratesAndRefusesNewerSchemas()
    {
        const QString path = dbPath("schema.sqlite");
        QString error;
        {
            RegistryStore store;
            QVERIFY(store.open(path, &error));
            QVERIFY(store.reserve(QStringLiteral("keep"), &error));
        }
        {
            RegistryStore again; // reopening migrates nothing and loses nothing
            QVERIFY(again.open(path, &error));
            QCOMPARE(again.runs({}, &error).size(), 1);
        }
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery query(db);
            QVERIFY(query.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'schema_version'")) && query.next());
            QCOMPARE(query.value(0).toInt(), RegistrySchema::latestVersion());
            QVERIFY(query.exec(QStringLiteral("UPDATE meta SET value = '999' WHERE key = 'schema_version'")));
            query.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("raw"));
        RegistryStore newer;
        QVERIFY(!newer.open(path, &error));
        QVERIFY2(error.contains(QStringLiteral("newer")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestRegistryStore)
#include "TestRegistryStore.moc"
