#include "PlotView.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QWheelEvent>

#include <cmath>

namespace jikken {

namespace {
constexpr double kWheelZoom = 1.25;
constexpr double kKeyPanFraction = 0.1; // of the plot's width or height per arrow key
} // namespace

PlotView::PlotView(QChart* chart, QWidget* parent) : QChartView(chart, parent)
{
    setRubberBand(QChartView::RectangleRubberBand);
    setFocusPolicy(Qt::StrongFocus);
}

void PlotView::wheelEvent(QWheelEvent* event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0) {
        event->ignore();
        return;
    }
    // Along x only, about the pointer, so the point under it stays put.
    const QRectF area = chart()->plotArea();
    const double factor = std::pow(kWheelZoom, -steps);
    const double pointer = chart()->mapFromScene(mapToScene(event->position().toPoint())).x();
    const double left = pointer - (pointer - area.left()) * factor;
    chart()->zoomIn(QRectF(left, area.top(), area.width() * factor, area.height()));
    event->accept();
}

void PlotView::keyPressEvent(QKeyEvent* event)
{
    const QRectF area = chart()->plotArea();
    switch (event->key()) {
    case Qt::Key_Left:
        chart()->scroll(-area.width() * kKeyPanFraction, 0);
        break;
    case Qt::Key_Right:
        chart()->scroll(area.width() * kKeyPanFraction, 0);
        break;
    case Qt::Key_Up:
        chart()->scroll(0, area.height() * kKeyPanFraction);
        break;
    case Qt::Key_Down:
        chart()->scroll(0, -area.height() * kKeyPanFraction);
        break;
    case Qt::Key_Escape:
        Q_EMIT resetRequested();
        break;
    default:
        QChartView::keyPressEvent(event);
        return;
    }
    event->accept();
}

void PlotView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::MiddleButton) {
        m_panFrom = event->position();
        event->accept();
        return;
    }
    if (event->button() == Qt::RightButton) {
        Q_EMIT resetRequested(); // instead of QChartView's one step out
        event->accept();
        return;
    }
    QChartView::mousePressEvent(event);
}

void PlotView::mouseMoveEvent(QMouseEvent* event)
{
    if (m_panFrom) {
        const QPointF delta = event->position() - *m_panFrom;
        chart()->scroll(-delta.x(), delta.y());
        m_panFrom = event->position();
        event->accept();
        return;
    }
    const QPointF at = chart()->mapFromScene(mapToScene(event->position().toPoint()));
    if (chart()->plotArea().contains(at) && !chart()->series().isEmpty())
        Q_EMIT hoveredAt(chart()->mapToValue(at, chart()->series().first()), event->position().toPoint());
    else
        Q_EMIT hoverLeft();
    QChartView::mouseMoveEvent(event);
}

void PlotView::leaveEvent(QEvent* event)
{
    Q_EMIT hoverLeft();
    QChartView::leaveEvent(event);
}

void PlotView::mouseReleaseEvent(QMouseEvent* event)
{
    if (m_panFrom && event->button() == Qt::MiddleButton) {
        m_panFrom.reset();
        event->accept();
        return;
    }
    if (event->button() == Qt::RightButton) {
        event->accept();
        return;
    }
    QChartView::mouseReleaseEvent(event);
}

void PlotView::mouseDoubleClickEvent(QMouseEvent* event)
{
    Q_EMIT resetRequested();
    event->accept();
}

} // namespace jikken
