#include "MeasuredLines.h"

#include "RunColours.h"

#include <QChart>
#include <QPainter>

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
        QPolygonF polyline;
        polyline.reserve(line.points.size());
        for (const QPointF& p : line.points)
            polyline.append(m_chart->mapToPosition(p, line.series));
        QColor faint = line.colour;
        faint.setAlphaF(RunColours::kMeasuredAlpha);
        painter->setPen(QPen(faint, 1));
        painter->drawPolyline(polyline);
    }
    painter->restore();
}

} // namespace jikken
