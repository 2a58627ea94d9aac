// Many processes reserve IDs at once, on the database directly and through `jikken serve`: every ID is
// distinct and the numbers of the day have no gaps. Runs on both backends.
#include "JikkenProcess.h"
#include "RegistryBackend.h"
#include "ServeProcess.h"
#include "ids/ModelId.h"

#include <QProcess>
#include <QSet>
#include <QtTest>

#include <memory>
#include <vector>

using namespace jikken::testing;

class TestConcurrentReservation : public QObject
{
    Q_OBJECT

private:
    RegistryBackend m_backend;
    QTemporaryDir m_dir;

    /// Starts `processes` workers with `arguments`, each reserving `each` IDs, and checks the IDs.
    void reserveInParallel(const QStringList& arguments, int processes, int each, std::optional<QDate> day)
    {
        std::vector<std::unique_ptr<QProcess>> workers;
        for (int i = 0; i < processes; ++i) {
            auto process = std::make_unique<QProcess>();
            process->start(QStringLiteral(RESERVE_WORKER), arguments + QStringList{QString::number(each)});
            workers.push_back(std::move(process));
        }
        QStringList ids;
        for (auto& process : workers) {
            QVERIFY(process->waitForFinished(180000));
            QVERIFY2(process->exitCode() == 0, process->readAllStandardError().constData());
            ids << QString::fromUtf8(process->readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
        }
        QCOMPARE(ids.size(), processes * each);
        QSet<int> numbers;
        const QDate firstDay = jikken::ModelId::parse(ids.first())->date();
        for (const QString& text : ids) {
            const auto id = jikken::ModelId::parse(text);
            QVERIFY2(id, qPrintable(text));
            QCOMPARE(id->date(), day.value_or(firstDay));
            numbers.insert(id->number());
        }
        QCOMPARE(numbers.size(), processes * each); // distinct
        for (int n = 1; n <= processes * each; ++n)
            QVERIFY2(numbers.contains(n), qPrintable(QString::number(n))); // and gap-free
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_backend.start(&error), qPrintable(error));
    }

    // Many processes open one new database at once (racing the migration too) and reserve together.
    void manyProcessesOnTheDatabase()
    {
        const QString db = m_backend.database(QStringLiteral("direct"));
        reserveInParallel({db}, 12, 15, QDate(2019, 7, 5)); // the workers' fixed clock
    }

#ifdef JIKKEN_BINARY
    // The same through the service: the service's clock dates the IDs.
    void manyClientsThroughTheService()
    {
        const JikkenProcess jikken(m_dir.filePath(QStringLiteral("home")), m_dir.path());
        ServeProcess serve(jikken, m_backend.database(QStringLiteral("service")));
        const QString token = serve.makeToken(QStringLiteral("workers"));
        QVERIFY(!token.isEmpty());
        QString error;
        QVERIFY2(serve.start(&error), qPrintable(error));
        reserveInParallel({serve.url(), token}, 16, 20, std::nullopt);
    }
#endif
};

QTEST_GUILESS_MAIN(TestConcurrentReservation)
#include "TestConcurrentReservation.moc"
