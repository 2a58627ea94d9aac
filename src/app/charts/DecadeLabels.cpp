#include "DecadeLabels.h"

#include <QChart>
#include <QGraphicsTextItem>
#include <QLogValueAxis>
#include <QTextDocument>

#include <algorithm>
#include <cmath>

namespace jikken {

namespace {

constexpr double kMostDecades = 2;
constexpr double kLeastPixelsApart = 18; ///< between neighbouring labels, 2 and 5 included
constexpr double kPadding = 5;           ///< between a label and the plot, as QtCharts leaves

} // namespace

DecadeLabels::DecadeLabels(QChart* chart) : QGraphicsItem(chart), m_chart(chart)
{
    setAcceptedMouseButtons(Qt::NoButton);
}

void DecadeLabels::place(const QLogValueAxis* axis)
{
    qDeleteAll(m_labels);
    m_labels.clear();
    if (!axis || !axis->isVisible() || !axis->labelsVisible() || !(axis->min() > 0) || !(axis->max() > axis->min()))
        return;
    const double low = std::log10(axis->min()), high = std::log10(axis->max());
    const QRectF plot = m_chart->plotArea();
    // 1, 2, 5 per decade: three labels a decade, each a third of a decade's height or less apart.
    if (high - low > kMostDecades + 1e-6 || plot.height() / (high - low) * std::log10(2.5) < kLeastPixelsApart)
        return;
    for (double power = std::floor(low); power <= std::ceil(high); ++power) {
        for (double factor : {2.0, 5.0}) {
            const double value = factor * std::pow(10.0, power);
            const double at = std::log10(value);
            if (at < low || at > high)
                continue;
            auto* label = new QGraphicsTextItem(QString::asprintf("%g", value), this);
            label->document()->setDocumentMargin(0);
            label->setFont(axis->labelsFont());
            label->setDefaultTextColor(axis->labelsBrush().color());
            const QRectF size = label->boundingRect();
            const double y = plot.bottom() - (at - low) / (high - low) * plot.height();
            label->setPos(plot.left() - kPadding - size.width(), y - size.height() / 2);
            m_labels.append(label);
        }
    }
}

QList<double> DecadeLabels::values() const
{
    QList<double> values;
    for (const QGraphicsTextItem* label : m_labels)
        values.append(label->toPlainText().toDouble());
    std::sort(values.begin(), values.end());
    return values;
}

} // namespace jikken
