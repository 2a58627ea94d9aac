#pragma once

#include "CurveLegend.h"
#include "CurveMarks.h"
#include "DecadeLabels.h"
#include "LineLayer.h"
#include "series/ChartCurve.h"

#include <QChart>
#include <QList>

#include <optional>
#include <utility>

class QAbstractAxis;
class QLineSeries;

namespace jikken {

/// A QtCharts chart of curves: x counted in steps, hours, wall time or epochs, y linear or log, a line
/// per curve and the faint measured lines beneath smoothed ones. The one place where the app's lines and
/// axes are made — the main window's chart and every panel of a viewer figure, on screen and exported —
/// so they look and behave alike. Points are handed in already reduced to the plot's width (min/max
/// buckets, `ChartCurve::points`), which is what keeps a zoom quick whatever a curve's length.
///
/// Each line is a QLineSeries (its name, its pen, its place in the legend). In an interactive chart the
/// series holds the points, so QtCharts draws it and says when the pointer is over it. In a figure
/// nobody hovers, and the points go to a `LineLayer` drawn in the series' pen instead: QtCharts strokes
/// every series' outline for hovering whenever its points or the axes change, which for a hundred runs
/// was most of a figure's redraw. An interactive chart crowded with lines draws them so too (`setLayered`).
class CurveChart : public QChart
{
    Q_OBJECT

public:
    struct Style
    {
        QString name;
        QColor colour;
        Qt::PenStyle dash = Qt::SolidLine;
        double width = 2;
    };
    /// How a range given to the chart becomes the axis' range.
    enum class Ticks {
        RoundOut, ///< grows to the next round values (0, 1000, 2000), as a fitted chart wants
        Exact,    ///< kept as given, round ticks within it, as a zoom (and a figure's shared x) wants
    };

    enum class Mode {
        Interactive, ///< hoverable lines, its own legend (a `CurveLegend` under the plot): the main window's chart
        Figure,      ///< a panel of a figure: no legend or margins of its own (the figure has them)
    };

    explicit CurveChart(Mode mode = Mode::Interactive, QGraphicsItem* parent = nullptr);

    /// New axes for x counted in `axis` and a linear or log y named `yTitle`; the lines are removed.
    void setAxes(XAxis axis, bool logY, const QString& yTitle);
    /// Light or dark (QtCharts' theme) on a plain `background`; true when that changed it, which recolours
    /// the lines: axes and lines are to be made again.
    bool setLook(bool dark, const QColor& background);
    /// What a chart is drawn on, as a figure is: white, or near black.
    static QColor paper(bool dark) { return dark ? QColor(0x1e, 0x1e, 0x1e) : QColor(Qt::white); }
    /// No lines and no axes: an empty chart (its title may say why).
    void clear();
    /// Shows or hides the axes' names (small charts have no room for them).
    void setAxisTitlesVisible(bool visible);
    bool hasAxes() const { return m_x != nullptr; }
    XAxis xAxisKind() const { return m_xKind; }
    bool isLogY() const { return m_logY; }
    QString yTitle() const;
    /// Whether the lines added from now on are drawn by one layer rather than by their series (a figure's
    /// always are): for a crowded interactive chart, whose lines are a band nobody hovers one by one, and
    /// which QtCharts would stroke again, every one, whenever a run's points or the axes change. No line
    /// of such a chart says it is hovered (its view's `hoveredAt` tells where the pointer is), and the
    /// legend names none.
    void setLayered(bool layered);
    bool isLayered() const { return m_drawn != nullptr; }
    /// In a layered chart, draws `line` over the others and wider (nullptr: none), as the pointer picks it
    /// out of a band; the line it is now.
    void highlight(const QLineSeries* line);
    const QAbstractSeries* highlighted() const { return m_drawn ? m_drawn->highlighted() : nullptr; }
    /// A line on both axes, drawn in `style`; its points come with `setPoints`.
    QLineSeries* addLine(const Style& style);
    /// Makes the lines these, in order, keeping the series there are (restyled where they differ).
    void setLines(const QVector<Style>& styles);
    const QList<QLineSeries*>& lines() const { return m_lines; }
    /// How many min/max buckets each of `lines` lines gets across a plot `width` pixels wide: one per two
    /// pixels, so each pixel column still shows its extreme (QtCharts strokes every line again for
    /// hovering, so more would cost without showing more). Past 20 lines the lines share them: a hundred
    /// overlaid runs are a band, drawn in a fifth of the time, and each bucket still keeps its extremes.
    static int bucketsFor(double width, qsizetype lines);
    /// Each line's width for a figure: `thin` where it is drawn crisp (`LineLayer::isCrisp`: dense, or one
    /// of many; a wider pen there would be stroked as a polygon, several times slower), `wide` elsewhere.
    static void fitWidths(QVector<Style>& styles, const QVector<QList<QPointF>>& points, double plotWidth, double thin,
                          double wide);
    /// The line's points in data units (on a log axis, the values themselves); a lone point is drawn as a dot.
    void setPoints(QLineSeries* line, const QList<QPointF>& points);
    /// The points of `line` as drawn (in the series, or in the figure's layer).
    QList<QPointF> pointsOf(const QLineSeries* line) const;
    /// The faint measured lines beneath the smoothed ones.
    LineLayer* measured() const { return m_measured; }
    /// The areas beneath the lines: a group's band around its mean (`RunGroups`).
    LineLayer* bands() const { return m_bands; }
    /// Where curves stopped being finite and the points above the y range, marked over the lines.
    CurveMarks* marks() const { return m_marks; }
    /// A log y axis' labels at 2 and 5 times the powers of ten, when it spans few decades.
    const DecadeLabels* decadeLabels() const { return m_decadeLabels; }
    /// An interactive chart's legend, naming its lines under the plot (none in a layered chart, whose names
    /// would fill it); null in a figure's panel.
    const CurveLegend* curveLegend() const { return m_legend; }

    /// The x axis' range, in its units (milliseconds since the epoch for wall time).
    std::pair<double, double> xRange() const;
    std::pair<double, double> yRange() const;
    void setXRange(double low, double high, Ticks ticks);
    /// y in the values' units (also on a log axis, whose ticks QtCharts puts on the powers of ten).
    void setYRange(double low, double high, Ticks ticks);
    /// Sets both ranges (as given, round ticks within), then every line's points: a figure's redraw.
    void setRangesAndPoints(std::pair<double, double> x, std::pair<double, double> y,
                            const QVector<QList<QPointF>>& points);
    /// Text sizes for a figure: `scale` times 12 pixels for labels, more for titles (QtCharts' own until set).
    void setTextScale(double scale);

Q_SIGNALS:
    /// The user moved x (a zoom or a pan); the chart's own `setXRange` does not say so.
    void xRangeMoved();

private:
    void removeLines();
    static void restyle(QLineSeries* line, const Style& style);
    /// Says when the user moves x (`xRangeMoved`), and has the layers drawn again whenever an axis moves.
    void watchAxes();
    void redrawLayers();
    void placeDecadeLabels();
    void keepPainted(LineLayer* layer) const;
    void applyTextScale();
    /// Names the lines there are in the legend, and makes its room.
    void updateLegend();
    /// Lays the legend out across the chart's width, under the plot, and keeps that room free of axes.
    void placeLegend();

    Mode m_mode;
    QAbstractAxis* m_x = nullptr;
    QAbstractAxis* m_y = nullptr;
    XAxis m_xKind = XAxis::Step;
    bool m_logY = false;
    bool m_settingRange = false;
    std::optional<double> m_textScale;
    bool m_axisTitles = true;
    QList<QLineSeries*> m_lines;
    LineLayer* m_measured;
    LineLayer* m_bands;
    CurveMarks* m_marks;
    DecadeLabels* m_decadeLabels;
    LineLayer* m_drawn = nullptr; ///< the lines of a figure or a crowded chart (their series hold none)
    CurveLegend* m_legend = nullptr;
    QMargins m_margins; ///< the chart's own, the legend's room aside
};

} // namespace jikken
