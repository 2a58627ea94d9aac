#include "CurveMarks.h"

#include <QChart>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <utility>

namespace jikken {

namespace {

// Over every line (QtCharts' series are at 4, a figure's drawn layer at 4.5), under the legend.
constexpr double kOverTheLines = 5;
constexpr double kCross = 4;    ///< half a cross' width, in pixels
constexpr double kTriangle = 4; ///< half a triangle's width
/// Triangles closer than this to the last one drawn are not drawn again: a spike of many points is one
/// mark, not a smear.
constexpr double kTriangleGap = 6;

} // namespace

CurveMarks::CurveMarks(QChart* chart) : QGraphicsItem(chart), m_chart(chart)
{
    setZValue(kOverTheLines);
    setAcceptedMouseButtons(Qt::NoButton);
    m_plotAreaWatch = QObject::connect(chart, &QChart::plotAreaChanged, chart, [this] { prepareGeometryChange(); });
}

CurveMarks::~CurveMarks()
{
    QObject::disconnect(m_plotAreaWatch);
}

void CurveMarks::setMarks(QVector<Mark> marks)
{
    m_marks = std::move(marks);
    update();
}

void CurveMarks::remove(const QAbstractSeries* series)
{
    if (m_marks.removeIf([series](const Mark& mark) { return mark.series == series; }) > 0)
        update();
}

std::optional<QPointF> CurveMarks::placeOf(const Mark& mark) const
{
    const QRectF plot = m_chart->plotArea();
    const double y = std::isfinite(mark.at.y()) ? mark.at.y() : 1; // any y the axes place: x is what counts
    QPointF place = m_chart->mapToPosition(QPointF(mark.at.x(), y), mark.series);
    if (!(place.x() >= plot.left() - 0.5 && place.x() <= plot.right() + 0.5))
        return std::nullopt;
    if (mark.kind == Mark::Kind::Above)
        place.setY(plot.top());
    else if (!std::isfinite(mark.at.y()))
        place.setY(plot.bottom());
    else
        place.setY(std::clamp(place.y(), plot.top(), plot.bottom()));
    return place;
}

QRectF CurveMarks::boundingRect() const
{
    // Labels may reach past the plot's right edge into the margin.
    return m_chart->plotArea().adjusted(-kCross - 1, -kCross - 1, 60, kCross + 1);
}

void CurveMarks::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    const QPointF none(-1e9, -1e9);
    QPointF lastTriangle = none;
    for (const Mark& mark : std::as_const(m_marks)) {
        const std::optional<QPointF> place = placeOf(mark);
        if (!place)
            continue;
        const QPointF p = *place;
        if (mark.kind == Mark::Kind::Above) {
            if (std::abs(p.x() - lastTriangle.x()) < kTriangleGap)
                continue;
            lastTriangle = p;
            QPainterPath triangle; // pointing up, its tip on the edge
            triangle.moveTo(p);
            triangle.lineTo(p + QPointF(-kTriangle, 2 * kTriangle));
            triangle.lineTo(p + QPointF(kTriangle, 2 * kTriangle));
            triangle.closeSubpath();
            painter->fillPath(triangle, mark.colour);
            continue;
        }
        painter->setPen(QPen(mark.colour, 2));
        painter->drawLine(p + QPointF(-kCross, -kCross), p + QPointF(kCross, kCross));
        painter->drawLine(p + QPointF(-kCross, kCross), p + QPointF(kCross, -kCross));
        painter->drawText(p + QPointF(kCross + 3, -kCross - 2), mark.label);
    }
    painter->restore();
}

} // namespace jikken
