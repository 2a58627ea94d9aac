#include "SeriesCache.h"

namespace jikken {

SeriesCache::SeriesCache(Loader loader, qint64 maxPoints) : m_loader(std::move(loader)), m_maxPoints(maxPoints) {}

const ScalarSeries* SeriesCache::series(const QString& run, const QString& tag, QString* error)
{
    const Key key{run, tag};
    const auto found = m_index.constFind(key);
    if (found != m_index.constEnd()) {
        m_entries.splice(m_entries.begin(), m_entries, *found);
        return &m_entries.front().second;
    }
    std::optional<ScalarSeries> loaded = m_loader(run, tag, error);
    if (!loaded)
        return nullptr;
    m_points += loaded->size();
    m_entries.emplace_front(key, std::move(*loaded));
    m_index.insert(key, m_entries.begin());
    trim();
    return &m_entries.front().second;
}

void SeriesCache::add(const QString& run, const QVector<TaggedSeries>& batch)
{
    for (const TaggedSeries& tagged : batch) {
        const auto found = m_index.constFind(Key{run, tagged.tag});
        if (found == m_index.constEnd())
            continue;
        ScalarSeries& series = (*found)->second;
        const int before = series.size();
        for (int i = 0; i < tagged.series.size(); ++i)
            series.upsert(tagged.series.steps[i], tagged.series.wallTimes[i], tagged.series.values[i]);
        m_points += series.size() - before;
    }
    trim();
}

void SeriesCache::trim()
{
    // Keeps the most recent entry even when it alone is over budget: it is the one being read.
    while (m_points > m_maxPoints && m_entries.size() > 1) {
        m_points -= m_entries.back().second.size();
        m_index.remove(m_entries.back().first);
        m_entries.pop_back();
    }
}

} // namespace jikken
