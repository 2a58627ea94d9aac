#pragma once

#include <QString>
#include <QVector>

#include <QtGlobal>

namespace jikken {

/// One tag's points in step order, as columns: compact for a million points and quick to scan.
struct ScalarSeries
{
    QVector<qint64> steps;
    QVector<double> wallTimes;
    QVector<double> values;

    struct Point
    {
        qint64 step;
        double wallTime;
        double value;
    };

    int size() const { return static_cast<int>(steps.size()); }
    Point at(int index) const { return {steps[index], wallTimes[index], values[index]}; }
    Point last() const { return at(size() - 1); }
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
    /// The points at steps after `step` (steps ascending): a growing series' new points.
    ScalarSeries after(qint64 step) const;
    /// Whether steps ascend strictly (no step twice), as the registry stores them.
    bool isOrdered() const;
    /// The same points with steps ascending and distinct; of points at the same step the last one wins.
    ScalarSeries ordered() const;
};

/// A series with its tag: what one batch of scalars brings for one tag.
struct TaggedSeries
{
    QString tag;
    ScalarSeries series;
};

} // namespace jikken
