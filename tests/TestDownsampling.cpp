#include "series/ChartCurve.h"
#include "series/Downsampling.h"
#include "series/MinMaxPyramid.h"
#include "series/Smoothing.h"

#include <QtTest>

#include <cmath>

using namespace jikken;

namespace {

ScalarSeries noisyCurve(int n)
{
    ScalarSeries s;
    for (int i = 0; i < n; ++i)
        s.append(i, 1000.0 + i, std::exp(-i / (n / 4.0)) + 0.05 * std::sin(i * 0.7));
    return s;
}

bool ascending(const QVector<int>& indices)
{
    return std::is_sorted(indices.begin(), indices.end()) &&
           std::adjacent_find(indices.begin(), indices.end()) == indices.end();
}

} // namespace

class TestDownsampling : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void smallSeriesComeBackWhole()
    {
        const ScalarSeries s = noisyCurve(10);
        QCOMPARE(Downsampling::select(s, 100, Downsampling::Method::Lttb).size(), 10);
        QCOMPARE(Downsampling::select(s, 10, Downsampling::Method::MinMax).size(), 10);
    }

    void bothMethodsKeepEndsAndExtremes_data()
    {
        QTest::addColumn<int>("method");
        QTest::newRow("lttb") << static_cast<int>(Downsampling::Method::Lttb);
        QTest::newRow("minmax") << static_cast<int>(Downsampling::Method::MinMax);
    }

    void bothMethodsKeepEndsAndExtremes()
    {
        QFETCH(int, method);
        ScalarSeries s = noisyCurve(100000);
        s.values[31337] = -5.0; // a single dip: the best test error of a run
        s.values[77777] = 9.0;  // and a single spike
        const QVector<int> chosen = Downsampling::select(s, 2000, static_cast<Downsampling::Method>(method));
        QVERIFY(chosen.size() <= 2002);
        QVERIFY(chosen.size() >= 1900);
        QVERIFY(ascending(chosen));
        QCOMPARE(chosen.first(), 0);
        QCOMPARE(chosen.last(), 99999);
        QVERIFY(chosen.contains(31337));
        QVERIFY(chosen.contains(77777));
        const ScalarSeries small = s.pick(chosen);
        QCOMPARE(small.steps[1], s.steps[chosen[1]]);
        QCOMPARE(small.wallTimes[1], s.wallTimes[chosen[1]]);
    }

    void lttbFollowsTheShape()
    {
        // A step function: LTTB must keep points on both sides of the jump.
        ScalarSeries s;
        for (int i = 0; i < 1000; ++i)
            s.append(i, i, i < 500 ? 0.0 : 1.0);
        const ScalarSeries small = Downsampling::downsample(s, 20, Downsampling::Method::Lttb);
        QCOMPARE(small.size(), 20);
        const auto jump = std::find(small.values.begin(), small.values.end(), 1.0) - small.values.begin();
        QVERIFY(jump > 0);
        QVERIFY(small.steps[jump] - small.steps[jump - 1] <= 1000 / 18 + 1);
    }

    void upsertKeepsStepOrder()
    {
        ScalarSeries s;
        s.upsert(10, 1, 1.0);
        s.upsert(30, 3, 3.0);
        s.upsert(20, 2, 2.0);
        s.upsert(20, 4, 2.5);
        QCOMPARE(s.steps, (QVector<qint64>{10, 20, 30}));
        QCOMPARE(s.values, (QVector<double>{1.0, 2.5, 3.0}));
    }

    // A growing curve's new points appended are the curve read whole: same points, same smoothing, same
    // buckets; and steps past 2^32 from the first are kept exactly.
    void appendedCurvesAreTheCurveReadWhole()
    {
        ScalarSeries whole;
        for (int step = 0; step < 3000; ++step)
            whole.append(step * 10, 1000.0 + step, std::sin(step / 50.0) + (step % 7) * 0.01);
        ChartCurve grown(whole.after(-1).pick([] {
            QVector<int> first;
            for (int i = 0; i < 2000; ++i)
                first << i;
            return first;
        }()),
                         true);
        grown.setSmoothing(0.6);
        grown.append(whole.after(19990));
        ChartCurve read(whole, true);
        read.setSmoothing(0.6);
        QCOMPARE(grown.size(), read.size());
        for (int i : {0, 1999, 2000, 2999}) {
            QCOMPARE(grown.step(i), read.step(i));
            QCOMPARE(grown.value(i), read.value(i));
            QCOMPARE(grown.smoothed(i), read.smoothed(i));
        }
        QCOMPARE(grown.points(XAxis::Step, 0, 30000, 100, false), read.points(XAxis::Step, 0, 30000, 100, false));
        ScalarSeries far;
        far.append(1, 0, 1.0);
        ChartCurve wide(far, true);
        ScalarSeries later;
        later.append(qint64(1) << 40, 1, 2.0);
        wide.append(later);
        QCOMPARE(wide.step(0), qint64(1));
        QCOMPARE(wide.step(1), qint64(1) << 40);
    }

    // Where a curve stopped being finite: the first of the NaN/inf values it ends with, whether read
    // whole or grown point by point; a NaN it recovered from is not it.
    void findsWhereTheCurveStoppedBeingFinite()
    {
        const auto series = [](const QVector<double>& values, qint64 firstStep = 0) {
            ScalarSeries s;
            for (int i = 0; i < values.size(); ++i)
                s.append(firstStep + i, 1000.0 + firstStep + i, values[i]);
            return s;
        };
        const double nan = qQNaN(), inf = qInf();
        QCOMPARE(ChartCurve(series({1, 2, 3}), true).nonFiniteFrom(), -1);
        QCOMPARE(ChartCurve(series({1, nan, 3}), true).nonFiniteFrom(), -1);
        QCOMPARE(ChartCurve(series({1, 2, inf, nan, nan}), true).nonFiniteFrom(), 2);
        QCOMPARE(ChartCurve(series({nan, nan}), true).nonFiniteFrom(), 0);
        ChartCurve grown(series({1, 2}), true);
        grown.append(series({nan, nan}, 2));
        QCOMPARE(grown.nonFiniteFrom(), 2);
        grown.append(series({nan}, 4));
        QCOMPARE(grown.nonFiniteFrom(), 2);
        grown.append(series({5, nan}, 5));
        QCOMPARE(grown.nonFiniteFrom(), 6);
        grown.append(series({7}, 7));
        QCOMPARE(grown.nonFiniteFrom(), -1);
    }

    // The numbers TensorBoard's smoothing slider gives (its resmoothDataset, worked by hand).
    void smoothsAsTensorBoard()
    {
        const QVector<double> values{1.0, 2.0, 3.0, qQNaN(), 4.0};
        const QVector<double> smoothed = Smoothing::debiasedEma(values, 0.5);
        QCOMPARE(smoothed[0], 1.0);             // 0.5 / (1 - 0.5)
        QCOMPARE(smoothed[1], 1.25 / 0.75);     // (0.25 + 1.0) / (1 - 0.25)
        QCOMPARE(smoothed[2], 2.125 / 0.875);   // (0.625 + 1.5) / (1 - 0.125)
        QVERIFY(std::isnan(smoothed[3]));       // passes through, not averaged
        QCOMPARE(smoothed[4], 3.0625 / 0.9375); // (1.0625 + 2.0) / (1 - 0.0625)
        QCOMPARE(Smoothing::debiasedEma(values, 0.0)[2], 3.0);
        const QVector<double> flat(5, 0.1);
        QCOMPARE(Smoothing::debiasedEma(flat, 0.9), flat); // exactly
    }

    void methodNames()
    {
        QVERIFY(Downsampling::methodFromString(QStringLiteral("lttb")) == Downsampling::Method::Lttb);
        QVERIFY(Downsampling::methodFromString(QStringLiteral("minmax")) == Downsampling::Method::MinMax);
        QVERIFY(!Downsampling::methodFromString(QStringLiteral("average")));
    }

    // Every bucket of any stretch keeps its lowest and highest value, exactly as a scan of the stretch
    // finds them, whatever the stretch's alignment to the pyramid's blocks.
    void pyramidFindsEachBucketsExtremes_data()
    {
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("buckets");
        QTest::newRow("shorter than a block") << 11 << 2;
        QTest::newRow("a block and a bit") << 17 << 3;
        QTest::newRow("odd levels") << 1001 << 7;
        QTest::newRow("a hundred thousand") << 100003 << 640;
    }
    void pyramidFindsEachBucketsExtremes()
    {
        QFETCH(int, size);
        QFETCH(int, buckets);
        QRandomGenerator random(size);
        QVector<double> values(size);
        for (double& v : values)
            v = random.bounded(1000) == 0 ? qQNaN() : random.generateDouble() * 100 - 50;
        const MinMaxPyramid<double> pyramid(values);
        for (int trial = 0; trial < 50; ++trial) {
            int first = random.bounded(size), last = random.bounded(size);
            if (first > last)
                std::swap(first, last);
            const QVector<int> picked = pyramid.select(first, last, buckets);
            QVERIFY(ascending(picked));
            QCOMPARE(picked.first(), first);
            QCOMPARE(picked.last(), last);
            const qint64 count = qint64(last) - first + 1;
            if (count <= 2 * buckets) {
                QCOMPARE(picked.size(), count);
                continue;
            }
            QVERIFY(picked.size() <= 2 * buckets + 2);
            for (qint64 b = 0; b < buckets; ++b) {
                const int begin = static_cast<int>(first + b * count / buckets);
                const int end = static_cast<int>(first + (b + 1) * count / buckets);
                double low = qInf(), high = -qInf(), pickedLow = qInf(), pickedHigh = -qInf();
                for (int i = begin; i < end; ++i) {
                    if (std::isnan(values[i]))
                        continue;
                    low = std::min(low, values[i]);
                    high = std::max(high, values[i]);
                }
                for (int i : picked) {
                    if (i >= begin && i < end && !std::isnan(values[i])) {
                        pickedLow = std::min(pickedLow, values[i]);
                        pickedHigh = std::max(pickedHigh, values[i]);
                    }
                }
                QCOMPARE(pickedLow, low);
                QCOMPARE(pickedHigh, high);
            }
        }
    }

    void pyramidOfNothing()
    {
        QVERIFY(MinMaxPyramid<double>().select(0, 10, 4).isEmpty());
        const MinMaxPyramid<float> allNaN(QVector<float>(100, qQNaN()));
        QCOMPARE(allNaN.select(0, 99, 4), (QVector<int>{0, 99}));
    }
};

QTEST_GUILESS_MAIN(TestDownsampling)
#include "TestDownsampling.moc"
