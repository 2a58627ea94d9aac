#include "RegistryBackend.h"
#include "registry/AccessTokens.h"
#include "registry/DatabaseUrl.h"
#include "registry/RegistrySchema.h"
#include "registry/RegistryStore.h"
#include "registry/RunColour.h"

#include <QRegularExpression>

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTimeZone>
#include <QTimer>
#include <QtTest>

#include <array>
#include <cmath>

using namespace jikken;

namespace {

/// CIE76 colour difference: the distance of two sRGB colours ("#rrggbb") in CIELAB (D65).
double deltaE76(const QString& a, const QString& b)
{
    const auto lab = [](const QString& c) {
        const auto linear = [&c](int at) {
            const double v = c.mid(at, 2).toInt(nullptr, 16) / 255.0;
            return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
        };
        const double r = linear(1), g = linear(3), bl = linear(5);
        const double x = (0.4124 * r + 0.3576 * g + 0.1805 * bl) / 0.95047;
        const double y = 0.2126 * r + 0.7152 * g + 0.0722 * bl;
        const double z = (0.0193 * r + 0.1192 * g + 0.9505 * bl) / 1.08883;
        const auto f = [](double t) { return t > 216.0 / 24389 ? std::cbrt(t) : (24389.0 / 27 * t + 16) / 116; };
        return std::array<double, 3>{116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))};
    };
    const auto p = lab(a), q = lab(b);
    return std::hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

} // namespace

class TestRegistryStore : public QObject
{
    Q_OBJECT

private:
    testing::RegistryBackend m_backend;
    QString dbPath(const char* name) { return m_backend.database(QString::fromLatin1(name).section(u'.', 0, 0)); }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_backend.start(&error), qPrintable(error));
    }

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
        const QVector<RunRecord> runs = store.runs({}, &error).value();
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
        QCOMPARE(store.lastFailure(), RegistryFailure::Refused);
        QCOMPARE(store.runs({}, &error).value().size(), 0);
    }

    // A day holds 999 IDs; the next is a conflict (the service answers 409), told by kind, not by words.
    void aFullDayIsAConflict()
    {
        RegistryStore store;
        QString error;
        QVERIFY(store.open(dbPath("full.sqlite"), &error));
        store.setClock([] { return QDateTime(QDate(2020, 1, 2), QTime(12, 0), Qt::UTC); });
        QVERIFY(store.setTimeZoneId("UTC", &error));
        QCOMPARE(store.reserve(QStringList(999, QStringLiteral("m")), &error)->last().toString(),
                 QStringLiteral("20200102_999_m"));
        QVERIFY(!store.reserve(QStringLiteral("m"), &error));
        QCOMPARE(store.lastFailure(), RegistryFailure::Conflict);
        QVERIFY(store.run(QStringLiteral("20200102_999_m"), &error));
        QVERIFY(!store.run(QStringLiteral("20200102_1000_m"), &error));
        QCOMPARE(store.lastFailure(), RegistryFailure::UnknownRun);
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
        QCOMPARE(store.lastFailure(), RegistryFailure::UnknownRun);
        QVERIFY(!store.setMemo(QStringLiteral("20190101_01_x"), QString(RunRecord::kMaxMemoLength + 1, u'x'), &error));
        QCOMPARE(store.lastFailure(), RegistryFailure::Refused); // too long, whatever the run
        QVERIFY(!store.run(QStringLiteral("20190101_01_x"), &error));
        QCOMPARE(store.lastFailure(), RegistryFailure::UnknownRun);
        QVERIFY(!store.addScalars(QStringLiteral("20190101_01_x"), {{QStringLiteral("a"), 1, 1, 1}}, &error));
        QCOMPARE(store.lastFailure(), RegistryFailure::UnknownRun);
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
        const QVector<ScalarPoint> points = store.scalars(id, QStringLiteral("test/error"), &error).value();
        QCOMPARE(points.size(), 2);
        QCOMPARE(points[1].value, 0.35);
        QCOMPARE(store.scalars(id, {}, &error).value().size(), 3);
    }

    void labelsRoundTripAndBadOnesAreRefused()
    {
        RegistryStore store;
        QString error;
        QVERIFY(store.open(dbPath("labels.sqlite"), &error));
        const QString id = store.reserve(QStringLiteral("softmax"), &error)->toString();
        QVERIFY(store.run(id, &error)->labels.isEmpty());
        QVERIFY2(store.setLabels(id, {QStringLiteral("ablation"), QStringLiteral("要確認")}, &error),
                 qPrintable(error));
        QCOMPARE(store.run(id, &error)->labels, (QStringList{QStringLiteral("ablation"), QStringLiteral("要確認")}));
        QVERIFY(!store.setLabels(id, {QStringLiteral("two words")}, &error));
        QVERIFY(error.contains(QStringLiteral("two words")));
        QVERIFY(!store.setLabels(id, {QStringLiteral("a,b")}, &error));
        QCOMPARE(store.run(id, &error)->labels.size(), 2); // nothing half-written
        RunRecord imported;
        imported.id = QStringLiteral("20190101_01_old");
        imported.method = QStringLiteral("old");
        imported.labels = {QStringLiteral("from-sheet")};
        QVERIFY2(store.importRuns({imported}, &error), qPrintable(error));
        QCOMPARE(store.run(imported.id, &error)->labels, QStringList{QStringLiteral("from-sheet")});
    }

    // Each run is dealt a colour when made, the next of a palette ordered for distinctness: any 12 runs made
    // in a row differ by CIE76 ΔE ≥ 20 on a white figure; the user's colour is kept, a bad one refused.
    void runsAreDealtDistinctColoursAndKeepTheUsers()
    {
        RegistryStore store;
        QString error;
        QVERIFY(store.open(dbPath("colours.sqlite"), &error));
        QStringList ids;
        for (int i = 0; i < 25; ++i) // past the palette's end: the window across the wrap differs too
            ids << store.reserve(i % 2 ? QStringLiteral("softmax") : QStringLiteral("focal"), &error)->toString();
        const auto batch = store.reserve({QStringLiteral("a"), QStringLiteral("b")}, &error);
        QVERIFY2(batch, qPrintable(error));
        for (const ModelId& id : *batch)
            ids << id.toString();
        RunRecord imported;
        imported.id = QStringLiteral("20190101_01_old");
        imported.method = QStringLiteral("old");
        QVERIFY2(store.importRuns({imported}, &error), qPrintable(error));
        ids << imported.id;
        QStringList colours;
        for (const QString& id : ids) {
            const QString colour = store.run(id, &error)->colour;
            QVERIFY2(QRegularExpression(QStringLiteral("^#[0-9a-f]{6}$")).match(colour).hasMatch(), qPrintable(colour));
            colours << colour;
        }
        for (int first = 0; first + 12 <= colours.size(); ++first) {
            for (int a = first; a < first + 12; ++a) {
                for (int b = a + 1; b < first + 12; ++b)
                    QVERIFY2(deltaE76(colours[a], colours[b]) >= 20,
                             qPrintable(QStringLiteral("%1 %2").arg(ids[a], ids[b])));
            }
        }
        QCOMPARE(colours[RunColour::kPaletteSize], colours[0]); // dealt in turn, not by chance
        QVERIFY2(store.setColour(ids[0], QStringLiteral("#E15759"), &error), qPrintable(error));
        QCOMPARE(store.run(ids[0], &error)->colour, QStringLiteral("#e15759"));
        for (const QString& bad : {QStringLiteral("red"), QStringLiteral("#e1575"), QStringLiteral("#e15759ff"),
                                   QStringLiteral("'); DROP TABLE runs; --"), QString()}) {
            QVERIFY(!store.setColour(ids[0], bad, &error));
            QVERIFY2(error.startsWith(QStringLiteral("colour: ")), qPrintable(error));
            QCOMPARE(store.lastFailure(), RegistryFailure::Refused);
        }
        QCOMPARE(store.run(ids[0], &error)->colour, QStringLiteral("#e15759")); // nothing half-written
        QVERIFY(!store.setColour(QStringLiteral("20190101_09_none"), QStringLiteral("#000000"), &error));
        QCOMPARE(store.lastFailure(), RegistryFailure::UnknownRun);
        // A name's colour is the same everywhere: no registry needed.
        QCOMPARE(RunColour::ofName(QStringLiteral("tf_run/train")), RunColour::ofName(QStringLiteral("tf_run/train")));
    }

    // A loss or test error gone NaN or infinite marks the run diverged, saying where; a later "finished" from
    // its trainer keeps it so; a NaN in another tag, or in a failed run, changes nothing; a resumed run runs.
    void aNonFiniteLossMarksTheRunDiverged()
    {
        RegistryStore store;
        QString error;
        QVERIFY(store.open(dbPath("diverged.sqlite"), &error));
        const QString id = store.reserve(QStringLiteral("highlr"), &error)->toString();
        QVERIFY(store.setStatus(id, RunStatus::Running, {}, &error));
        QVERIFY(store.addScalars(
            id, {{QStringLiteral("lr"), 1, 1.0, qQNaN()}, {QStringLiteral("train/loss"), 1, 1.0, 2.3}}, &error));
        QCOMPARE(toString(store.run(id, &error)->status), QStringLiteral("running"));
        QVERIFY2(store.addScalars(id,
                                  {{QStringLiteral("train/loss"), 2, 2.0, 1.9},
                                   {QStringLiteral("train/loss"), 3, 3.0, qInf()},
                                   {QStringLiteral("train/loss"), 4, 4.0, qQNaN()}},
                                  &error),
                 qPrintable(error));
        RunRecord run = store.run(id, &error).value();
        QCOMPARE(toString(run.status), QStringLiteral("diverged"));
        QCOMPARE(run.statusReason, QStringLiteral("train/loss is inf at step 3"));
        QVERIFY(run.finished.isValid());
        QVERIFY(isTerminal(run.status));
        QVERIFY(store.setStatus(id, RunStatus::Finished, QStringLiteral("done"), &error));
        run = store.run(id, &error).value();
        QCOMPARE(toString(run.status), QStringLiteral("diverged"));
        QCOMPARE(run.statusReason, QStringLiteral("train/loss is inf at step 3"));
        RunFilter filter;
        filter.status = RunStatus::Diverged;
        QCOMPARE(store.runs(filter, &error)->size(), 1);
        filter = {};
        filter.query = QStringLiteral("status:diverged");
        QCOMPARE(store.runs(filter, &error)->size(), 1);
        // Resumed, it runs again; a test error gone NaN diverges it anew.
        QVERIFY(store.setStatus(id, RunStatus::Running, {}, &error));
        QCOMPARE(toString(store.run(id, &error)->status), QStringLiteral("running"));
        QVERIFY(store.reportProgress(id, 2, 20, qQNaN(), &error));
        QCOMPARE(toString(store.run(id, &error)->status), QStringLiteral("diverged"));
        QCOMPARE(store.run(id, &error)->statusReason, QStringLiteral("test error nan"));
        // A failed run keeps its own reason.
        const QString failed = store.reserve(QStringLiteral("crash"), &error)->toString();
        QVERIFY(store.setStatus(failed, RunStatus::Failed, QStringLiteral("out of memory"), &error));
        QVERIFY(store.addScalars(failed, {{QStringLiteral("loss"), 1, 1.0, qQNaN()}}, &error));
        QCOMPARE(toString(store.run(failed, &error)->status), QStringLiteral("failed"));
        QCOMPARE(store.run(failed, &error)->statusReason, QStringLiteral("out of memory"));
    }

    void seriesAreColumnsAndPreviewsAreSamples()
    {
        RegistryStore store;
        QString error;
        QVERIFY(store.open(dbPath("series.sqlite"), &error));
        const QString id = store.reserve(QStringLiteral("softmax"), &error)->toString();
        QVector<ScalarPoint> points;
        for (int i = 0; i < 10000; ++i)
            points.append({QStringLiteral("train/loss"), 3 * i + 7, 1000.0 + i, i == 500 ? qQNaN() : 1.0 / (i + 1)});
        QVERIFY(store.addScalars(id, points, &error));
        const auto series = store.series(id, QStringLiteral("train/loss"), &error);
        QVERIFY2(series, qPrintable(error));
        QCOMPARE(series->size(), 10000);
        QVERIFY(series->isOrdered());
        QCOMPARE(series->steps[9999], 3 * 9999 + 7);
        QCOMPARE(series->wallTimes[1], 1001.0);
        QVERIFY(std::isnan(series->values[500]));
        QCOMPARE(series->values[3], 0.25);

        const auto preview = store.seriesPreview(id, QStringLiteral("train/loss"), 100, &error);
        QVERIFY2(preview, qPrintable(error));
        QVERIFY(preview->size() >= 90 && preview->size() <= 100);
        QVERIFY(preview->isOrdered());
        QCOMPARE(preview->steps.first(), 7);
        QCOMPARE(preview->steps.last(), 3 * 9999 + 7);
        // Evenly spread: no gap between samples is much wider than a hundredth of the steps.
        for (int i = 1; i < preview->size(); ++i)
            QVERIFY(preview->steps[i] - preview->steps[i - 1] <= 3 * 10000 / 99 + 3);
        // A short series comes back whole; a missing tag is empty, not an error.
        QCOMPARE(store.seriesPreview(id, QStringLiteral("train/loss"), 20000, &error)->size(), 10000);
        QVERIFY(store.series(id, QStringLiteral("nope"), &error)->isEmpty());

        // A growing curve's tail: the points after a step (one between two logged steps, one logged, the
        // last), and how many there are in all.
        for (const qint64 step : {qint64(-1), qint64(7 + 3 * 500), qint64(7 + 3 * 9000 + 1), qint64(3 * 9999 + 7)}) {
            int total = -1;
            const auto tail = store.seriesAfter(id, QStringLiteral("train/loss"), step, &total, &error);
            QVERIFY2(tail, qPrintable(error));
            QCOMPARE(total, 10000);
            const ScalarSeries expected = series->after(step);
            QCOMPARE(tail->steps, expected.steps);
            QCOMPARE(tail->wallTimes, expected.wallTimes);
            for (int i = 0; i < tail->size(); ++i)
                QVERIFY(tail->values[i] == expected.values[i] ||
                        (std::isnan(tail->values[i]) && std::isnan(expected.values[i])));
        }
        int none = -1;
        QVERIFY(store.seriesAfter(id, QStringLiteral("nope"), 0, &none, &error)->isEmpty());
        QCOMPARE(none, 0);
    }

    // A SQLite file's change feed: a first look learns where it is; a wait ends as soon as another connection
    // commits (a reset: which runs changed is not known), or after its time with nothing changed. PostgreSQL
    // has none (it is polled).
    void aSqliteFileHasAChangeFeed()
    {
        const QString path = dbPath("feed.sqlite");
        RegistryStore watcher, writer;
        QString error;
        QVERIFY2(watcher.open(path, &error), qPrintable(error));
        QVERIFY2(writer.open(path, &error), qPrintable(error));
        const QString id = writer.reserve(QStringLiteral("feed"), &error)->toString();
        const auto first = watcher.changes({}, std::nullopt, 0, &error);
        if (testing::RegistryBackend::isPostgresql()) {
            QVERIFY(!first);
            QCOMPARE(watcher.lastFailure(), RegistryFailure::Refused);
            return;
        }
        QVERIFY2(first, qPrintable(error));
        QVERIFY(!first->reset);
        QElapsedTimer clock;
        clock.start();
        const auto quiet = watcher.changes(first->feed, first->revision, 600, &error);
        QVERIFY2(quiet, qPrintable(error));
        QVERIFY(clock.elapsed() >= 550);
        QCOMPARE(quiet->revision, first->revision);
        QVERIFY(!quiet->reset);

        QTimer::singleShot(300, [&] { QVERIFY(writer.setMemo(id, QStringLiteral("written elsewhere"), &error)); });
        clock.restart();
        const auto changed = watcher.changes(first->feed, first->revision, 20000, &error);
        QVERIFY2(changed, qPrintable(error));
        QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
        QVERIFY(changed->reset);
        QVERIFY(changed->revision > first->revision);
        // A revision behind the feed's, or another feed's: a reset at once.
        QVERIFY(watcher.changes(first->feed, first->revision, 20000, &error)->reset);
        QVERIFY(watcher.changes(QStringLiteral("another"), changed->revision, 20000, &error)->reset);
    }

    // Appends of a few points, a rewrite across several thousand, points filling gaps and a step far ahead:
    // what comes back is what an in-memory series given the same writes holds. On PostgreSQL the points
    // sit in blocks (PointBlocks), which these writes split, merge and refill.
    void writesInPiecesReadBackAsOneSeries()
    {
        RegistryStore store;
        QString error;
        QVERIFY(store.open(dbPath("pieces.sqlite"), &error));
        const QString id = store.reserve(QStringLiteral("softmax"), &error)->toString();
        ScalarSeries expected;
        const auto write = [&](qint64 first, qint64 count, qint64 stride, double value) {
            QVector<ScalarPoint> points;
            for (qint64 i = 0; i < count; ++i) {
                const qint64 step = first + i * stride;
                points.append({QStringLiteral("loss"), step, 1e9 + static_cast<double>(step), value + i});
                expected.upsert(step, 1e9 + static_cast<double>(step), value + i);
            }
            return store.addScalars(id, points, &error);
        };
        for (int report = 0; report < 300; ++report) // a trainer reporting 7 points at a time
            QVERIFY2(write(100 + report * 14, 7, 2, report), qPrintable(error));
        QVERIFY2(write(1001, 3000, 1, -1.0), qPrintable(error)); // over many reports, odd steps too
        QVERIFY2(write(1, 10, 5, 0.5), qPrintable(error));       // before the first
        QVERIFY(!write(-50, 1, 1, 0.5));                         // no step is negative: refused, unwritten
        expected = ScalarSeries(expected.pick([&] {
            QVector<int> kept;
            for (int i = 0; i < expected.size(); ++i)
                if (expected.steps[i] != -50)
                    kept << i;
            return kept;
        }()));
        QVERIFY2(write(1'000'000, 1, 1, 9.0), qPrintable(error));     // far ahead
        QVERIFY2(write(2500, 1, 1, std::nan("")), qPrintable(error)); // one point inside a block
        QVERIFY2(write(5000, 2000, 1, 3.0), qPrintable(error));       // between two blocks and up to the far one
        const auto series = store.series(id, QStringLiteral("loss"), &error);
        QVERIFY2(series, qPrintable(error));
        QCOMPARE(series->size(), expected.size());
        QCOMPARE(series->steps, expected.steps);
        QCOMPARE(series->wallTimes, expected.wallTimes);
        for (int i = 0; i < expected.size(); ++i)
            QVERIFY2(series->values[i] == expected.values[i] ||
                         (std::isnan(series->values[i]) && std::isnan(expected.values[i])),
                     qPrintable(QStringLiteral("step %1").arg(expected.steps[i])));
        QCOMPARE(store.scalars(id, QStringLiteral("loss"), &error).value().size(), expected.size());
        const auto preview = store.seriesPreview(id, QStringLiteral("loss"), 50, &error);
        QVERIFY2(preview, qPrintable(error));
        QVERIFY(preview->isOrdered());
        QCOMPARE(preview->steps.first(), expected.steps.first());
        QCOMPARE(preview->steps.last(), 1'000'000);
        if (!testing::RegistryBackend::isPostgresql())
            return;
        // 300 reports of 7 points did not leave 300 blocks: each filled the block before it.
        QSqlDatabase raw = testing::RegistryBackend::openRaw(dbPath("pieces.sqlite"), QStringLiteral("raw-pieces"));
        {
            QSqlQuery count(raw);
            QVERIFY(count.exec(QStringLiteral("SELECT count(*), max(points) FROM point_blocks")));
            QVERIFY(count.next());
            QVERIFY2(count.value(0).toInt() <= expected.size() / 1024 + 4, qPrintable(count.value(0).toString()));
            QVERIFY(count.value(1).toInt() <= 1024);
        }
        raw.close();
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
        QCOMPARE(store.runs({QDate(2019, 7, 2), {}, {}}, &error).value().size(), 2);
        QCOMPARE(store.runs({{}, QStringLiteral("softmax"), {}}, &error).value().size(), 2);
        const auto failed = store.runs({{}, {}, RunStatus::Failed}, &error).value();
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed[0].statusReason, QStringLiteral("OOM"));
    }

    void silentRunsAreLostAndSignsOfLifeReviveThem()
    {
        RegistryStore store;
        QString error;
        QVERIFY(store.open(dbPath("lost"), &error));
        QDateTime now(QDate(2019, 7, 5), QTime(10, 0), Qt::UTC);
        store.setClock([&now] { return now; });
        const QString quiet = store.reserve(QStringLiteral("a"), &error)->toString();
        const QString alive = store.reserve(QStringLiteral("b"), &error)->toString();
        const QString done = store.reserve(QStringLiteral("c"), &error)->toString();
        for (const QString& id : {quiet, alive, done})
            QVERIFY(store.setStatus(id, RunStatus::Running, {}, &error));
        QVERIFY(store.setStatus(done, RunStatus::Finished, {}, &error));
        now = now.addSecs(50);
        QVERIFY(store.heartbeat(alive, &error));
        now = now.addSecs(20);
        QCOMPARE(store.markLost(60000, &error), QStringList{quiet});
        QCOMPARE(toString(store.run(quiet, &error)->status), QStringLiteral("lost"));
        QVERIFY(store.run(quiet, &error)->statusReason.contains(QStringLiteral("heartbeat")));
        QCOMPARE(toString(store.run(alive, &error)->status), QStringLiteral("running"));
        QCOMPARE(toString(store.run(done, &error)->status), QStringLiteral("finished"));
        QVERIFY(store.markLost(60000, &error).isEmpty()); // once
        QVERIFY(store.reportProgress(quiet, 2, 100, 0.3, &error));
        QCOMPARE(toString(store.run(quiet, &error)->status), QStringLiteral("running"));
        QVERIFY(store.run(quiet, &error)->statusReason.isEmpty());
        QVERIFY(store.heartbeat(done, &error)); // a heartbeat never reopens a finished run
        QCOMPARE(toString(store.run(done, &error)->status), QStringLiteral("finished"));
    }

    void importedNumbersAreNeverHandedOutAgain()
    {
        RegistryStore store;
        QString error;
        QVERIFY(store.open(dbPath("import"), &error));
        QVERIFY(store.setTimeZoneId("UTC", &error));
        store.setClock([] { return QDateTime(QDate(2019, 7, 5), QTime(10, 0), Qt::UTC); });
        RunRecord old;
        old.id = QStringLiteral("20190705_07_focalloss");
        old.status = RunStatus::Finished;
        old.bestTestError = 0.2655;
        old.fields = {{QStringLiteral("server"), QStringLiteral("gpu1")}};
        QVERIFY2(store.importRuns({old}, &error), qPrintable(error));
        QCOMPARE(store.reserve(QStringLiteral("x"), &error)->toString(), QStringLiteral("20190705_08_x"));
        const auto back = store.run(old.id, &error);
        QCOMPARE(back->method, QStringLiteral("focalloss"));
        QCOMPARE(*back->bestTestError, 0.2655);
        QCOMPARE(back->fields.value(QStringLiteral("server")).toString(), QStringLiteral("gpu1"));
        // All or nothing: a clash rolls the whole batch back.
        RunRecord fresh;
        fresh.id = QStringLiteral("20190701_01_new");
        QVERIFY(!store.importRuns({fresh, old}, &error));
        QVERIFY(error.contains(old.id));
        QVERIFY(!store.run(fresh.id, &error));
    }

    void pagesNewestFirst()
    {
        RegistryStore store;
        QString error;
        QVERIFY(store.open(dbPath("paging"), &error));
        QStringList ids;
        for (int i = 0; i < 5; ++i)
            ids << store.reserve(QStringLiteral("p"), &error)->toString();
        RunFilter filter;
        filter.newestFirst = true;
        filter.limit = 2;
        filter.offset = 1;
        const auto page = store.runs(filter, &error).value();
        QCOMPARE(page.size(), 2);
        QCOMPARE(page[0].id, ids[3]);
        QCOMPARE(page[1].id, ids[2]);
        filter.limit = 0;
        QCOMPARE(store.runs(filter, &error).value().size(), 4);
    }

    void tokensAreStoredHashedAndRevocable()
    {
        RegistryStore store;
        QString error;
        QVERIFY(store.open(dbPath("tokens"), &error));
        AccessTokens tokens(store.database());
        const auto writer = tokens.create(QStringLiteral("gpu1"), false, &error);
        const auto reader = tokens.create(QStringLiteral("phone"), true, &error);
        QVERIFY2(writer && reader, qPrintable(error));
        QVERIFY(writer->startsWith(QStringLiteral("jk_")) && writer->size() > 40);
        QVERIFY(!tokens.create(QStringLiteral("gpu1"), false, &error));
        QVERIFY(error.contains(QStringLiteral("exists")));
        QVERIFY(!tokens.create(QStringLiteral("bad name; drop"), false, &error));
        QCOMPARE(tokens.verify(*writer)->name, QStringLiteral("gpu1"));
        QVERIFY(!tokens.verify(*writer)->readOnly);
        QVERIFY(tokens.verify(*reader)->readOnly);
        QVERIFY(!tokens.verify(QStringLiteral("jk_guess")));
        // Only the hash is on disk.
        QSqlQuery query(store.database());
        QVERIFY(query.exec(QStringLiteral("SELECT secret_sha256 FROM access_tokens")));
        while (query.next())
            QVERIFY(!query.value(0).toString().contains(writer->mid(3, 10)));
        QVERIFY(tokens.revoke(QStringLiteral("gpu1"), &error));
        QVERIFY(!tokens.verify(*writer));
        QVERIFY(!tokens.revoke(QStringLiteral("gpu1"), &error));
        QCOMPARE(tokens.list(&error).size(), 2);
        QVERIFY(tokens.list(&error)[0].revoked.isValid());
    }

    void databaseUrls()
    {
        QString error;
        auto url = DatabaseUrl::parse(QStringLiteral("postgresql://lab:s3cret@db.lab:6543/registry"), &error);
        QVERIFY(url);
        QCOMPARE(url->driverName(), QStringLiteral("QPSQL"));
        QCOMPARE(url->host, QStringLiteral("db.lab"));
        QCOMPARE(url->port, 6543);
        QCOMPARE(url->password, QStringLiteral("s3cret"));
        QCOMPARE(url->databaseName, QStringLiteral("registry"));
        QVERIFY(!url->display().contains(QStringLiteral("s3cret")));
        QCOMPARE(DatabaseUrl::parse(QStringLiteral("/srv/r.sqlite"), &error)->path, QStringLiteral("/srv/r.sqlite"));
        QCOMPARE(DatabaseUrl::parse(QStringLiteral("sqlite:///srv/r.sqlite"), &error)->path,
                 QStringLiteral("/srv/r.sqlite"));
        QVERIFY(!DatabaseUrl::parse(QStringLiteral("mysql://x/y"), &error));
        // Both of libpq's spellings are PostgreSQL wherever a registry's kind is asked (not a SQLite path).
        QVERIFY(DatabaseUrl::isPostgresql(QStringLiteral("postgres://h/db")));
        QVERIFY(DatabaseUrl::isPostgresql(QStringLiteral("postgresql://h/db")));
        QVERIFY(!DatabaseUrl::isPostgresql(QStringLiteral("/srv/postgres/registry.sqlite")));
        QVERIFY(error.contains(QStringLiteral("unsupported")));
        QVERIFY(!DatabaseUrl::parse(QStringLiteral("postgresql://h/db?sslmode=disable"), &error));
        QVERIFY(!DatabaseUrl::parse(QString(), &error));
    }

    // A registry of the first release (scalars in one wide table) keeps every point through the migrations.
    void migratesScalarsOfTheFirstSchema()
    {
        const QString path = dbPath("v1");
        {
            QSqlDatabase db = testing::RegistryBackend::openRaw(path, QStringLiteral("v1"));
            QString error;
            QVERIFY2(RegistrySchema::migrate(db, 1, &error), qPrintable(error));
            QSqlQuery query(db);
            QVERIFY(query.exec(QStringLiteral("INSERT INTO runs (id, day, number, method, created_at) VALUES "
                                              "('20190705_02_old', 20190705, 2, 'old', 0)")));
            for (int step = 1; step <= 3; ++step)
                QVERIFY(query.exec(QStringLiteral("INSERT INTO scalars VALUES ('20190705_02_old', 'test/error', %1, "
                                                  "100.5, 0.%2)")
                                       .arg(step)
                                       .arg(5 - step)));
            query.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("v1"));
        RegistryStore store;
        QString error;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        const QVector<ScalarPoint> points = store.scalars(QStringLiteral("20190705_02_old"), {}, &error).value();
        QCOMPARE(points.size(), 3);
        QCOMPARE(points[2].value, 0.2);
        QCOMPARE(points[0].wallTime, 100.5);
        // The counter starts after the numbers already used that day.
        store.setClock([] { return QDateTime(QDate(2019, 7, 5), QTime(12, 0), Qt::UTC); });
        QVERIFY(store.setTimeZoneId("UTC", &error));
        QCOMPARE(store.reserve(QStringLiteral("new"), &error)->toString(), QStringLiteral("20190705_03_new"));
        // The run made before colours were kept was dealt the first; the next run the second.
        QCOMPARE(store.run(QStringLiteral("20190705_02_old"), &error)->colour, RunColour::dealt(0));
        QCOMPARE(store.run(QStringLiteral("20190705_03_new"), &error)->colour, RunColour::dealt(1));
    }

    // Labels stored before labels were normalized are normalized by the migration: NFC, and a case variant
    // merged into the first.
    void migrationNormalizesOldLabels()
    {
        const QString path = dbPath("v7");
        {
            QSqlDatabase db = testing::RegistryBackend::openRaw(path, QStringLiteral("v7"));
            QString error;
            QVERIFY2(RegistrySchema::migrate(db, 7, &error), qPrintable(error));
            QSqlQuery query(db);
            query.prepare(QStringLiteral("INSERT INTO runs (id, day, number, method, created_at, labels) VALUES "
                                         "('20190705_02_old', 20190705, 2, 'old', 0, ?)"));
            query.addBindValue(QStringLiteral("[\"Ablation\",\"ablation\",\"cafe\u0301\",\"Caf\u00e9\"]"));
            QVERIFY2(query.exec(), qPrintable(query.lastError().text()));
            query.finish();
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("v7"));
        RegistryStore store;
        QString error;
        QVERIFY2(store.open(path, &error), qPrintable(error));
        QCOMPARE(store.run(QStringLiteral("20190705_02_old"), &error)->labels,
                 (QStringList{QStringLiteral("Ablation"), QStringLiteral("caf\u00e9")}));
    }

    void nanSurvivesTheRoundTrip()
    {
        RegistryStore store;
        QString error;
        QVERIFY(store.open(dbPath("nan"), &error));
        const QString id = store.reserve(QStringLiteral("diverged"), &error)->toString();
        QVERIFY2(store.addScalars(
                     id, {{QStringLiteral("train/loss"), 1, 1.0, 2.3}, {QStringLiteral("train/loss"), 2, 2.0, qQNaN()}},
                     &error),
                 qPrintable(error));
        const QVector<ScalarPoint> points = store.scalars(id, QStringLiteral("train/loss"), &error).value();
        QCOMPARE(points.size(), 2);
        QVERIFY(std::isnan(points[1].value));
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
            QCOMPARE(again.runs({}, &error).value().size(), 1);
        }
        {
            QSqlDatabase db = testing::RegistryBackend::openRaw(path, QStringLiteral("raw"));
            QVERIFY(db.isOpen());
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
