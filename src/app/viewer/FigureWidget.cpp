#include "FigureWidget.h"

#include <QMouseEvent>
#include <QPainter>

namespace jikken {

FigureWidget::FigureWidget(FigureRenderer& renderer, QWidget* parent)
    : QWidget(parent), m_renderer(renderer), m_prepareSoon(new QTimer(this))
{
    setMinimumSize(320, 240);
    setMouseTracking(false);
    m_prepareSoon->setSingleShot(true);
    m_prepareSoon->setInterval(0); // with whatever else changes now, then painted in a pass of its own
    connect(m_prepareSoon, &QTimer::timeout, this, [this] {
        if (!isVisible() || m_preparedSize == size())
            return; // laid out when shown; or a paint came first and laid out (and drew) these options
        prepare();
        update();
    });
}

void FigureWidget::setOptions(const FigureOptions& options)
{
    m_options = options;
    m_preparedSize = QSize();
    m_prepareSoon->start();
}

void FigureWidget::prepare()
{
    m_renderer.setDark(palette().color(QPalette::Window).lightness() < 128);
    m_renderer.prepare(rect(), m_options);
    m_preparedSize = size();
}

void FigureWidget::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange) { // a dark theme's colours
        m_preparedSize = QSize();
        update();
    }
    QWidget::changeEvent(event);
}

void FigureWidget::paintEvent(QPaintEvent*)
{
    if (m_preparedSize != size()) // shown or resized before the layout came, or never laid out
        prepare();
    QPainter painter(this);
    m_renderer.render(painter);
    if (m_dragFrom) {
        const QColor band = palette().color(QPalette::Highlight);
        painter.fillRect(
            QRectF(QPointF(qMin(*m_dragFrom, m_dragTo), 0), QPointF(qMax(*m_dragFrom, m_dragTo), height())),
            QColor(band.red(), band.green(), band.blue(), 60));
    }
}

const FigureRenderer::Panel* FigureWidget::panelAt(QPointF position) const
{
    for (const auto& panel : m_renderer.panels()) {
        if (panel.plot.contains(position))
            return &panel;
    }
    return nullptr;
}

void FigureWidget::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton && panelAt(event->position())) {
        m_dragFrom = m_dragTo = event->position().x();
        update();
    }
}

void FigureWidget::mouseMoveEvent(QMouseEvent* event)
{
    if (m_dragFrom) {
        m_dragTo = event->position().x();
        update();
    }
}

void FigureWidget::mouseReleaseEvent(QMouseEvent* event)
{
    if (!m_dragFrom)
        return;
    const double from = *m_dragFrom, to = event->position().x();
    m_dragFrom.reset();
    update();
    const FigureRenderer::Panel* panel = panelAt(QPointF(from, event->position().y()));
    if (!panel)
        panel = m_renderer.panels().isEmpty() ? nullptr : &m_renderer.panels().first();
    if (!panel || qAbs(to - from) < 4)
        return;
    const auto toX = [panel](double pixel) {
        const double clamped = qBound(panel->plot.left(), pixel, panel->plot.right());
        return panel->xLow + (clamped - panel->plot.left()) / panel->plot.width() * (panel->xHigh - panel->xLow);
    };
    Q_EMIT xRangeChanged(std::make_pair(toX(qMin(from, to)), toX(qMax(from, to))));
}

void FigureWidget::mouseDoubleClickEvent(QMouseEvent*)
{
    Q_EMIT xRangeChanged(std::nullopt);
}

} // namespace jikken
