#include "SmallMultiples.h"

#include <QMouseEvent>
#include <QPainter>

#include <algorithm>
#include <limits>

namespace jikken {

SmallMultiples::SmallMultiples(QWidget* parent) : QWidget(parent)
{
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Click a chart to show its tag in the main chart"));
    setMinimumHeight(120);
}

void SmallMultiples::setPanels(QVector<Panel> panels)
{
    m_panels = std::move(panels);
    setVisible(!m_panels.isEmpty());
    update();
}

QRectF SmallMultiples::cellOf(int index) const
{
    const double width = static_cast<double>(this->width()) / std::max<qsizetype>(1, m_panels.size());
    return QRectF(index * width, 0, width, height()).adjusted(4, 2, -4, -2);
}

QString SmallMultiples::tagAt(QPointF point) const
{
    for (int i = 0; i < m_panels.size(); ++i) {
        if (cellOf(i).contains(point))
            return m_panels[i].tag;
    }
    return {};
}

void SmallMultiples::mousePressEvent(QMouseEvent* event)
{
    const QString tag = tagAt(event->position());
    if (!tag.isEmpty())
        Q_EMIT tagChosen(tag);
}

void SmallMultiples::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    const QColor ink = palette().color(QPalette::WindowText);
    const QColor frame = palette().color(QPalette::Mid);
    const QFontMetricsF metrics(font());
    for (int i = 0; i < m_panels.size(); ++i) {
        const Panel& panel = m_panels[i];
        const QRectF cell = cellOf(i);
        painter.setPen(ink);
        painter.drawText(QRectF(cell.left(), cell.top(), cell.width(), metrics.height()), Qt::AlignCenter,
                         metrics.elidedText(panel.tag, Qt::ElideMiddle, cell.width()));
        double lowX = std::numeric_limits<double>::infinity(), highX = -lowX, lowY = lowX, highY = -lowX;
        for (const Line& line : panel.lines) {
            for (const QPointF& p : line.points) {
                lowX = std::min(lowX, p.x());
                highX = std::max(highX, p.x());
                lowY = std::min(lowY, p.y());
                highY = std::max(highY, p.y());
            }
        }
        const QString top = highY >= lowY ? QString::number(highY, 'g', 3) : QString();
        const QString bottom = highY >= lowY ? QString::number(lowY, 'g', 3) : QString();
        const double labels = std::max(metrics.horizontalAdvance(top), metrics.horizontalAdvance(bottom)) + 4;
        const QRectF plot(cell.left() + labels, cell.top() + metrics.height() + 2, cell.width() - labels,
                          cell.height() - metrics.height() - 4);
        painter.setPen(frame);
        painter.drawRect(plot);
        if (!(highY >= lowY) || plot.width() < 4 || plot.height() < 4)
            continue;
        painter.setPen(ink);
        painter.drawText(QRectF(cell.left(), plot.top(), labels - 2, metrics.height()), Qt::AlignRight, top);
        painter.drawText(QRectF(cell.left(), plot.bottom() - metrics.height(), labels - 2, metrics.height()),
                         Qt::AlignRight, bottom);
        const double spanX = highX > lowX ? highX - lowX : 1, spanY = highY > lowY ? highY - lowY : 1;
        painter.save();
        painter.setClipRect(plot);
        for (const Line& line : panel.lines) {
            QPolygonF polyline;
            polyline.reserve(line.points.size());
            for (const QPointF& p : line.points)
                polyline.append(QPointF(plot.left() + (p.x() - lowX) / spanX * plot.width(),
                                        plot.bottom() - (p.y() - lowY) / spanY * plot.height()));
            painter.setPen(QPen(line.colour, 1.5));
            painter.drawPolyline(polyline);
        }
        painter.restore();
    }
}

} // namespace jikken
