#pragma once

#include <QVector>

namespace jikken {

/// The lowest and highest value of every block of a long column, at every scale (blocks of 16, 32, 64, …
/// values), so a chart can draw any stretch of a million points as min/max buckets by touching a few
/// thousand entries: a zoom redraws in well under a frame. Costs one int per value in all. NaN values
/// are skipped (they have no place on a plot). `Value`: double or float (a chart's drawn values).
template <typename Value> class MinMaxPyramid
{
public:
    MinMaxPyramid() = default;
    explicit MinMaxPyramid(const QVector<Value>& values);

    /// Ascending indices of the points that draw values [first, last] as `buckets` min/max buckets: each
    /// bucket's lowest and highest point, and `first` and `last` themselves. A stretch of no more than
    /// 2 × `buckets` points comes back whole.
    QVector<int> select(int first, int last, int buckets) const;

private:
    struct Extremes
    {
        int low = -1; ///< index of the lowest value, -1 when there is none (all NaN)
        int high = -1;
    };
    Extremes extremes(qint64 begin, qint64 end) const;
    void take(Extremes& into, int index) const;

    QVector<Value> m_values;
    QVector<QVector<Extremes>> m_levels; ///< m_levels[k][j]: values [j, j + 1) × 16 × 2^k
};

extern template class MinMaxPyramid<double>;
extern template class MinMaxPyramid<float>;

} // namespace jikken
