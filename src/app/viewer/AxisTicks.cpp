#include "AxisTicks.h"

#include <QDateTime>

#include <cmath>

namespace jikken::AxisTicks {

QVector<double> linear(double low, double high, int count)
{
    QVector<double> ticks;
    if (!(high > low) || !std::isfinite(low) || !std::isfinite(high))
        return ticks;
    const double rough = (high - low) / qMax(1, count);
    const double power = std::pow(10.0, std::floor(std::log10(rough)));
    double spacing = power;
    for (double factor : {1.0, 2.0, 5.0, 10.0}) {
        spacing = factor * power;
        if (spacing >= rough)
            break;
    }
    for (double t = std::ceil(low / spacing) * spacing; t <= high + spacing * 1e-9; t += spacing)
        ticks.append(std::abs(t) < spacing * 1e-9 ? 0.0 : t);
    return ticks;
}

QVector<double> logarithmic(double low, double high, int count)
{
    const double decades = high - low;
    QVector<double> ticks;
    if (decades < 1) { // within a decade: round values, placed on the log axis
        for (double value : linear(std::pow(10.0, low), std::pow(10.0, high), count))
            ticks.append(std::log10(value));
        return ticks;
    }
    const int step = qMax(1, static_cast<int>(std::ceil(decades / qMax(1, count))));
    for (int k = static_cast<int>(std::ceil(low)); k <= high; k += step) {
        ticks.append(k);
        if (decades <= 2) {
            for (double m : {2.0, 5.0}) {
                const double t = k + std::log10(m);
                if (t <= high)
                    ticks.append(t);
            }
        }
    }
    return ticks;
}

QString xLabel(XAxis axis, double x, double spacing)
{
    switch (axis) {
    case XAxis::Step: {
        const double a = std::abs(x);
        if (a >= 1e6 && spacing >= 1e5)
            return QString::number(x / 1e6, 'g', 4) + u'M';
        if (a >= 1e3 && spacing >= 100)
            return QString::number(x / 1e3, 'g', 4) + u'k';
        return QString::number(x, 'f', 0);
    }
    case XAxis::RelativeTime:
        return yLabel(x, spacing) + u'h';
    case XAxis::Epoch:
        return yLabel(x, spacing);
    case XAxis::WallTime:
        return QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(x))
            .toString(spacing >= 86400e3 ? QStringLiteral("MM-dd") : QStringLiteral("MM-dd hh:mm"));
    }
    return {};
}

QString yLabel(double value, double spacing)
{
    if (value == 0)
        return QStringLiteral("0");
    const double a = std::abs(value);
    if (a >= 1e5 || a < 1e-3)
        return QString::number(value, 'g', 3);
    const int decimals = spacing > 0 ? qBound(0, static_cast<int>(std::ceil(-std::log10(spacing) - 1e-9)), 8) : 3;
    return QString::number(value, 'f', decimals);
}

} // namespace jikken::AxisTicks
