#pragma once

#include "FigureOptions.h"
#include "charts/CurveChart.h"

#include <QColor>
#include <QGraphicsScene>
#include <QRectF>
#include <QVector>

#include <limits>

class QPainter;

namespace jikken {

class CurveStore;
class RunLibrary;

/// Draws a viewer figure on any painter — the window, a 2× PNG, SVG or PDF — so what is exported is what
/// was on screen: a title, a legend of runs (name and method, each run's colour as in every chart), then
/// one chart, or one chart per tag with the x range shared. The charts are QtCharts charts (`CurveChart`,
/// as the main window's), kept in a scene of their own and rendered into the painter. Each curve is
/// reduced to min/max buckets two pixels wide, so spikes survive at any size.
class FigureRenderer
{
public:
    FigureRenderer(const RunLibrary& library, CurveStore& curves);
    ~FigureRenderer();

    struct Panel
    {
        QRectF plot;   ///< where the data is drawn
        QString title; ///< the tag (or tags in an overlay), and the smoothing when the lines are smoothed
        double xLow = 0, xHigh = 1, yLow = 0, yHigh = 1; ///< y in log10 units on a log axis
    };

    /// Light on white, or the colours of `dark` (from the next `prepare`).
    void setDark(bool dark) { m_dark = dark; }
    /// Lays the figure out in `area` and fills its charts with the curves: the costly part, which a window
    /// does apart from drawing (a paint then draws what is ready).
    void prepare(const QRectF& area, const FigureOptions& options);
    /// Draws what the last `prepare` laid out.
    void render(QPainter& painter);
    /// Both, for an export.
    void paint(QPainter& painter, const QRectF& area, const FigureOptions& options)
    {
        prepare(area, options);
        render(painter);
    }
    /// The panels of the last `prepare`, for the widget's zoom and read-out.
    const QVector<Panel>& panels() const { return m_panels; }
    /// The chart of each panel of the last `prepare`.
    const QList<CurveChart*>& charts() const { return m_charts; }
    /// The x range that holds every point of the shown curves; none when nothing is shown.
    std::optional<std::pair<double, double>> wholeXRange(const FigureOptions& options);

private:
    QColor background() const { return CurveChart::paper(m_dark); }
    /// The legend's lines: a run's name (and method) per run drawn, and in an overlay of several tags
    /// which dash is which.
    QVector<CurveLegend::Entry> legendEntries(const FigureOptions& options) const;
    /// Lays out `count` charts in `body`, reusing those of the last paint.
    void placeCharts(const QRectF& body, int count, double margin);
    /// What a chart draws: its lines (name, colour, dash) and their points, the measured values beneath
    /// smoothed lines and the bands beneath groups' means (by line), and the y range they span in view.
    struct ChartLines
    {
        QVector<CurveChart::Style> styles;
        QVector<QList<QPointF>> points;
        QVector<QPair<int, QList<QPointF>>> faint;
        QVector<QPair<int, QList<QPointF>>> bands;
        bool smoothed = false;
        double yLow = std::numeric_limits<double>::infinity();
        double yHigh = -std::numeric_limits<double>::infinity();
        void extend(const QList<QPointF>& some, std::pair<double, double> xRange);
    };
    /// The runs of `options` the library holds, in its order.
    QVector<const ViewerRun*> shownRuns(const FigureOptions& options) const;
    /// A line per run and tag.
    ChartLines runLines(const QStringList& tags, const FigureOptions& options, std::pair<double, double> xRange,
                        int buckets);
    /// A line per group and tag (its mean), each over its band.
    ChartLines groupLines(const QStringList& tags, const FigureOptions& options, std::pair<double, double> xRange,
                          int buckets) const;
    /// Fills a chart with the tags' curves of every run (or group), and notes its panel.
    void fillChart(CurveChart& chart, const QString& title, const QStringList& tags, const FigureOptions& options,
                   std::pair<double, double> xRange);

    const RunLibrary& m_library;
    CurveStore& m_curves;
    bool m_dark = false;
    // What `prepare` laid out, for `render`.
    QRectF m_area;
    FigureOptions m_options;
    QRectF m_titleRect;
    CurveLegend m_legend;
    QString m_emptyText; ///< instead of charts, when there is nothing to draw
    QRectF m_body;
    QVector<Panel> m_panels;
    QGraphicsScene m_scene; ///< holds the charts
    QList<CurveChart*> m_charts;
};

} // namespace jikken
