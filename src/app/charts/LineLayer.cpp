#include "LineLayer.h"

#include "RunColours.h"

#include <QAbstractAxis>
#include <QChart>
#include <QPainter>
#include <QXYSeries>

#include <algorithm>
#include <cmath>
#include <utility>

namespace jikken {

namespace {

// QtCharts stacks its items by z value: grid 2, axes 3, series 4. Measured lines go above the grid and
// beneath every smoothed line; drawn lines where the series would be.
constexpr double kBeneathTheSeries = 3.5;
constexpr double kWithTheSeries = 4.5;

} // namespace

LineLayer::LineLayer(QChart* chart, Kind kind) : QGraphicsItem(chart), m_chart(chart), m_kind(kind)
{
    setZValue(kind == Kind::Drawn ? kWithTheSeries : kBeneathTheSeries);
    setAcceptedMouseButtons(Qt::NoButton);
    m_plotAreaWatch = QObject::connect(chart, &QChart::plotAreaChanged, chart, [this] { prepareGeometryChange(); });
}

LineLayer::~LineLayer()
{
    QObject::disconnect(m_plotAreaWatch);
}

void LineLayer::setLines(QVector<Line> lines)
{
    m_lines = std::move(lines);
    m_highlighted = nullptr;
    update();
}

void LineLayer::setPoints(QAbstractSeries* series, QList<QPointF> points)
{
    const auto line =
        std::find_if(m_lines.begin(), m_lines.end(), [series](const Line& l) { return l.series == series; });
    if (line == m_lines.end())
        m_lines.append({series, QColor(), std::move(points)});
    else
        line->points = std::move(points);
    update();
}

QList<QPointF> LineLayer::pointsOf(const QAbstractSeries* series) const
{
    for (const Line& line : m_lines) {
        if (line.series == series)
            return line.points;
    }
    return {};
}

void LineLayer::remove(const QAbstractSeries* series)
{
    if (m_highlighted == series)
        m_highlighted = nullptr;
    m_lines.removeIf([series](const Line& line) { return line.series == series; });
    update();
}

void LineLayer::setHighlighted(const QAbstractSeries* series)
{
    if (std::exchange(m_highlighted, series) != series)
        update();
}

QRectF LineLayer::boundingRect() const
{
    return m_chart->plotArea();
}

void LineLayer::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    painter->save();
    painter->setClipRect(m_chart->plotArea());
    const double width = m_chart->plotArea().width();
    qsizetype allPoints = 0;
    for (const Line& line : std::as_const(m_lines))
        allPoints += line.points.size();
    const Line* highlighted = nullptr;
    for (const Line& line : std::as_const(m_lines)) {
        if (m_highlighted && line.series == m_highlighted)
            highlighted = &line; // drawn last, over the others
        else
            drawLine(painter, line, allPoints, width, false);
    }
    if (highlighted)
        drawLine(painter, *highlighted, allPoints, width, true);
    painter->restore();
}

void LineLayer::drawLine(QPainter* painter, const Line& line, qsizetype allPoints, double width, bool highlighted) const
{
    if (line.points.isEmpty())
        return;
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
    if (m_kind == Kind::Band) {
        QColor fill = line.colour;
        fill.setAlphaF(0.18);
        painter->setRenderHint(QPainter::Antialiasing, true);
        painter->setPen(Qt::NoPen);
        painter->setBrush(fill);
        painter->drawPolygon(polyline);
        painter->setBrush(Qt::NoBrush);
        return;
    }
    if (m_kind == Kind::Measured) {
        painter->setRenderHint(QPainter::Antialiasing, false); // faint and dense: crisp and quick
        painter->setPen(QPen(RunColours::faint(line.colour, m_chart->backgroundBrush().color()), 1));
    } else {
        const auto* series = qobject_cast<const QXYSeries*>(line.series);
        QPen pen = series ? series->pen() : QPen(line.colour);
        if (highlighted) // one line picked out of a band: wide enough to follow through it
            pen.setWidthF(std::max(2.5, pen.widthF() * 2.5));
        painter->setRenderHint(QPainter::Antialiasing, highlighted || !isCrisp(polyline.size(), allPoints, width));
        painter->setPen(pen);
    }
    if (polyline.size() == 1) { // a lone point: a dot, as a line of one point strokes nothing
        const double radius = std::max(2.0, painter->pen().widthF() * 1.5);
        painter->setBrush(painter->pen().color());
        painter->drawEllipse(polyline.first(), radius, radius);
        painter->setBrush(Qt::NoBrush);
    } else {
        painter->drawPolyline(polyline);
    }
}

} // namespace jikken
