#include "AxisTicks.h"

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

} // namespace jikken::AxisTicks
