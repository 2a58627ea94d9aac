// The phone page in a real browser: headless Chromium at 390×844 (an iPhone's CSS pixels) against a real
// `jikken serve`, with a read token in the URL. Checks what the page shows and keeps a screenshot.
#include "JikkenProcess.h"
#include "ServeProcess.h"
#include "registry/HttpRegistryClient.h"
#include "registry/RegistryStore.h"
#include "registry/RunQueue.h"

#include <QImage>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QtTest>

using namespace jikken;
using namespace jikken::testing;

class TestPhonePage : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_database;
    QString m_liveId;
    QString m_divergingId; ///< running, until its loss goes NaN
    QString m_sweepBest;   ///< the finished point of the sweep

    /// Runs headless Chromium on `url` with `mode` (--dump-dom or --screenshot=FILE); returns stdout.
    QString chromium(const QString& url, const QString& mode)
    {
        const QString binary = QStandardPaths::findExecutable(QStringLiteral("chromium"));
        if (binary.isEmpty())
            qFatal("chromium is not installed (apt-get install chromium)");
        QTemporaryDir profile;
        QProcess process;
        process.start(
            binary, {QStringLiteral("--headless"), QStringLiteral("--no-sandbox"), QStringLiteral("--disable-gpu"),
                     QStringLiteral("--disable-background-networking"), QStringLiteral("--disable-component-update"),
                     QStringLiteral("--disable-sync"), QStringLiteral("--no-first-run"),
                     QStringLiteral("--hide-scrollbars"), QStringLiteral("--user-data-dir=") + profile.path(),
                     QStringLiteral("--window-size=390,844"), QStringLiteral("--virtual-time-budget=8000"), mode, url});
        if (!process.waitForFinished(120000))
            process.kill();
        return QString::fromUtf8(process.readAllStandardOutput());
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_database = m_dir.filePath(QStringLiteral("registry.sqlite"));
        RegistryStore store;
        QString error;
        QVERIFY2(store.open(m_database, &error), qPrintable(error));
        RunRecord old;
        old.id = QStringLiteral("20190705_01_focalloss");
        old.status = RunStatus::Finished;
        old.epoch = old.totalEpochs = 200;
        old.latestTestError = 0.2710;
        old.bestTestError = 0.2655;
        old.labels = {QStringLiteral("baseline-ablation")};
        QVERIFY(store.importRuns({old}, &error));
        m_liveId = store.reserve(QStringLiteral("cbloss"), &error)->toString();
        const QString& live = m_liveId;
        RunDescription d;
        d.model = QStringLiteral("resnet18");
        d.dataset = QStringLiteral("cifar10-imb50");
        d.totalEpochs = 200;
        QVERIFY(store.describe(live, d, &error));
        QVERIFY(store.setStatus(live, RunStatus::Running, {}, &error));
        QVector<ScalarPoint> points;
        for (int epoch = 1; epoch <= 40; ++epoch) {
            points.append(
                {QStringLiteral("test/error"), epoch * 390, 1.7e9 + epoch, 0.6 * std::exp(-epoch / 12.0) + 0.21});
            points.append({QStringLiteral("train/loss"), epoch * 390, 1.7e9 + epoch, 2.0 * std::exp(-epoch / 8.0)});
            points.append({QStringLiteral("learning_rate"), epoch * 390, 1.7e9 + epoch, 0.1}); // sorts first
        }
        QVERIFY(store.addScalars(live, points, &error));
        QVERIFY(store.reportProgress(live, 40, 40 * 390, 0.6 * std::exp(-40 / 12.0) + 0.21, &error));
        m_divergingId = store.reserve(QStringLiteral("highlr"), &error)->toString();
        QVERIFY(store.setStatus(m_divergingId, RunStatus::Running, {}, &error));
        // A sweep of three points for gpu2: one its agent runs, one waiting, one finished.
        RunQueue queue(store);
        QueueRequest request;
        request.hosts = {QStringLiteral("gpu2")};
        request.sweep = QStringLiteral("lr-grid");
        const auto sweepPoints =
            queue.enqueue(QVector<RunToQueue>(3, {QStringLiteral("grid"), {}, {}, {}}), request, &error);
        QVERIFY2(sweepPoints, qPrintable(error));
        const auto taken = queue.claim(QStringLiteral("gpu2"), QStringLiteral("gpu2"), 0, {}, &error);
        QVERIFY(taken && *taken);
        QVERIFY(store.setStatus((*taken)->id.toString(), RunStatus::Running, {}, &error));
        const QString done = sweepPoints->last();
        QVERIFY(store.reportProgress(done, 3, 300, 0.25, &error));
        QVERIFY(store.setStatus(done, RunStatus::Finished, {}, &error));
        m_sweepBest = done;
    }

    void showsRecentRunsNewestFirstAndTheirCurves()
    {
        const JikkenProcess jikken(m_dir.filePath(QStringLiteral("home")), m_dir.path());
        ServeProcess serve(jikken, m_database);
        const QString token = serve.makeToken(QStringLiteral("phone"), true);
        QString error;
        QVERIFY2(serve.start(&error, {QStringLiteral("--lost-after"), QStringLiteral("3600")}), qPrintable(error));
        // A loss that became NaN: an alert the list shows above the runs.
        const QString writer = serve.makeToken(QStringLiteral("trainer"));
        HttpRegistryClient trainer(QUrl(serve.url()), writer);
        QVERIFY2(
            trainer.addScalars(m_divergingId, {{QStringLiteral("train/loss"), 41 * 390, 1.7e9 + 41, qQNaN()}}, &error),
            qPrintable(error));

        const QString dom = chromium(serve.url() + QStringLiteral("/?token=") + token, QStringLiteral("--dump-dom"));
        QVERIFY2(dom.contains(QStringLiteral("20190705_01_focalloss")), qPrintable(dom.left(2000)));
        const qsizetype list = dom.indexOf(QStringLiteral("<ul id=\"runs\">"));
        const qsizetype live = dom.indexOf(m_liveId, list);
        QVERIFY(live > 0);
        QVERIFY2(live < dom.indexOf(QStringLiteral("20190705_01_focalloss")), "newest first");
        QVERIFY(dom.contains(QStringLiteral("running")) && dom.contains(QStringLiteral("finished")));
        QVERIFY(dom.contains(QStringLiteral("0.2655")));                                         // best test error
        QVERIFY(dom.contains(QStringLiteral("<span class=\"label\">baseline-ablation</span>"))); // its labels
        QVERIFY(dom.contains(QStringLiteral("<polyline")));                                      // the sparkline
        QVERIFY(dom.contains(QStringLiteral("<div id=\"message\"></div>")));                     // no complaint shown
        const qsizetype alert = dom.indexOf(QStringLiteral("<span class=\"status diverged\">diverged</span>"));
        QVERIFY2(alert > 0 && alert < list,
                 qPrintable(dom.mid(dom.indexOf(QStringLiteral("<body")), 1500))); // above the list
        QVERIFY(dom.contains(QStringLiteral("train/loss is nan at step %1").arg(41 * 390)));
        // The queue: per host what runs and waits, and the sweep's progress linking to its best point.
        QVERIFY2(dom.contains(QStringLiteral("<span class=\"host\">gpu2</span> — 1 running, 1 waiting")),
                 qPrintable(dom.mid(dom.indexOf(QStringLiteral("<div id=\"queue\">")), 800)));
        QVERIFY2(dom.contains(QStringLiteral("<a href=\"#%1\"><span class=\"sweep\">lr-grid</span> — 1/3 done · 1 "
                                             "running · 1 queued · 0 failed · best 0.2500</a>")
                                  .arg(m_sweepBest)),
                 qPrintable(dom.mid(dom.indexOf(QStringLiteral("<div id=\"queue\">")), 800)));
        // The run is marked diverged in the list too.
        const qsizetype diverging = dom.indexOf(m_divergingId, list);
        QVERIFY(diverging > list);
        QCOMPARE(dom.indexOf(QStringLiteral("<span class=\"status diverged\">diverged</span>"), list),
                 dom.indexOf(QStringLiteral("<span class=\"status "), diverging));

        // The page of one run, with its curves; the token is remembered in a cookie only within one browser
        // profile, so this visit brings it again.
        const QString runDom =
            chromium(serve.url() + QStringLiteral("/?token=") + token + u'#' + m_liveId, QStringLiteral("--dump-dom"));
        QVERIFY2(runDom.contains(QStringLiteral("<h2>test/error</h2>")),
                 qPrintable(runDom.mid(runDom.indexOf(QStringLiteral("<body")), 1500)));
        QVERIFY(runDom.contains(QStringLiteral("<h2>train/loss</h2>")));
        // Test error first among the charts, the heartbeat as an age, and when the run should end.
        QCOMPARE(runDom.indexOf(QStringLiteral("<h2>")), runDom.indexOf(QStringLiteral("<h2>test/error</h2>")));
        QVERIFY2(runDom.contains(QRegularExpression(QStringLiteral("<dt>heartbeat</dt><dd>\\d+ (s|min) ago</dd>"))),
                 qPrintable(runDom.mid(runDom.indexOf(QStringLiteral("<dl")), 800)));
        QVERIFY(runDom.contains(QRegularExpression(QStringLiteral("<dt>ETA</dt><dd>≈ \\d+"))));
        QVERIFY(runDom.contains(QStringLiteral("resnet18")));

        // Without a token the page says how to get in, and shows no data.
        const QString locked = chromium(serve.url() + QStringLiteral("/"), QStringLiteral("--dump-dom"));
        QVERIFY2(locked.contains(QStringLiteral("<div id=\"message\">This page needs a read token")),
                 qPrintable(locked.left(1500)));
        QVERIFY(!locked.contains(QStringLiteral("20190705_01_focalloss")));

        // A screenshot at phone size, kept next to the build for people to look at.
        const QString shot = QDir(QStringLiteral(JIKKEN_SCREENSHOT_DIR)).filePath(QStringLiteral("phone-390x844.png"));
        QDir().mkpath(QStringLiteral(JIKKEN_SCREENSHOT_DIR));
        QFile::remove(shot);
        chromium(serve.url() + QStringLiteral("/?token=") + token, QStringLiteral("--screenshot=") + shot);
        QImage image(shot);
        QVERIFY2(!image.isNull(), qPrintable(shot));
        QCOMPARE(image.size(), QSize(390, 844));
        // Drawn, not blank: the running badge's green is on it, and many colours (text, curves).
        QSet<QRgb> colours;
        bool green = false;
        for (int y = 0; y < image.height(); y += 2) {
            for (int x = 0; x < image.width(); x += 2) {
                const QRgb pixel = image.pixel(x, y);
                colours.insert(pixel);
                green = green || (qAbs(qRed(pixel) - 0x1f) < 8 && qAbs(qGreen(pixel) - 0x9d) < 8 &&
                                  qAbs(qBlue(pixel) - 0x55) < 8);
            }
        }
        QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));
        QVERIFY(green);
    }
};

QTEST_GUILESS_MAIN(TestPhonePage)
#include "TestPhonePage.moc"
