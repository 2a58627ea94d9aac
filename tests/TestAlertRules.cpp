// Alert rules judged on a clock the test sets: each fires once, when its condition first holds, and not
// a minute before.

#include "registry/AlertWatch.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

using namespace jikken;

namespace {

AlertRule rule(const QByteArray& json)
{
    QString error;
    const std::optional<AlertRule> parsed = AlertRule::fromJson(QJsonDocument::fromJson(json).object(), &error);
    if (!parsed)
        qFatal("%s", qPrintable(error));
    return *parsed;
}

QVector<TaggedSeries> points(const QString& tag, const QVector<QPair<qint64, double>>& stepValues)
{
    TaggedSeries tagged{tag, {}};
    for (const auto& [step, value] : stepValues)
        tagged.series.append(step, 0, value);
    return {tagged};
}

const QDateTime kStart = QDateTime::fromSecsSinceEpoch(1'800'000'000, Qt::UTC);

QDateTime at(double minutes)
{
    return kStart.addMSecs(static_cast<qint64>(minutes * 60000));
}

QStringList runsOf(const QVector<AlertWatch::Alert>& alerts)
{
    QStringList runs;
    for (const AlertWatch::Alert& alert : alerts)
        runs << alert.run + u':' + alert.event;
    return runs;
}

} // namespace

class TestAlertRules : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void stalledFiresOnceAfterItsMinutesWithoutANewStep()
    {
        AlertWatch watch;
        watch.setRules({rule(R"({"name": "stalled-60m", "kind": "stalled", "minutes": 60})")});
        watch.runningRuns({{QStringLiteral("a"), 100}, {QStringLiteral("b"), 50}}, at(0));
        QVERIFY(watch.due(at(59.9)).isEmpty());
        watch.runningRuns({{QStringLiteral("a"), 100}, {QStringLiteral("b"), 51}}, at(30)); // b moved on
        const QVector<AlertWatch::Alert> due = watch.due(at(60));
        QCOMPARE(runsOf(due), QStringList{QStringLiteral("a:stalled")});
        QVERIFY2(due[0].detail.startsWith(QStringLiteral("no new step for 60 min (at step 100)")),
                 qPrintable(due[0].detail));
        QVERIFY(due[0].detail.contains(QStringLiteral("stalled-60m")));
        QVERIFY(watch.due(at(89)).isEmpty());                                          // once, not every poll
        QCOMPARE(runsOf(watch.due(at(90))), QStringList{QStringLiteral("b:stalled")}); // 60 min after step 51
        // New points are progress too; a run no longer running is not stalled.
        watch.runningRuns({{QStringLiteral("c"), 1}}, at(100));
        watch.pointsSeen(QStringLiteral("c"), points(QStringLiteral("train/loss"), {{2, 1.0}}), at(150));
        QVERIFY(watch.due(at(200)).isEmpty());
        watch.runningRuns({}, at(201));
        QVERIFY(watch.due(at(300)).isEmpty());
    }

    void gpuIdleFiresAfterItsMinutesUnderTheThreshold()
    {
        AlertWatch watch;
        watch.setRules({rule(R"({"name": "idle", "kind": "gpu_idle", "below": 10, "minutes": 30})")});
        const QString gpu = QStringLiteral("system/gpu_utilization");
        watch.runningRuns({{QStringLiteral("a"), 1}}, at(0));
        watch.pointsSeen(QStringLiteral("a"), points(gpu, {{1, 3}}), at(0));
        watch.pointsSeen(QStringLiteral("a"), points(gpu, {{2, 95}}), at(20)); // busy again: the count restarts
        watch.pointsSeen(QStringLiteral("a"), points(gpu, {{3, 0}}), at(25));
        QVERIFY(watch.due(at(54.9)).isEmpty());
        const QVector<AlertWatch::Alert> due = watch.due(at(55));
        QCOMPARE(runsOf(due), QStringList{QStringLiteral("a:gpu_idle")});
        QVERIFY2(due[0].detail.startsWith(QStringLiteral("system/gpu_utilization under 10% for 30 min")),
                 qPrintable(due[0].detail));
        QVERIFY(watch.due(at(120)).isEmpty());
    }

    void crossingFiresAtTheFirstPointPastItsValue()
    {
        AlertWatch watch;
        watch.setRules({rule(R"({"name": "target", "kind": "crossing", "metric": "test/error", "below": 0.05})"),
                        rule(R"({"name": "blowup", "kind": "crossing", "metric": "train/loss", "above": 10})")});
        const QString error = QStringLiteral("test/error");
        watch.pointsSeen(QStringLiteral("a"), points(error, {{100, 0.2}, {200, 0.05}}), at(0)); // 0.05 is not below
        QVERIFY(watch.due(at(1)).isEmpty());
        watch.pointsSeen(QStringLiteral("a"), points(error, {{300, 0.048}, {400, 0.04}}), at(2));
        const QVector<AlertWatch::Alert> due = watch.due(at(2));
        QCOMPARE(runsOf(due), QStringList{QStringLiteral("a:crossing")});
        QVERIFY2(due[0].detail.startsWith(QStringLiteral("test/error 0.048 at step 300")), qPrintable(due[0].detail));
        watch.pointsSeen(QStringLiteral("a"), points(error, {{500, 0.01}}), at(3));
        watch.pointsSeen(QStringLiteral("a"), points(QStringLiteral("train/loss"), {{500, qInf()}, {600, 11}}), at(3));
        QCOMPARE(runsOf(watch.due(at(3))), QStringList{QStringLiteral("a:crossing")}); // the loss, once
    }

    void notImprovingFiresAfterItsEpochsWithoutABetterValue()
    {
        AlertWatch watch;
        watch.setRules({rule(R"({"name": "flat", "kind": "not_improving", "metric": "test/error", "epochs": 3})"),
                        rule(R"({"name": "acc", "kind": "not_improving", "metric": "test/accuracy", "epochs": 2,
                                 "mode": "max"})")});
        const QString error = QStringLiteral("test/error");
        watch.pointsSeen(QStringLiteral("a"), points(error, {{1, 0.5}, {2, 0.3}, {3, 0.31}, {4, 0.3}}), at(0));
        // A point sent again (a retried report) is not another epoch.
        watch.pointsSeen(QStringLiteral("a"), points(error, {{4, 0.3}}), at(0));
        QVERIFY(watch.due(at(0)).isEmpty());
        watch.pointsSeen(QStringLiteral("a"), points(error, {{5, 0.35}}), at(1));
        const QVector<AlertWatch::Alert> due = watch.due(at(1));
        QCOMPARE(runsOf(due), QStringList{QStringLiteral("a:not_improving")});
        QVERIFY2(due[0].detail.startsWith(QStringLiteral("test/error no better than 0.3 (step 2) for 3 epochs")),
                 qPrintable(due[0].detail));
        watch.pointsSeen(QStringLiteral("b"), points(QStringLiteral("test/accuracy"), {{1, 0.5}, {2, 0.6}, {3, 0.6}}),
                         at(2));
        QVERIFY(watch.due(at(2)).isEmpty());
        watch.pointsSeen(QStringLiteral("b"), points(QStringLiteral("test/accuracy"), {{4, 0.59}}), at(3));
        QCOMPARE(runsOf(watch.due(at(3))), QStringList{QStringLiteral("b:not_improving")});
    }

    void rulesFilesAreReadStrictly()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("config/alert-rules.json"));
        QString error;
        QCOMPARE(AlertRules::read(path, &error)->size(), 0); // no file: no rules
        const QVector<AlertRule> rules{rule(R"({"name": "s", "kind": "stalled", "minutes": 60})"),
                                       rule(R"({"name": "g", "kind": "gpu_idle", "below": 5, "minutes": 10})"),
                                       rule(R"({"name": "c", "kind": "crossing", "metric": "m", "above": -1})"),
                                       rule(R"({"name": "n", "kind": "not_improving", "metric": "m", "epochs": 4,
                                                "mode": "max"})")};
        QVERIFY2(AlertRules::write(path, rules, &error), qPrintable(error));
        const auto read = AlertRules::read(path, &error);
        QVERIFY2(read, qPrintable(error));
        QCOMPARE(read->size(), 4);
        for (int i = 0; i < 4; ++i)
            QCOMPARE(read->at(i).toJson(), rules[i].toJson());
        QCOMPARE(read->at(3).describe(), QStringLiteral("m not higher for 4 epochs"));

        const QList<QPair<QByteArray, QString>> bad{
            {R"({"kind": "stalled", "minutes": 1})", QStringLiteral("needs a \"name\"")},
            {R"({"name": "x y", "kind": "stalled", "minutes": 1})", QStringLiteral("needs a \"name\"")},
            {R"({"name": "x", "kind": "slow", "minutes": 1})", QStringLiteral("\"kind\" must be")},
            {R"({"name": "x", "kind": "stalled", "minutes": 0})", QStringLiteral("\"minutes\" must be a positive")},
            {R"({"name": "x", "kind": "stalled", "minutes": "60"})", QStringLiteral("\"minutes\" must be a positive")},
            {R"({"name": "x", "kind": "stalled", "minutes": 5, "metric": "m"})",
             QStringLiteral("stalled has no \"metric\"")},
            {R"({"name": "x", "kind": "gpu_idle", "below": 120, "minutes": 5})", QStringLiteral("percentage")},
            {R"({"name": "x", "kind": "crossing", "metric": "m"})", QStringLiteral("\"below\" or \"above\"")},
            {R"({"name": "x", "kind": "crossing", "metric": "m", "below": 1, "above": 2})",
             QStringLiteral("\"below\" or \"above\"")},
            {R"({"name": "x", "kind": "crossing", "below": 1})", QStringLiteral("needs a \"metric\"")},
            {R"({"name": "x", "kind": "not_improving", "metric": "m", "epochs": 2.5})", QStringLiteral("whole number")},
            {R"({"name": "x", "kind": "not_improving", "metric": "m", "epochs": 2, "mode": "best"})",
             QStringLiteral("min or max")},
        };
        for (const auto& [json, said] : bad) {
            QString why;
            QVERIFY2(!AlertRule::fromJson(QJsonDocument::fromJson(json).object(), &why), json.constData());
            QVERIFY2(why.contains(said), qPrintable(why));
        }
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"rules": [{"name": "s", "kind": "stalled", "minutes": 1}, {"name": "s", "kind": "stalled",
                     "minutes": 2}]})");
        file.close();
        QVERIFY(!AlertRules::read(path, &error));
        QVERIFY2(error.contains(QStringLiteral("two alert rules are named s")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestAlertRules)
#include "TestAlertRules.moc"
