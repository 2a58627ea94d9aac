#include "OutlierRange.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace jikken::OutlierRange {

std::optional<Clipped> highWithoutSpike(const QHash<QString, QList<QPointF>>& lines)
{
    if (lines.size() < 2)
        return std::nullopt;
    // The run that reaches highest, and every other run's points.
    QString top;
    double reaches = -std::numeric_limits<double>::infinity();
    for (auto it = lines.cbegin(); it != lines.cend(); ++it) {
        for (const QPointF& p : it.value()) {
            if (std::isfinite(p.y()) && p.y() > reaches) {
                reaches = p.y();
                top = it.key();
            }
        }
    }
    std::vector<double> others;
    for (auto it = lines.cbegin(); it != lines.cend(); ++it) {
        if (it.key() == top)
            continue;
        for (const QPointF& p : it.value()) {
            if (std::isfinite(p.y()))
                others.push_back(p.y());
        }
    }
    if (others.empty())
        return std::nullopt;
    const auto at = others.begin() + static_cast<std::ptrdiff_t>(std::floor(0.999 * (others.size() - 1)));
    std::nth_element(others.begin(), at, others.end());
    const double threshold = 10 * *at;
    if (!(*at > 0) || !(reaches > threshold))
        return std::nullopt;
    // As high as the other runs reach: the spiking run's own curve is clipped there, its smoothed tail too.
    return Clipped{*std::max_element(others.begin(), others.end()), top, reaches};
}

} // namespace jikken::OutlierRange
