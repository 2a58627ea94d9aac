#include "MinMaxPyramid.h"

#include <cmath>

namespace jikken {

namespace {

constexpr int kBlockBits = 4; // the finest level's blocks: 16 values, so the levels cost n/8 entries in all
constexpr int kBlock = 1 << kBlockBits;

} // namespace

template <typename Value> MinMaxPyramid<Value>::MinMaxPyramid(const QVector<Value>& values) : m_values(values)
{
    QVector<Extremes> level(values.size() / kBlock);
    for (int j = 0; j < level.size(); ++j) {
        for (int i = j * kBlock; i < (j + 1) * kBlock; ++i)
            take(level[j], i);
    }
    while (level.size() > 1) {
        QVector<Extremes> up(level.size() / 2);
        for (int j = 0; j < up.size(); ++j) {
            for (const Extremes& child : {level[2 * j], level[2 * j + 1]}) {
                take(up[j], child.low);
                take(up[j], child.high);
            }
        }
        m_levels.append(std::move(level));
        level = std::move(up);
    }
    m_levels.append(std::move(level));
}

template <typename Value> void MinMaxPyramid<Value>::take(Extremes& into, int index) const
{
    if (index < 0 || std::isnan(m_values[index]))
        return;
    if (into.low < 0 || m_values[index] < m_values[into.low])
        into.low = index;
    if (into.high < 0 || m_values[index] > m_values[into.high])
        into.high = index;
}

template <typename Value>
typename MinMaxPyramid<Value>::Extremes MinMaxPyramid<Value>::extremes(qint64 begin, qint64 end) const
{
    Extremes result;
    // The loose values before the first whole block and after the last one, then whole blocks: at each
    // level take the odd block at either end and go up, as in a bottom-up segment tree.
    const qint64 aligned = std::min(end, (begin + kBlock - 1) & ~qint64(kBlock - 1));
    for (qint64 i = begin; i < aligned; ++i)
        take(result, static_cast<int>(i));
    if (aligned == end)
        return result;
    const qint64 tail = std::max(aligned, end & ~qint64(kBlock - 1));
    for (qint64 i = tail; i < end; ++i)
        take(result, static_cast<int>(i));
    qint64 low = aligned >> kBlockBits, high = tail >> kBlockBits;
    for (int k = 0; low < high && k < m_levels.size(); ++k, low >>= 1, high >>= 1) {
        const QVector<Extremes>& level = m_levels[k];
        if (low & 1) {
            take(result, level[low].low);
            take(result, level[low].high);
            ++low;
        }
        if (high & 1) {
            --high;
            take(result, level[high].low);
            take(result, level[high].high);
        }
    }
    return result;
}

template <typename Value> QVector<int> MinMaxPyramid<Value>::select(int first, int last, int buckets) const
{
    QVector<int> indices;
    first = std::max(first, 0);
    last = std::min(last, static_cast<int>(m_values.size()) - 1);
    if (first > last)
        return indices;
    const qint64 count = qint64(last) - first + 1;
    buckets = std::max(buckets, 1);
    if (count <= 2 * qint64(buckets)) {
        indices.reserve(static_cast<int>(count));
        for (int i = first; i <= last; ++i)
            indices.append(i);
        return indices;
    }
    indices.reserve(2 * buckets + 2);
    indices.append(first);
    for (qint64 b = 0; b < buckets; ++b) {
        const Extremes e = extremes(first + b * count / buckets, first + (b + 1) * count / buckets);
        const int a = std::min(e.low, e.high), z = std::max(e.low, e.high);
        for (int i : {a, z}) {
            if (i > indices.last())
                indices.append(i);
        }
    }
    if (indices.last() != last)
        indices.append(last);
    return indices;
}

template class MinMaxPyramid<double>;
template class MinMaxPyramid<float>;

} // namespace jikken
