// The plot viewer against issue 6's targets, on the offscreen platform with logdirs written here:
//   QT_QPA_PLATFORM=offscreen ./build/bench/bench_viewer [WORK_DIR]
// 1. A logdir of 100 runs × 10 tags × 10,000 steps (10M scalars) to the first chart, broken down into
//    read (every event file, both CRCs), downsample (curves of the shown tags: smoothing and min/max
//    pyramids) and paint; then through the real window (open, first paint).
// 2. A refresh when one run grows by 1,000 steps (all ten tags): poll, re-read that run, redraw; the
//    window reads on a pool thread, so also its thread's longest gap (a 5 ms timer) while it does.
// 3. A 1M-step tag with one spike, against TensorBoard's default of keeping 1,000 reservoir-sampled points
//    per tag: both drawn at 1600 px, whether the spike survives, and zoom redraws over every point.

#include "EventWait.h"
#include "GapMeter.h"
#include "events/EventFileWriter.h"
#include "series/ScalarSeries.h"
#include "viewer/CurveStore.h"
#include "viewer/FigureRenderer.h"
#include "viewer/FigureWidget.h"
#include "viewer/RunLibrary.h"
#include "viewer/ViewerWindow.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <cstdio>

using namespace jikken;

namespace {

constexpr int kRuns = 100;
constexpr int kTags = 10;
constexpr int kSteps = 10000;
const char* const kTagNames[kTags] = {
    "train/loss",       "test/error", "test/accuracy", "train/accuracy",          "lr",
    "train/epoch_loss", "test/loss",  "grad_norm",     "train/images_per_second", "weight_norm"};

double msSince(const QElapsedTimer& timer)
{
    return timer.nsecsElapsed() / 1e6;
}

void row(const char* job, double measured, const char* unit, double target)
{
    if (target > 0)
        std::printf("| %-62s | %9.1f %-2s | %7.0f %-2s | %6.2fx |\n", job, measured, unit, target, unit,
                    target / measured);
    else
        std::printf("| %-62s | %9.1f %-2s | %10s | %7s |\n", job, measured, unit, "", "");
}

void writeRun(const QString& dir, int run, int firstStep, int steps)
{
    EventFileWriter writer;
    QString error;
    if (!writer.open(dir, &error))
        qFatal("%s", qPrintable(error));
    for (int step = firstStep; step < firstStep + steps; ++step) {
        const double t = 1.7e9 + step;
        for (int tag = 0; tag < kTags; ++tag)
            writer.addScalar(kTagNames[tag], step,
                             static_cast<float>(std::exp(-step / 3000.0) * (1 + tag) + run * 1e-3), t);
    }
    if (!writer.flush(&error))
        qFatal("%s", qPrintable(error));
}

QString runFolder(const QString& root, int run)
{
    return QStringLiteral("%1/20261127_%2_bench").arg(root).arg(run, 2, 10, QLatin1Char('0'));
}

} // namespace

/// Opens `source` in `window` (1600x1000, `tags` shown) and waits until what was read of it is painted;
/// false when it never is.
bool openAndPaint(ViewerWindow& window, const QString& source, const QStringList& tags)
{
    window.resize(1600, 1000);
    window.open({source});
    window.showTags(tags);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window) || waitFor([&] { return window.logdirsPending() == 0; }, 60000) < 0)
        return false;
    window.figure()->repaint();
    return true;
}

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    QTemporaryDir scratch(argc > 1 ? QString::fromLocal8Bit(argv[1]) + QStringLiteral("/bench_viewer-XXXXXX")
                                   : QDir::tempPath() + QStringLiteral("/bench_viewer-XXXXXX"));
    const QString logdir = scratch.filePath(QStringLiteral("logs"));
    QElapsedTimer timer;
    timer.start();
    for (int run = 1; run <= kRuns; ++run)
        writeRun(runFolder(logdir, run), run, 1, kSteps);
    std::printf("wrote %d runs x %d tags x %d steps in %.1f s\n\n", kRuns, kTags, kSteps, msSince(timer) / 1000);

    std::printf("| %-62s | %12s | %10s | %7s |\n", "job", "measured", "target", "ratio");
    std::printf("| %s | %s | %s | %s |\n", std::string(62, '-').c_str(), std::string(12, '-').c_str(),
                std::string(10, '-').c_str(), std::string(7, '-').c_str());

    // 1. Logdir to first chart, in parts.
    ViewerCache cache(scratch.filePath(QStringLiteral("cache")));
    const QStringList shownTags{QStringLiteral("train/loss"), QStringLiteral("test/error")};
    double read, downsample, paint;
    {
        RunLibrary library(&cache, nullptr);
        timer.restart();
        QString error;
        if (!library.open(logdir, &error))
            qFatal("%s", qPrintable(error));
        read = msSince(timer);
        CurveStore curves(library);
        FigureOptions options;
        options.runs = library.keys();
        options.tags = shownTags;
        timer.restart();
        for (const QString& key : options.runs)
            for (const QString& tag : options.tags)
                curves.curve(key, tag, options.smoothing);
        downsample = msSince(timer);
        FigureRenderer renderer(library, curves);
        QImage image(1600, 900, QImage::Format_ARGB32_Premultiplied);
        timer.restart();
        {
            QPainter painter(&image);
            renderer.paint(painter, image.rect(), options);
        }
        paint = msSince(timer);
        row("10M scalars: read every event file (100 runs)", read, "ms", 0);
        row("  downsample: curves of 2 tags x 100 runs (2M points)", downsample, "ms", 0);
        row("  paint: 2 charts, 200 curves, 1600x900", paint, "ms", 0);
        row("logdir to first chart (read + downsample + paint)", read + downsample + paint, "ms", 2000);
        timer.restart();
        QStringList warnings;
        library.saveToCache(&warnings);
        row("  afterwards, off the first chart's path: 100 runs into the cache", msSince(timer), "ms", 0);
    }
    {
        // The window reads logdirs on a pool thread; before, it read them on its own, as `library.open` above
        // did: its thread stalled for the whole read.
        ViewerWindow window(&cache, nullptr);
        GapMeter gaps;
        timer.restart();
        if (!openAndPaint(window, logdir, shownTags))
            qFatal("the viewer window never showed the logdir");
        row("the same through the window: open to the first painted figure", msSince(timer), "ms", 2000);
        row("  the window's thread's longest gap meanwhile", gaps.longestMs(), "ms", 0);
        row("  before (read on the window's thread): at least the read", read, "ms", 0);

        // 2. One run grows by 1,000 steps of every tag.
        const auto points = [&window] {
            qint64 points = 0;
            for (const QString& key : window.library().keys())
                points += window.library().run(key)->pointCount();
            return points;
        };
        double worst = 0, total = 0, worstGap = 0;
        for (int round = 0; round < 5; ++round) {
            if (waitFor([&] { return window.logdirsPending() == 0; }, 10000) < 0)
                qFatal("a poll of the logdir never ended");
            const qint64 before = points();
            writeRun(runFolder(logdir, 7), 7, kSteps + 1 + round * 1000, 1000);
            timer.restart();
            gaps.restart();
            window.refresh();
            if (waitFor([&] { return points() == before + kTags * 1000; }, 10000) < 0)
                qFatal("the grown run was never shown: %lld points, not %lld", static_cast<long long>(points()),
                       static_cast<long long>(before + kTags * 1000));
            window.figure()->repaint();
            const double ms = msSince(timer);
            worst = qMax(worst, ms);
            total += ms;
            worstGap = qMax(worstGap, gaps.longestMs());
        }
        row("refresh: one run grows by 1,000 steps (mean of 5, redrawn)", total / 5, "ms", 50);
        row("  slowest of the 5", worst, "ms", 50);
        row("  the window's thread's longest gap in them", worstGap, "ms", 50);
    }

    {
        // 2b. The same logdir away (a share not mounted in the meeting room): its runs from the cache, read on
        // a pool thread; before, on the window's thread, as `library.open` here does.
        const QString away = logdir + QStringLiteral("-away");
        if (!QDir().rename(logdir, away))
            qFatal("cannot move %s away", qPrintable(logdir));
        RunLibrary library(&cache, nullptr);
        QString error;
        timer.restart();
        if (!library.open(logdir, &error))
            qFatal("%s", qPrintable(error));
        const double onThisThread = msSince(timer);
        ViewerWindow window(&cache, nullptr);
        GapMeter gaps;
        timer.restart();
        if (!openAndPaint(window, logdir, shownTags) || window.library().keys().size() != library.keys().size())
            qFatal("the viewer window never showed the logdir from the cache");
        row("logdir away: from the cache to the first painted figure", msSince(timer), "ms", 2000);
        row("  the window's thread's longest gap meanwhile", gaps.longestMs(), "ms", 50);
        row("  before (read on the window's thread): at least the read", onThisThread, "ms", 0);
        if (!QDir().rename(away, logdir))
            qFatal("cannot move %s back", qPrintable(logdir));
    }

    // 3. A 1M-step tag with one spike: every point against TensorBoard's 1,000-point reservoir.
    const QString big = scratch.filePath(QStringLiteral("big/20261127_101_spike"));
    {
        EventFileWriter writer;
        QString error;
        writer.open(big, &error);
        const int spikeStep = 612345;
        for (int step = 1; step <= 1000000; ++step)
            writer.addScalar("train/loss", step, step == spikeStep ? 50.0f : static_cast<float>(1.0 / std::sqrt(step)),
                             1.7e9 + step);
        writer.flush(&error);
    }
    RunLibrary library(&cache, nullptr);
    QString error;
    timer.restart();
    library.open(scratch.filePath(QStringLiteral("big")), &error);
    const double readBig = msSince(timer);
    const QString key = library.keys().first();
    // TensorBoard's reservoir: 1,000 points kept uniformly at random (plus the last), as its loader does.
    ViewerRun sampled = *library.run(key);
    {
        const ScalarSeries& all = sampled.scalars[QStringLiteral("train/loss")];
        QVector<int> kept;
        QRandomGenerator random(42);
        for (int i = 0; i < all.size(); ++i) {
            if (kept.size() < 1000)
                kept.append(i);
            else if (const int j = static_cast<int>(random.bounded(i + 1)); j < 1000)
                kept[j] = i;
        }
        std::sort(kept.begin(), kept.end());
        sampled.scalars[QStringLiteral("train/loss")] = all.pick(kept);
    }
    CurveStore curves(library);
    FigureRenderer renderer(library, curves);
    FigureOptions options;
    options.runs = {key};
    options.tags = {QStringLiteral("train/loss")};
    options.smoothing = 0; // raw points: the spike is a single step
    QImage image(1600, 900, QImage::Format_ARGB32_Premultiplied);
    timer.restart();
    curves.curve(key, options.tags.first(), 0);
    const double build = msSince(timer);
    timer.restart();
    {
        QPainter painter(&image);
        renderer.paint(painter, image.rect(), options);
    }
    const double firstPaint = msSince(timer);
    const double yHigh = renderer.panels().first().yHigh;
    double zoomTotal = 0;
    for (int i = 0; i < 20; ++i) {
        options.xRange = std::make_pair(1.0 + i * 20000.0, 1.0 + i * 20000.0 + 100000.0 / (1 + i));
        timer.restart();
        QPainter painter(&image);
        renderer.paint(painter, image.rect(), options);
        zoomTotal += msSince(timer);
    }
    double reservoirMax = 0;
    for (double v : std::as_const(sampled.scalars[QStringLiteral("train/loss")].values))
        reservoirMax = qMax(reservoirMax, v);
    row("1M-step tag: read", readBig, "ms", 0);
    row("  every point: min/max pyramid built", build, "ms", 0);
    row("  every point: whole curve painted (1600 px)", firstPaint, "ms", 16);
    row("  every point: a zoom repainted (mean of 20)", zoomTotal / 20, "ms", 16);
    std::printf("\nspike of 50.0 at step 612345 in view: every point (Jikken) %s (y axis up to %.1f); "
                "TensorBoard's 1,000-point reservoir %s (its highest point %.3f)\n",
                yHigh >= 50 ? "yes" : "NO", yHigh, reservoirMax >= 50 ? "yes" : "no", reservoirMax);
    return 0;
}
