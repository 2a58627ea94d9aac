#include "Downsampling.h"

#include <algorithm>
#include <cmath>

namespace jikken::Downsampling {

namespace {

QVector<int> everyIndex(int n)
{
    QVector<int> all(n);
    for (int i = 0; i < n; ++i)
        all[i] = i;
    return all;
}

// x is the step: the axis the curves are drawn against.
QVector<int> lttb(const ScalarSeries& s, int threshold)
{
    const int n = s.size();
    QVector<int> chosen;
    chosen.reserve(threshold);
    chosen.append(0);
    const double bucketSize = static_cast<double>(n - 2) / (threshold - 2);
    int a = 0;
    for (int bucket = 0; bucket < threshold - 2; ++bucket) {
        const int start = static_cast<int>(std::floor(bucket * bucketSize)) + 1;
        const int end = std::min(static_cast<int>(std::floor((bucket + 1) * bucketSize)) + 1, n - 1);
        // The next bucket's average is the third corner of the triangle.
        const int nextStart = end;
        const int nextEnd = std::min(static_cast<int>(std::floor((bucket + 2) * bucketSize)) + 1, n);
        double avgX = 0;
        double avgY = 0;
        for (int i = nextStart; i < nextEnd; ++i) {
            avgX += static_cast<double>(s.steps[i]);
            avgY += s.values[i];
        }
        const int count = std::max(1, nextEnd - nextStart);
        avgX /= count;
        avgY /= count;
        const double ax = static_cast<double>(s.steps[a]);
        const double ay = s.values[a];
        double bestArea = -1;
        int best = start;
        for (int i = start; i < end; ++i) {
            const double area =
                std::abs((ax - avgX) * (s.values[i] - ay) - (ax - static_cast<double>(s.steps[i])) * (avgY - ay));
            if (area > bestArea) {
                bestArea = area;
                best = i;
            }
        }
        chosen.append(best);
        a = best;
    }
    chosen.append(n - 1);
    return chosen;
}

QVector<int> minMax(const ScalarSeries& s, int maxPoints)
{
    const int n = s.size();
    const int buckets = std::max(1, (maxPoints - 2) / 2);
    QVector<int> chosen;
    chosen.reserve(maxPoints);
    chosen.append(0);
    const double bucketSize = static_cast<double>(n - 2) / buckets;
    for (int bucket = 0; bucket < buckets; ++bucket) {
        const int start = static_cast<int>(std::floor(bucket * bucketSize)) + 1;
        const int end = std::min(static_cast<int>(std::floor((bucket + 1) * bucketSize)) + 1, n - 1);
        if (start >= end)
            continue;
        int low = start;
        int high = start;
        for (int i = start + 1; i < end; ++i) {
            if (s.values[i] < s.values[low])
                low = i;
            if (s.values[i] > s.values[high])
                high = i;
        }
        chosen.append(std::min(low, high));
        if (low != high)
            chosen.append(std::max(low, high));
    }
    chosen.append(n - 1);
    return chosen;
}

// Puts each global extreme in place of the nearer of its chosen neighbours, so the count stays the same. The
// first and last point, and an extreme already placed, are never given up; then the extreme is added instead.
void keepExtremes(const ScalarSeries& s, QVector<int>& chosen)
{
    const auto [minIt, maxIt] = std::minmax_element(s.values.begin(), s.values.end());
    const int low = static_cast<int>(minIt - s.values.begin());
    const int high = static_cast<int>(maxIt - s.values.begin());
    for (const int extreme : {low, high}) {
        const auto at = std::lower_bound(chosen.begin(), chosen.end(), extreme);
        if (*at == extreme)
            continue; // the ends are always chosen, so `at` is never the end
        const auto before = at - 1;
        const auto mayGiveUp = [&](QVector<int>::iterator it) {
            return it != chosen.begin() && it != chosen.end() - 1 && *it != low && *it != high;
        };
        const bool beforeIsNearer = extreme - *before <= *at - extreme;
        if (mayGiveUp(beforeIsNearer ? before : at))
            *(beforeIsNearer ? before : at) = extreme;
        else if (mayGiveUp(beforeIsNearer ? at : before))
            *(beforeIsNearer ? at : before) = extreme;
        else
            chosen.insert(at, extreme);
    }
}

} // namespace

std::optional<Method> methodFromString(const QString& name)
{
    if (name == QLatin1String("lttb"))
        return Method::Lttb;
    if (name == QLatin1String("minmax"))
        return Method::MinMax;
    return std::nullopt;
}

QVector<int> select(const ScalarSeries& series, int maxPoints, Method method)
{
    const int n = series.size();
    maxPoints = std::max(maxPoints, method == Method::Lttb ? 3 : 4);
    if (n <= maxPoints)
        return everyIndex(n);
    QVector<int> chosen = method == Method::Lttb ? lttb(series, maxPoints) : minMax(series, maxPoints);
    keepExtremes(series, chosen);
    return chosen;
}

} // namespace jikken::Downsampling
