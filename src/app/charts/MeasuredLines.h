#pragma once

#include <QColor>
#include <QGraphicsItem>
#include <QList>
#include <QPointF>
#include <QVector>

class QAbstractSeries;
class QChart;

namespace jikken {

/// The faint measured lines beneath a chart's smoothed ones, as TensorBoard draws them: one graphics
/// item under the series instead of more QLineSeries, which QtCharts would stroke again for hovering on
/// every zoom (twice the cost, for lines nobody hovers). Points are in data units, placed through the
/// series whose axes they share.
class MeasuredLines : public QGraphicsItem
{
public:
    struct Line
    {
        QAbstractSeries* series; ///< the smoothed line: its axes place the points
        QColor colour;
        QList<QPointF> points;
    };

    explicit MeasuredLines(QChart* chart);

    void setLines(QVector<Line> lines);
    const QVector<Line>& lines() const { return m_lines; }

    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    QChart* m_chart;
    QVector<Line> m_lines;
};

} // namespace jikken
