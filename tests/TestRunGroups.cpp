// Runs grouped by their settings, seeds together: the mean and band of each group's curve, its mean ± std
// in the Summary, and a pivot of two fields, checked against values worked out by hand; the pivot's LaTeX
// compiles with Debian's pdflatex into the numbers the Summary shows.
#include "RequiredProgram.h"
#include "viewer/RunGroups.h"
#include "viewer/RunSummary.h"

#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <limits>

using namespace jikken;
using namespace jikken::testing;

namespace {

/// A run of `lr`, `optimizer` and `seed` whose test/error is `values` at steps 0, 1, 2, …
ViewerRun makeRun(const QString& key, double lr, const QString& optimizer, int seed, const QVector<double>& values)
{
    ViewerRun run;
    run.key = key;
    run.name = key;
    run.loggedHyperparameters = {
        {QStringLiteral("lr"), lr}, {QStringLiteral("optimizer"), optimizer}, {QStringLiteral("seed"), seed}};
    ScalarSeries series;
    for (int i = 0; i < values.size(); ++i)
        series.append(i, 1000.0 + i, values[i]);
    run.scalars.insert(QStringLiteral("test/error"), series);
    return run;
}

const QString kTag = QStringLiteral("test/error");

} // namespace

class TestRunGroups : public QObject
{
    Q_OBJECT

private:
    QVector<ViewerRun> m_runs;
    QVector<const ViewerRun*> m_pointers;

private Q_SLOTS:
    void init()
    {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        // lr 0.1 with sgd: three seeds; the third stopped early and logged a NaN at its end.
        m_runs = {makeRun(QStringLiteral("a1"), 0.1, QStringLiteral("sgd"), 1, {0.5, 0.3, 0.2}),
                  makeRun(QStringLiteral("a2"), 0.1, QStringLiteral("sgd"), 2, {0.7, 0.5, 0.4}),
                  makeRun(QStringLiteral("a3"), 0.1, QStringLiteral("sgd"), 3, {0.6, nan}),
                  makeRun(QStringLiteral("b1"), 0.01, QStringLiteral("sgd"), 1, {0.9, 0.8, 0.6}),
                  makeRun(QStringLiteral("b2"), 0.01, QStringLiteral("sgd"), 2, {0.8, 0.7, 0.8}),
                  makeRun(QStringLiteral("c1"), 0.1, QStringLiteral("adam"), 1, {0.4, 0.2, 0.1})};
        m_pointers.clear();
        for (const ViewerRun& run : m_runs)
            m_pointers.append(&run);
    }

    // Everything that differs but the seed; the groups in the order their first runs come.
    void groupsBySettingsButTheSeed()
    {
        QCOMPARE(RunGroups::defaultFields(m_pointers),
                 (QStringList{QStringLiteral("lr"), QStringLiteral("optimizer")}));
        const auto groups = RunGroups::group(m_pointers, RunGroups::defaultFields(m_pointers));
        QCOMPARE(groups.size(), 3);
        QCOMPARE(groups[0].label, QStringLiteral("lr=0.1 optimizer=sgd"));
        QCOMPARE(groups[0].runs.size(), 3);
        QCOMPARE(groups[1].label, QStringLiteral("lr=0.01 optimizer=sgd"));
        QCOMPARE(groups[2].runs.size(), 1);
        QCOMPARE(RunGroups::group(m_pointers, {}).value(0).label, QStringLiteral("all"));
        QCOMPARE(RunGroups::group(m_pointers, {QStringLiteral("optimizer")}).size(), 2);
    }

    // By hand, lr=0.1 sgd: step 0 {0.5, 0.7, 0.6}, step 1 {0.3, 0.5} (NaN left out), step 2 {0.2, 0.4}.
    void aGroupsCurveIsTheMeanWithItsBand()
    {
        const auto groups = RunGroups::group(m_pointers, {QStringLiteral("lr"), QStringLiteral("optimizer")});
        const RunGroups::Band minMax = RunGroups::band(groups[0], kTag, RunGroups::Spread::MinMax);
        QCOMPARE(minMax.steps, (QVector<qint64>{0, 1, 2}));
        QCOMPARE(minMax.count, (QVector<int>{3, 2, 2}));
        QVERIFY(qFuzzyCompare(minMax.mean[0], 0.6));
        QVERIFY(qFuzzyCompare(minMax.mean[1], 0.4));
        QVERIFY(qFuzzyCompare(minMax.mean[2], 0.3));
        QCOMPARE(minMax.low, (QVector<double>{0.5, 0.3, 0.2}));
        QCOMPARE(minMax.high, (QVector<double>{0.7, 0.5, 0.4}));
        const RunGroups::Band spread = RunGroups::band(groups[0], kTag, RunGroups::Spread::StdDev);
        // Sample std at step 0: sqrt(((-0.1)^2 + 0.1^2 + 0) / 2) = 0.1; at steps 1 and 2: sqrt(0.02) ≈ 0.14142.
        QVERIFY(std::abs(spread.low[0] - 0.5) < 1e-12 && std::abs(spread.high[0] - 0.7) < 1e-12);
        QVERIFY(std::abs(spread.high[1] - (0.4 + std::sqrt(0.02))) < 1e-12);
        QVERIFY(std::abs(spread.low[2] - (0.3 - std::sqrt(0.02))) < 1e-12);
        // One run: its own curve, no band.
        const RunGroups::Band alone = RunGroups::band(groups[2], kTag, RunGroups::Spread::StdDev);
        QCOMPARE(alone.mean, (QVector<double>{0.4, 0.2, 0.1}));
        QCOMPARE(alone.low, alone.mean);
    }

    // A chart's curves: the mean of what is drawn (smoothed curves' smoothed values) at every logged step; long
    // curves sampled at evenly spaced steps, each curve only where it has points.
    void aChartsCurvesAreAveragedAsDrawn()
    {
        ScalarSeries low, high, shortOne;
        for (int step = 0; step < 1000; ++step) {
            low.append(step, step, 1.0 * step);
            high.append(step, step, 3.0 * step);
            if (step < 500)
                shortOne.append(step, step, 2.0 * step);
        }
        const ChartCurve a(low, true), b(high, true), c(shortOne, true);
        const RunGroups::Band exact = RunGroups::band({&a, &b}, RunGroups::Spread::MinMax, 10);
        QCOMPARE(exact.steps.size(), 1000);
        QCOMPARE(exact.mean[10], 20.0);
        QCOMPARE(exact.low[10], 10.0);
        QCOMPARE(exact.high[10], 30.0);
        const RunGroups::Band sampled = RunGroups::band({&a, &b, &c}, RunGroups::Spread::MinMax, 10, 100);
        QCOMPARE(sampled.steps, (QVector<qint64>{0, 111, 222, 333, 444, 555, 666, 777, 888, 999}));
        QCOMPARE(sampled.count, (QVector<int>{3, 3, 3, 3, 3, 2, 2, 2, 2, 2})); // the short one ends at 499
        QCOMPARE(sampled.mean[1], 222.0);
        QCOMPARE(sampled.mean[9], 1998.0);
        // Smoothed curves count as drawn: a constant's EMA is the constant.
        ScalarSeries flat;
        for (int step = 0; step < 200; ++step)
            flat.append(step, step, 5.0);
        ChartCurve smoothed(flat, true);
        smoothed.setSmoothing(0.9);
        QVERIFY(smoothed.isSmoothed());
        QCOMPARE(RunGroups::band({&smoothed}, RunGroups::Spread::MinMax, 10).mean.last(), smoothed.smoothed(199));
    }

    // The band's outline goes round it: low side forward, high side back, reaching the last step; a log axis
    // holds a low side at or under zero at the smallest positive value shown.
    void aBandsOutlineGoesRoundIt()
    {
        RunGroups::Band band;
        band.steps = {0, 1, 2, 3, 4};
        band.mean = {1, 2, 3, 4, 5};
        band.low = {-1, 1, 2, 3, 4};
        band.high = {2, 3, 4, 5, 6};
        band.count = {2, 2, 2, 2, 2};
        QCOMPARE(band.outline(100, false),
                 (QList<QPointF>{{0, -1}, {1, 1}, {2, 2}, {3, 3}, {4, 4}, {4, 6}, {3, 5}, {2, 4}, {1, 3}, {0, 2}}));
        QCOMPARE(
            band.outline(2, true),
            (QList<QPointF>{{0, 1}, {2, 2}, {4, 4}, {4, 6}, {2, 4}, {0, 2}})); // every second point, the last step kept
        QCOMPARE(band.meanSeries().values, band.mean);
    }

    // A grouping is saved and read back (a saved view, the main chart's settings); off is no object.
    void aGroupingIsSavedAsJson()
    {
        const RunGroups::Grouping byLr{true, {QStringLiteral("lr")}, RunGroups::Spread::StdDev};
        const RunGroups::Grouping read = RunGroups::Grouping::fromJson(byLr.toJson());
        QVERIFY(read.on);
        QCOMPARE(read.fields, QStringList{QStringLiteral("lr")});
        QVERIFY(read.spread == RunGroups::Spread::StdDev);
        QVERIFY(!RunGroups::Grouping::fromJson(QJsonValue()).on);
        QVERIFY(RunGroups::Grouping().toJson().isEmpty());
        QCOMPARE(RunGroups::Grouping::fromJson(QJsonObject{}).of(m_pointers).size(), 3); // every setting but the seed
    }

    // Final values by hand: lr=0.1 sgd {0.2, 0.4, 0.6 (a3's last finite)} -> 0.4 ± 0.2; best {0.2, 0.4, 0.6}.
    void theSummaryGivesMeanAndStd()
    {
        const auto groups = RunGroups::group(m_pointers, {QStringLiteral("lr"), QStringLiteral("optimizer")});
        const RunGroups::Summary first = RunGroups::summarize(groups[0], kTag);
        QVERIFY(first.final && first.best);
        QCOMPARE(first.final->n, 3);
        QVERIFY(std::abs(first.final->mean - 0.4) < 1e-12);
        QVERIFY(std::abs(first.final->std - 0.2) < 1e-12);
        QCOMPARE(RunGroups::format(*first.final), QStringLiteral("0.4 ± 0.2"));
        // lr=0.01: finals {0.6, 0.8}, bests (error: lowest) {0.6, 0.7}.
        const RunGroups::Summary second = RunGroups::summarize(groups[1], kTag);
        QVERIFY(std::abs(second.best->mean - 0.65) < 1e-12);
        QCOMPARE(RunGroups::format(*second.final), QStringLiteral("0.7 ± 0.1414"));
        const QString markdown = RunGroups::toMarkdown(groups, {kTag});
        QVERIFY2(markdown.contains(QStringLiteral("| lr=0.1 optimizer=sgd | 3 | 0.4 ± 0.2 | 0.4 ± 0.2 |")),
                 qPrintable(markdown));
        QVERIFY2(markdown.contains(QStringLiteral("| lr=0.1 optimizer=adam | 1 | 0.1 | 0.1 |")), qPrintable(markdown));
    }

    // lr x optimizer: (0.1, sgd) 0.4 ± 0.2 of 3, (0.01, sgd) 0.7 ± 0.1414 of 2, (0.1, adam) 0.1 of 1, and
    // no run at (0.01, adam). Its LaTeX compiles, and the PDF holds those numbers.
    void aPivotIsATableOfTwoFields()
    {
        const RunGroups::Pivot pivot =
            RunGroups::pivot(m_pointers, QStringLiteral("lr"), QStringLiteral("optimizer"), kTag);
        QCOMPARE(pivot.rows, (QStringList{QStringLiteral("0.1"), QStringLiteral("0.01")}));
        QCOMPARE(pivot.columns, (QStringList{QStringLiteral("sgd"), QStringLiteral("adam")}));
        QCOMPARE(pivot.cells[0][0]->n, 3);
        QVERIFY(!pivot.cells[1][1].has_value());
        const QString markdown = RunGroups::toMarkdown(pivot);
        QVERIFY2(markdown.contains(QStringLiteral("| 0.1 | 0.4 ± 0.2 (3) | 0.1 (1) |")), qPrintable(markdown));
        QVERIFY2(markdown.contains(QStringLiteral("| 0.01 | 0.7 ± 0.1414 (2) | – |")), qPrintable(markdown));

        QString error;
        const QString pdflatex =
            requireProgram(QStringLiteral("pdflatex"), QStringLiteral("texlive-latex-base"), &error);
        const QString pdftotext = requireProgram(QStringLiteral("pdftotext"), QStringLiteral("poppler-utils"), &error);
        QVERIFY2(!pdflatex.isEmpty() && !pdftotext.isEmpty(), qPrintable(error));
        QTemporaryDir dir;
        QFile tex(dir.filePath(QStringLiteral("pivot.tex")));
        QVERIFY(tex.open(QIODevice::WriteOnly));
        // A hostile tag and field names: escaped, the table still compiles.
        RunGroups::Pivot hostile = pivot;
        hostile.tag = QStringLiteral("test/error_% & #1 {x} ~$^\\");
        tex.write((QStringLiteral("\\documentclass{article}\n\\begin{document}\n") + RunGroups::toLatex(hostile) +
                   QStringLiteral("\n\\end{document}\n"))
                      .toUtf8());
        tex.close();
        QProcess latex;
        latex.setWorkingDirectory(dir.path());
        latex.start(pdflatex, {QStringLiteral("-interaction=nonstopmode"), QStringLiteral("-halt-on-error"),
                               QStringLiteral("pivot.tex")});
        QVERIFY(latex.waitForFinished(120000));
        QVERIFY2(latex.exitCode() == 0, latex.readAllStandardOutput().right(2000).constData());
        QProcess text;
        text.start(pdftotext, {dir.filePath(QStringLiteral("pivot.pdf")), QStringLiteral("-")});
        QVERIFY(text.waitForFinished(60000));
        const QString pdf = QString::fromUtf8(text.readAllStandardOutput());
        // What the Summary shows of each group, in the PDF's table.
        const auto groups = RunGroups::group(m_pointers, {QStringLiteral("lr"), QStringLiteral("optimizer")});
        for (const RunGroups::Group& group : groups) {
            const RunGroups::Stat final = *RunGroups::summarize(group, kTag).final;
            QVERIFY2(pdf.contains(RunGroups::format(final)), qPrintable(RunGroups::format(final) + u'\n' + pdf));
        }
    }
};

QTEST_MAIN(TestRunGroups)
#include "TestRunGroups.moc"
