#include "AxisTicks.h"

#include <cmath>

namespace jikken::AxisTicks {

namespace {

/// The round spacing (1, 2, 2.5 or 5 × 10^k) nearest above what `count` ticks over the span need.
double spacingFor(double low, double high, int count)
{
    const double rough = (high - low) / std::max(1, count);
    const double power = std::pow(10.0, std::floor(std::log10(rough)));
    for (double factor : {1.0, 2.0, 2.5, 5.0}) {
        if (factor * power >= rough * (1 - 1e-9))
            return factor * power;
    }
    return 10 * power;
}

bool usable(double low, double high)
{
    return high > low && std::isfinite(low) && std::isfinite(high) && std::isfinite(high - low);
}

} // namespace

QVector<double> linear(double low, double high, int count)
{
    QVector<double> ticks;
    if (!usable(low, high))
        return ticks;
    const double spacing = spacingFor(low, high, count);
    // Counted from an integer multiple, not added up: 0.1 + 0.1 + 0.1 is not 0.3.
    for (double k = std::ceil(low / spacing - 1e-9); k * spacing <= high + spacing * 1e-9; ++k) {
        const double t = k * spacing;
        ticks.append(std::abs(t) < spacing * 1e-9 ? 0.0 : t);
    }
    return ticks;
}

std::pair<double, double> roundOut(double low, double high, int count)
{
    if (!usable(low, high))
        return {low, high};
    const double spacing = spacingFor(low, high, count);
    return {std::floor(low / spacing + 1e-9) * spacing, std::ceil(high / spacing - 1e-9) * spacing};
}

std::pair<double, double> decadesAround(double low, double high)
{
    if (!(low > 0) || !(high >= low) || !std::isfinite(high))
        return {low, high};
    const double bottom = std::floor(std::log10(low) + 1e-9);
    const double top = std::max(bottom + 1, std::ceil(std::log10(high) - 1e-9));
    return {std::pow(10.0, bottom) * (1 - 1e-9), std::pow(10.0, top) * (1 + 1e-9)};
}

} // namespace jikken::AxisTicks
