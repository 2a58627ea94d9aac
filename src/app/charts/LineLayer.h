#pragma once

#include <QColor>
#include <QGraphicsItem>
#include <QList>
#include <QMetaObject>
#include <QPointF>
#include <QVector>

class QAbstractSeries;
class QChart;

namespace jikken {

/// Lines drawn by one graphics item in a chart instead of more QLineSeries, which QtCharts would stroke
/// again for hovering on every change (for a hundred runs, most of a redraw) — for lines nobody hovers:
/// the faint measured values beneath a chart's smoothed lines, as TensorBoard draws them, and the lines
/// of a viewer figure. Points are in data units, placed through the series whose axes they share.
class LineLayer : public QGraphicsItem
{
public:
    enum class Kind {
        Measured, ///< faint, one pixel wide, beneath the chart's lines
        Drawn,    ///< in their series' pen, where QtCharts would draw the series
        Band,     ///< a translucent area beneath the lines: each line's points go round it (a group's spread)
    };
    struct Line
    {
        QAbstractSeries* series; ///< places the points (its axes); a drawn line takes its pen
        QColor colour;
        QList<QPointF> points;
    };

    LineLayer(QChart* chart, Kind kind);
    ~LineLayer() override;

    void setLines(QVector<Line> lines);
    const QVector<Line>& lines() const { return m_lines; }
    /// The points of `series`' line (a line added for it if it has none).
    void setPoints(QAbstractSeries* series, QList<QPointF> points);
    /// The points drawn for `series`; none if it has no line here.
    QList<QPointF> pointsOf(const QAbstractSeries* series) const;
    /// Takes `series`' line away (before the series goes).
    void remove(const QAbstractSeries* series);
    /// Draws `series`' line over the others and wider (the one the pointer is at); nullptr: none.
    void setHighlighted(const QAbstractSeries* series);
    const QAbstractSeries* highlighted() const { return m_highlighted; }
    /// Whether a line of `points` is drawn crisp (no antialiasing; thin in a figure), across a plot `width`
    /// pixels wide where the lines together hold `allPoints`: a dense line (a point or more per two pixels)
    /// looks the same without antialiasing and draws several times faster, and so do all the lines of a
    /// crowded plot (ten points or more per pixel column between them: a band of many runs).
    static bool isCrisp(qsizetype points, qsizetype allPoints, double width)
    {
        return points > width / 2 || allPoints > 10 * width;
    }

    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    void drawLine(QPainter* painter, const Line& line, qsizetype allPoints, double width, bool highlighted) const;

    QChart* m_chart;
    Kind m_kind;
    QVector<Line> m_lines;
    const QAbstractSeries* m_highlighted = nullptr;
    QMetaObject::Connection m_plotAreaWatch; ///< the chart outlives a layer it takes away
};

} // namespace jikken
