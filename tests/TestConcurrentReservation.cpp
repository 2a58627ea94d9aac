#include "ids/ModelId.h"

#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>
#include <vector>

class TestConcurrentReservation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Many processes open one new database file at once (racing the migration too) and reserve together.
    void manyProcessesGetDistinctGapFreeIds()
    {
        QTemporaryDir dir;
        const QString db = dir.filePath(QStringLiteral("shared.sqlite"));
        constexpr int kProcesses = 12;
        constexpr int kEach = 15;
        std::vector<std::unique_ptr<QProcess>> workers;
        for (int i = 0; i < kProcesses; ++i) {
            auto process = std::make_unique<QProcess>();
            process->start(QStringLiteral(RESERVE_WORKER), {db, QString::number(kEach)});
            workers.push_back(std::move(process));
        }
        QStringList ids;
        for (auto& process : workers) {
            QVERIFY(process->waitForFinished(120000));
            QCOMPARE(process->exitCode(), 0);
            ids << QString::fromUtf8(process->readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
        }
        QCOMPARE(ids.size(), kProcesses * kEach);
        QSet<int> numbers;
        for (const QString& text : ids) {
            const auto id = jikken::ModelId::parse(text);
            QVERIFY2(id, qPrintable(text));
            QCOMPARE(id->date(), QDate(2019, 7, 5)); // the workers' fixed clock
            numbers.insert(id->number());
        }
        QCOMPARE(numbers.size(), kProcesses * kEach); // distinct
        for (int n = 1; n <= kProcesses * kEach; ++n)
            QVERIFY2(numbers.contains(n), qPrintable(QString::number(n))); // and gap-free
    }
};

QTEST_GUILESS_MAIN(TestConcurrentReservation)
#include "TestConcurrentReservation.moc"
