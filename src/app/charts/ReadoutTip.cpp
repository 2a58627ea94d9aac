#include "ReadoutTip.h"

#include <algorithm>

namespace jikken {

ReadoutTip::ReadoutTip(QWidget* viewport) : QLabel(viewport)
{
    setTextFormat(Qt::RichText);
    setWordWrap(true);
    setAttribute(Qt::WA_TransparentForMouseEvents); // the pointer zooms and pans through it
    setAutoFillBackground(true);
    setFrameShape(QFrame::Box);
    setMargin(4);
    hide();
}

QString ReadoutTip::said(const Line& line)
{
    const QString value = QString::number(line.value, 'g', 6) +
                          (line.measured ? tr(" (measured %1)").arg(*line.measured, 0, 'g', 6) : QString());
    return line.ended ? tr("ended at %1: %2").arg(line.where, value) : tr("%1 at %2").arg(value, line.where);
}

QStringList ReadoutTip::plain(const QString& at, QVector<Line>& lines)
{
    std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
        return a.ended != b.ended ? !a.ended : a.value < b.value; // NaN compares false: kept where it was
    });
    QStringList text{at};
    for (const Line& line : lines)
        text << line.run + u' ' + said(line);
    return text;
}

void ReadoutTip::showAt(const QString& at, QVector<Line> lines, QPoint pixel)
{
    m_plain = plain(at, lines);
    QString html = QStringLiteral("<b>%1</b><table cellspacing=\"0\" cellpadding=\"1\">").arg(at.toHtmlEscaped());
    for (const Line& line : lines)
        html += QStringLiteral("<tr><td><span style=\"color:%1\">&#9632;</span> %2</td><td>&nbsp;%3</td></tr>")
                    .arg(line.colour.name(), line.run.toHtmlEscaped(), said(line).toHtmlEscaped());
    setText(html + QStringLiteral("</table>"));
    // As wide as the text wants, never wider than the chart; beside the pointer, inside the view.
    const QRect area = parentWidget()->rect();
    setMaximumWidth(std::max(80, area.width() - 8));
    adjustSize();
    QPoint place = pixel + QPoint(16, 16);
    if (place.x() + width() > area.right())
        place.setX(pixel.x() - 16 - width());
    if (place.y() + height() > area.bottom())
        place.setY(pixel.y() - 16 - height());
    place.setX(std::clamp(place.x(), area.left(), std::max(area.left(), area.right() - width())));
    place.setY(std::clamp(place.y(), area.top(), std::max(area.top(), area.bottom() - height())));
    move(place);
    show();
    raise();
}

} // namespace jikken
