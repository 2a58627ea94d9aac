// ChartPane's read-out: what the lines hold under the pointer, and which line the pointer is at.

#include "ChartPane.h"

#include <QComboBox>
#include <QDateTime>
#include <QLineSeries>

#include <cmath>

namespace jikken {

QString ChartPane::xLabel(double x) const
{
    switch (xAxis()) {
    case XAxis::Step:
        return tr("step %1").arg(std::llround(x));
    case XAxis::Epoch:
        return tr("epoch %1").arg(x, 0, 'f', 2);
    case XAxis::RelativeTime:
        return tr("%1 h").arg(x, 0, 'f', 2);
    case XAxis::WallTime:
        break;
    }
    return QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(x)).toString(QStringLiteral("yyyy-MM-dd hh:mm:ss"));
}

QVector<ReadoutTip::Line> ChartPane::readoutAt(double x, const QStringList& runs) const
{
    const XAxis axis = xAxis();
    QVector<ReadoutTip::Line> lines;
    for (const QString& id : runs) {
        const ChartCurve* shown = lineCurve(id);
        const int i = shown ? shown->nearest(axis, x) : -1;
        if (i < 0)
            continue;
        // The point's own place, exactly: its step, its epoch where the run says how long one is, its time.
        QStringList where{tr("step %1").arg(shown->step(i))};
        const RunRecord* run = m_recordOf ? m_recordOf(id) : nullptr;
        if (run && run->stepsPerEpoch())
            where << tr("epoch %1").arg(shown->x(XAxis::Epoch, i), 0, 'f', 2);
        where << QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(shown->wallTime(i) * 1000))
                     .toString(QStringLiteral("yyyy-MM-dd hh:mm:ss"));
        // Ended: the pointer is past the last point by more than the run's spacing between points.
        const int last = shown->size() - 1;
        const double spacing = last > 0 ? (shown->x(axis, last) - shown->x(axis, 0)) / last : 0;
        ReadoutTip::Line line{id,
                              colourOf(id),
                              shown->isSmoothed() ? shown->smoothed(i) : shown->value(i),
                              shown->isSmoothed() ? std::optional<double>(shown->value(i)) : std::nullopt,
                              where.join(QStringLiteral(", ")),
                              i == last && x > shown->x(axis, last) + spacing};
        lines.append(std::move(line));
    }
    return lines;
}

QString ChartPane::describeAll(double x) const
{
    QVector<ReadoutTip::Line> lines = readoutAt(x, m_lineKeys);
    return lines.isEmpty() ? QString() : ReadoutTip::plain(xLabel(x), lines).join(u'\n');
}

QString ChartPane::nearestRun(QPointF value) const
{
    const XAxis axis = xAxis();
    QString nearest;
    double nearestPixels = qInf();
    for (auto it = m_lines.cbegin(); it != m_lines.cend(); ++it) {
        const ChartCurve* shown = lineCurve(it.key());
        const int i = shown ? shown->nearest(axis, value.x()) : -1;
        if (i < 0)
            continue;
        // Apart on screen, as the eye sees the band (a log axis included): the drawn, smoothed value's place.
        const QPointF drawn(shown->x(axis, i), shown->isSmoothed() ? shown->smoothed(i) : shown->value(i));
        const double pixels =
            std::abs(m_chart->mapToPosition(drawn, it.value()).y() - m_chart->mapToPosition(value, it.value()).y());
        if (pixels < nearestPixels) {
            nearestPixels = pixels;
            nearest = it.key();
        }
    }
    return nearest;
}

} // namespace jikken
