#include "CurveLegend.h"

#include <QFontInfo>
#include <QFontMetricsF>
#include <QPainter>

#include <algorithm>

namespace jikken {

CurveLegend::CurveLegend(QGraphicsItem* parent) : QGraphicsItem(parent) {}

void CurveLegend::setEntries(QVector<Entry> entries)
{
    m_entries = std::move(entries);
    m_placed.clear();
    update();
}

void CurveLegend::setDark(bool dark)
{
    if (std::exchange(m_dark, dark) != dark)
        update();
}

double CurveLegend::layOut(double width)
{
    prepareGeometryChange();
    m_placed.clear();
    m_rows = 0;
    m_size = QSizeF();
    if (m_entries.isEmpty())
        return 0;
    const QFontMetricsF metrics(m_font);
    const double line = metrics.height(), swatch = line * 0.8, gap = line, rowHeight = line * 1.3;
    double x = 0, y = 0;
    bool dashes = false;
    m_rows = 1;
    for (const Entry& entry : std::as_const(m_entries)) {
        const bool dash = entry.dash != Qt::NoPen;
        const double mark = dash ? 2 * swatch : swatch;
        const double advance = mark + line * 0.3 + metrics.horizontalAdvance(entry.text);
        if (x > 0 && (x + advance > width || dash != dashes)) { // the tags' dashes get rows of their own
            x = 0;
            y += rowHeight;
            ++m_rows;
        }
        dashes = dash;
        m_placed.append({dash ? QRectF(x, y + line / 2, mark, 0) : QRectF(x, y + (line - swatch) / 2, mark, mark),
                         QPointF(x + mark + line * 0.3, y + metrics.ascent())});
        x += advance + gap;
    }
    m_size = QSizeF(width, y + line);
    return m_size.height();
}

void CurveLegend::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*)
{
    draw(*painter);
}

void CurveLegend::draw(QPainter& painter) const
{
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setFont(m_font);
    const QColor text = m_dark ? QColor(0xdd, 0xdd, 0xdd) : QColor(0x22, 0x22, 0x22);
    const double dashWidth = 1.5 * std::max(1.0, QFontInfo(m_font).pixelSize() / 12.0); // as wide as a line
    for (qsizetype i = 0; i < m_placed.size() && i < m_entries.size(); ++i) {
        const Entry& entry = m_entries[i];
        const Placed& placed = m_placed[i];
        if (entry.dash == Qt::NoPen) {
            painter.fillRect(placed.swatch, entry.colour);
        } else {
            painter.setPen(QPen(m_dark ? Qt::lightGray : Qt::darkGray, dashWidth, entry.dash));
            painter.drawLine(placed.swatch.topLeft(), placed.swatch.topRight());
        }
        painter.setPen(text);
        painter.drawText(placed.textAt, entry.text);
    }
    painter.restore();
}

} // namespace jikken
