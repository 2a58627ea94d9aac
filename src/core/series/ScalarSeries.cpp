#include "ScalarSeries.h"

#include <algorithm>

namespace jikken {

void ScalarSeries::upsert(qint64 step, double wallTime, double value)
{
    // Training appends in step order, so the common case is the end.
    if (steps.isEmpty() || steps.last() < step) {
        append(step, wallTime, value);
        return;
    }
    const auto at = std::lower_bound(steps.begin(), steps.end(), step);
    const auto index = static_cast<int>(at - steps.begin());
    if (at != steps.end() && *at == step) {
        wallTimes[index] = wallTime;
        values[index] = value;
        return;
    }
    steps.insert(index, step);
    wallTimes.insert(index, wallTime);
    values.insert(index, value);
}

ScalarSeries ScalarSeries::pick(const QVector<int>& indices) const
{
    ScalarSeries result;
    result.reserve(static_cast<int>(indices.size()));
    for (int i : indices)
        result.append(steps[i], wallTimes[i], values[i]);
    return result;
}

ScalarSeries ScalarSeries::after(qint64 step) const
{
    const auto first = static_cast<int>(std::upper_bound(steps.cbegin(), steps.cend(), step) - steps.cbegin());
    ScalarSeries result;
    result.reserve(size() - first);
    for (int i = first; i < size(); ++i)
        result.append(steps[i], wallTimes[i], values[i]);
    return result;
}

bool ScalarSeries::isOrdered() const
{
    return std::adjacent_find(steps.begin(), steps.end(), [](qint64 a, qint64 b) { return a >= b; }) == steps.end();
}

ScalarSeries ScalarSeries::ordered() const
{
    ScalarSeries result;
    result.reserve(size());
    for (int i = 0; i < size(); ++i)
        result.upsert(steps[i], wallTimes[i], values[i]);
    return result;
}

} // namespace jikken
