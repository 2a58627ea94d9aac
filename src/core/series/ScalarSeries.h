#pragma once

#include <QVector>

#include <QtGlobal>

namespace jikken {

/// One tag's points in step order, as columns: compact for a million points and quick to scan.
struct ScalarSeries
{
    QVector<qint64> steps;
    QVector<double> wallTimes;
    QVector<double> values;

    int size() const { return static_cast<int>(steps.size()); }
    bool isEmpty() const { return steps.isEmpty(); }
    void reserve(int n)
    {
        steps.reserve(n);
        wallTimes.reserve(n);
        values.reserve(n);
    }
    void append(qint64 step, double wallTime, double value)
    {
        steps.append(step);
        wallTimes.append(wallTime);
        values.append(value);
    }
    /// Adds or replaces the point at `step`, keeping step order (a replayed point replaces, as in the registry).
    void upsert(qint64 step, double wallTime, double value);
    /// The points at these indices, in order.
    ScalarSeries pick(const QVector<int>& indices) const;
};

} // namespace jikken
