#include "MeasuredLines.h"

#include "RunColours.h"

#include <QAbstractAxis>
#include <QAbstractSeries>
#include <QChart>
#include <QPainter>

#include <cmath>

namespace jikken {

namespace {

// QtCharts stacks its items by z value: grid 2, axes 3, series 4. Between them: above the grid, beneath
// every smoothed line.
constexpr double kBeneathTheSeries = 3.5;

} // namespace

MeasuredLines::MeasuredLines(QChart* chart) : QGraphicsItem(chart), m_chart(chart)
{
    setZValue(kBeneathTheSeries);
    setAcceptedMouseButtons(Qt::NoButton);
    QObject::connect(chart, &QChart::plotAreaChanged, chart, [this] { prepareGeometryChange(); });
}

void MeasuredLines::setLines(QVector<Line> lines)
{
    m_lines = std::move(lines);
    update();
}

QRectF MeasuredLines::boundingRect() const
{
    return m_chart->plotArea();
}

void MeasuredLines::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    painter->save();
    painter->setClipRect(m_chart->plotArea());
    painter->setRenderHint(QPainter::Antialiasing, false); // faint and dense: crisp and quick
    for (const Line& line : std::as_const(m_lines)) {
        // The axes are linear in x, and in y or log10(y): three points placed by QtCharts give the whole
        // mapping, so ten thousand points cost ten thousand multiplications, not a QtCharts lookup each.
        const bool logY = !line.series->attachedAxes().isEmpty() &&
                          line.series->attachedAxes().last()->type() == QAbstractAxis::AxisTypeLogValue;
        const QPointF origin = m_chart->mapToPosition(QPointF(0, 1), line.series);
        const QPointF xUnit = m_chart->mapToPosition(QPointF(1, 1), line.series) - origin;
        const QPointF yUnit = m_chart->mapToPosition(QPointF(0, logY ? 10 : 2), line.series) - origin;
        QPolygonF polyline;
        polyline.reserve(line.points.size());
        for (const QPointF& p : line.points) {
            const double y = logY ? std::log10(p.y()) : p.y() - 1;
            polyline.append(origin + xUnit * p.x() + yUnit * y);
        }
        painter->setPen(QPen(RunColours::faint(line.colour, m_chart->backgroundBrush().color()), 1));
        painter->drawPolyline(polyline);
    }
    painter->restore();
}

} // namespace jikken
