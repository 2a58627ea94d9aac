#include "ChartCurve.h"

#include "series/Smoothing.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace jikken {

namespace {

/// Whether x is a clock (which may go back: a machine's time set again), not a count of steps.
bool isTime(XAxis axis)
{
    return axis == XAxis::RelativeTime || axis == XAxis::WallTime;
}

} // namespace

ChartCurve::ChartCurve(ScalarSeries series, bool complete)
    : m_firstStep(series.steps.isEmpty() ? 0 : series.steps.first()), m_values(std::move(series.values)),
      m_firstWallTime(series.wallTimes.isEmpty() ? 0 : series.wallTimes.first()), m_complete(complete),
      m_timeAscends(std::is_sorted(series.wallTimes.cbegin(), series.wallTimes.cend()))
{
    // Steps ascend, so the last is the farthest from the first.
    if (series.steps.isEmpty() || series.steps.last() - m_firstStep <= std::numeric_limits<quint32>::max()) {
        m_stepOffsets.reserve(series.steps.size());
        for (qint64 step : std::as_const(series.steps))
            m_stepOffsets.append(static_cast<quint32>(step - m_firstStep));
    } else {
        m_wideSteps = std::move(series.steps);
    }
    m_wallOffsets.reserve(series.wallTimes.size());
    for (double time : std::as_const(series.wallTimes))
        m_wallOffsets.append(static_cast<float>(time - m_firstWallTime));
    findNonFiniteEnd(0);
    setSmoothing(0);
}

void ChartCurve::append(const ScalarSeries& tail)
{
    if (tail.size() == 0)
        return;
    if (isEmpty()) {
        const double weight = m_weight;
        *this = ChartCurve(tail, m_complete);
        setSmoothing(weight);
        return;
    }
    if (m_wideSteps.isEmpty() && tail.steps.last() - m_firstStep > std::numeric_limits<quint32>::max()) {
        for (quint32 offset : std::as_const(m_stepOffsets)) // past 2^32 steps from the first: wide from now on
            m_wideSteps.append(m_firstStep + offset);
        m_stepOffsets = {};
    }
    for (int i = 0; i < tail.size(); ++i) {
        if (m_wideSteps.isEmpty())
            m_stepOffsets.append(static_cast<quint32>(tail.steps[i] - m_firstStep));
        else
            m_wideSteps.append(tail.steps[i]);
        m_timeAscends = m_timeAscends && tail.wallTimes[i] >= wallTime(size() - 1);
        m_wallOffsets.append(static_cast<float>(tail.wallTimes[i] - m_firstWallTime));
        m_values.append(tail.values[i]);
    }
    findNonFiniteEnd(size() - tail.size());
    const double weight = std::exchange(m_weight, -1); // smoothed and placed again with the new points
    setSmoothing(weight);
}

void ChartCurve::findNonFiniteEnd(int from)
{
    int end = size();
    while (end > from && !std::isfinite(m_values[end - 1]))
        --end;
    if (end > from) // a finite value among the new ones: the curve ends non-finite only after the last
        m_nonFiniteFrom = end < size() ? end : -1;
    else if (m_nonFiniteFrom < 0 && from < size()) // every new value is non-finite, the one before was not
        m_nonFiniteFrom = from;
}

void ChartCurve::setSmoothing(double weight)
{
    if (weight == m_weight)
        return;
    m_weight = weight;
    m_smoothed.clear(); // freed before the next is made: two copies of a long curve need not coexist
    m_pyramid = {};
    const QVector<double> smoothed = isSmoothed() ? Smoothing::debiasedEma(m_values, weight) : m_values;
    m_smoothed.reserve(smoothed.size());
    for (double value : smoothed)
        m_smoothed.append(static_cast<float>(value));
    m_pyramid = MinMaxPyramid<float>(m_smoothed);
}

double ChartCurve::x(XAxis axis, int index) const
{
    switch (axis) {
    case XAxis::Step:
        return static_cast<double>(step(index));
    case XAxis::RelativeTime:
        return m_wallOffsets[index] / 3600.0;
    case XAxis::WallTime:
        return wallTime(index) * 1000.0;
    case XAxis::Epoch:
        return static_cast<double>(step(index)) / m_stepsPerEpoch;
    }
    return 0;
}

int ChartCurve::lowerBound(XAxis axis, double x) const
{
    const int count = size();
    if (isTime(axis) && !m_timeAscends)
        return x <= this->x(axis, 0) ? 0 : count;
    int low = 0, high = count;
    while (low < high) {
        const int middle = low + (high - low) / 2;
        if (this->x(axis, middle) < x)
            low = middle + 1;
        else
            high = middle;
    }
    return low;
}

QList<QPointF> ChartCurve::points(XAxis axis, double low, double high, int buckets, bool log,
                                  QList<QPointF>* measured) const
{
    QList<QPointF> result;
    if (isEmpty())
        return result;
    const bool unordered = isTime(axis) && !m_timeAscends;
    const int first = unordered ? 0 : std::max(0, lowerBound(axis, low) - 1);
    const int last = unordered ? size() - 1 : std::min(size() - 1, lowerBound(axis, high));
    const QVector<int> picked = m_pyramid.select(first, last, buckets);
    result.reserve(picked.size());
    const auto placeable = [log](double value) { return std::isfinite(value) && !(log && value <= 0); };
    for (int i : picked) {
        const double at = x(axis, i);
        if (placeable(m_smoothed[i]))
            result.append(QPointF(at, m_smoothed[i]));
        if (measured && placeable(m_values[i]))
            measured->append(QPointF(at, m_values[i]));
    }
    return result;
}

int ChartCurve::nearest(XAxis axis, double x) const
{
    if (isEmpty())
        return -1;
    const int above = std::min(lowerBound(axis, x), size() - 1);
    if (above > 0 && std::abs(this->x(axis, above - 1) - x) <= std::abs(this->x(axis, above) - x))
        return above - 1;
    return above;
}

} // namespace jikken
