// The app's one door to the registry (RegistryReader) on a real SQLite registry: the order it serves
// requests in, writes kept when it closes, reads in flight cut short when it closes, answers dropped when
// their asker is gone, and a registry that cannot be opened told to the asker.
#include "registry/HttpRegistryClient.h"
#include "registry/RegistryReader.h"
#include "registry/RegistryStore.h"

#include <QElapsedTimer>
#include <QSemaphore>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include <mutex>

using namespace jikken;

class TestRegistryReader : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_path;
    QString m_id;

    RegistryConnector connector() const
    {
        return [path = m_path](QString* error) -> std::unique_ptr<RegistryClient> {
            auto store = std::make_unique<RegistryStore>();
            if (!store->open(path, error))
                return nullptr;
            return store;
        };
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_path = m_dir.filePath(QStringLiteral("registry.sqlite"));
        RegistryStore store;
        QString error;
        QVERIFY(store.open(m_path, &error));
        m_id = store.reserve(QStringLiteral("softmax"), &error)->toString();
    }

    // Fifty memo writes asked at once and the reader closed at once: all made, in order, the last one kept.
    void writesAreMadeInOrderEvenWhenClosing()
    {
        QObject asker;
        auto reader = std::make_unique<RegistryReader>(connector(), m_path, 4);
        for (int i = 1; i <= 50; ++i) {
            const QString memo = QStringLiteral("memo %1").arg(i);
            reader->ask(
                &asker, RegistryReader::Kind::Write,
                [this, memo](RegistryClient& registry, QString* error) { return registry.setMemo(m_id, memo, error); },
                [](bool, const QString&) {});
        }
        reader.reset();
        RegistryStore store;
        QString error;
        QVERIFY(store.open(m_path, &error));
        QCOMPARE(store.run(m_id, &error)->memo, QStringLiteral("memo 50"));
    }

    // With one lane busy, a quick read asked after a long one is served first; each kind in its order.
    // Many runs wanted at once go sixteen a request to a service (several lanes, a round trip each), one a
    // request to a database here (one lane: no round trip, and one run's points held at a time).
    void manyRunsAreCutIntoRequests()
    {
        QStringList ids;
        for (int i = 1; i <= 40; ++i)
            ids << QStringLiteral("20190705_%1_softmax").arg(i, 2, 10, QLatin1Char('0'));
        const RegistryReader far(connector(), QStringLiteral("http://gpu1:8470"), 6);
        const QList<QStringList> requests = far.batches(ids);
        QCOMPARE(requests.size(), 3);
        QCOMPARE(requests[0], ids.mid(0, RegistryReader::kRunsPerRequest));
        QCOMPARE(requests[2], ids.mid(32));
        const RegistryReader here(connector(), m_path, 1);
        const QList<QStringList> each = here.batches(ids);
        QCOMPARE(each.size(), ids.size());
        QCOMPARE(each[39], QStringList{ids[39]});
        QVERIFY(here.batches({}).isEmpty());
    }

    void quickReadsGoBeforeLongOnes()
    {
        QObject asker;
        RegistryReader reader(connector(), m_path, 1);
        QSemaphore started, release;
        std::mutex mutex;
        QStringList served;
        const auto record = [&](const QString& name) {
            const std::lock_guard lock(mutex);
            served << name;
            return true;
        };
        reader.ask(
            &asker, RegistryReader::Kind::Long,
            [&](RegistryClient&, QString*) {
                started.release();
                release.acquire(); // the lane is busy until everything below is asked
                return record(QStringLiteral("busy"));
            },
            [](bool, const QString&) {});
        started.acquire();
        for (const QString& name : {QStringLiteral("long 1"), QStringLiteral("long 2")})
            reader.ask(
                &asker, RegistryReader::Kind::Long, [&, name](RegistryClient&, QString*) { return record(name); },
                [](bool, const QString&) {});
        for (const QString& name : {QStringLiteral("quick 1"), QStringLiteral("quick 2")})
            reader.ask(
                &asker, RegistryReader::Kind::Quick, [&, name](RegistryClient&, QString*) { return record(name); },
                [](bool, const QString&) {});
        QCOMPARE(reader.outstanding(), 5);
        release.release();
        QTRY_COMPARE(reader.outstanding(), 0);
        QCOMPARE(served, (QStringList{QStringLiteral("busy"), QStringLiteral("quick 1"), QStringLiteral("quick 2"),
                                      QStringLiteral("long 1"), QStringLiteral("long 2")}));
    }

    // With several lanes, the one that writes reads no curves: a memo saved while every other lane reads a
    // long curve is made at once, not after one of them.
    void aWriteNeverWaitsBehindALongRead()
    {
        QObject asker;
        RegistryReader reader(connector(), m_path, 2);
        QSemaphore started, release;
        std::mutex mutex;
        QStringList longLanes;
        for (int i = 0; i < 2; ++i)
            reader.ask(
                &asker, RegistryReader::Kind::Long,
                [&](RegistryClient&, QString*) {
                    {
                        const std::lock_guard lock(mutex);
                        longLanes << QThread::currentThread()->objectName();
                    }
                    started.release();
                    release.acquire();
                    return true;
                },
                [](bool, const QString&) {});
        const auto unblock = qScopeGuard([&release] { release.release(2); }); // a failed check leaves none stuck
        QVERIFY(started.tryAcquire(1, 5000));
        bool saved = false;
        reader.ask(
            &asker, RegistryReader::Kind::Write,
            [this](RegistryClient& registry, QString* error) {
                return registry.setMemo(m_id, QStringLiteral("now"), error);
            },
            [&saved](bool done, const QString&) { saved = done; });
        QTRY_VERIFY_WITH_TIMEOUT(saved, 5000); // the long reads still hold their lane
        QCOMPARE(reader.outstanding(), 2);
        release.release(2);
        QTRY_COMPARE(reader.outstanding(), 0);
        QCOMPARE(longLanes, (QStringList{QStringLiteral("registry reader 1"), QStringLiteral("registry reader 1")}));
    }

    // The answer comes back on the asker's thread with what the registry said; an asker that is gone gets
    // nothing (and nothing crashes).
    void answersReachTheirAskerUnlessItIsGone()
    {
        RegistryReader reader(connector(), m_path, 2);
        QObject kept;
        auto gone = std::make_unique<QObject>();
        std::optional<RunRecord> answer;
        bool goneAnswered = false;
        const auto readRun = [this](RegistryClient& registry, QString* error) { return registry.run(m_id, error); };
        reader.ask(&kept, RegistryReader::Kind::Quick, readRun,
                   [&](const std::optional<RunRecord>& run, const QString&) {
                       QCOMPARE(QThread::currentThread(), thread());
                       answer = run;
                   });
        reader.ask(gone.get(), RegistryReader::Kind::Quick, readRun,
                   [&](const std::optional<RunRecord>&, const QString&) { goneAnswered = true; });
        gone.reset();
        QTRY_COMPARE(reader.outstanding(), 0);
        QVERIFY(answer);
        QCOMPARE(answer->id, m_id);
        QVERIFY(!goneAnswered);
    }

    // A service that accepts and never answers (a link gone quiet): closing the reader does not wait out
    // the client's 60 s timeout for the reads in flight, on any lane.
    void closingCutsReadsInFlightShort()
    {
        QTcpServer silent; // the kernel accepts; nothing here ever reads or answers
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(silent.serverPort()));
        auto reader = std::make_unique<RegistryReader>(
            [url](QString*) { return std::make_unique<HttpRegistryClient>(url, QStringLiteral("t"), 60000); },
            url.toString(), 2);
        QObject asker;
        QSemaphore started;
        for (int i = 0; i < 2; ++i)
            reader->ask(
                &asker, RegistryReader::Kind::Quick,
                [&started](RegistryClient& registry, QString* error) {
                    started.release();
                    return registry.runs({}, error).has_value();
                },
                [](bool, const QString&) {});
        QVERIFY(started.tryAcquire(2, 5000)); // both lanes wait on the service
        QElapsedTimer closing;
        closing.start();
        reader.reset();
        QVERIFY2(closing.elapsed() < 5000, qPrintable(QString::number(closing.elapsed())));
    }

    // A registry that cannot be opened: the asker gets the reason and a default result, every time.
    void aRegistryThatCannotBeOpenedIsTold()
    {
        RegistryReader reader(
            [](QString* error) -> std::unique_ptr<RegistryClient> {
                *error = QStringLiteral("cannot open the registry nowhere.sqlite");
                return nullptr;
            },
            QStringLiteral("nowhere.sqlite"));
        QObject asker;
        QStringList errors;
        for (int i = 0; i < 2; ++i)
            reader.ask(
                &asker, RegistryReader::Kind::Quick,
                [](RegistryClient& registry, QString* error) {
                    return registry.runs({}, error).value_or(QVector<RunRecord>());
                },
                [&](const QVector<RunRecord>& runs, const QString& error) {
                    QVERIFY(runs.isEmpty());
                    errors << error;
                });
        QTRY_COMPARE(errors.size(), 2);
        QCOMPARE(errors.first(), QStringLiteral("cannot open the registry nowhere.sqlite"));
        QCOMPARE(errors.last(), errors.first());
    }
};

QTEST_GUILESS_MAIN(TestRegistryReader)
#include "TestRegistryReader.moc"
