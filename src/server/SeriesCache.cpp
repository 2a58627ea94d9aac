#include "SeriesCache.h"

namespace jikken {

namespace {

// What an entry costs besides its points and names: list node, hash node, three QVector headers.
constexpr qint64 kEntryOverhead = 256;

} // namespace

SeriesCache::SeriesCache(Loader loader, qint64 maxBytes) : m_loader(std::move(loader)), m_maxBytes(maxBytes) {}

qint64 SeriesCache::cost(const Key& key, const ScalarSeries& series)
{
    const qint64 pointBytes = sizeof(qint64) + 2 * sizeof(double);
    return kEntryOverhead + (key.first.size() + key.second.size()) * qint64(sizeof(QChar)) +
           qint64(series.size()) * pointBytes;
}

const ScalarSeries* SeriesCache::find(const QString& run, const QString& tag)
{
    const auto found = m_index.constFind(Key{run, tag});
    if (found == m_index.constEnd())
        return nullptr;
    m_entries.splice(m_entries.begin(), m_entries, *found);
    return &m_entries.front().second;
}

const ScalarSeries* SeriesCache::series(const QString& run, const QString& tag, QString* error)
{
    if (const ScalarSeries* kept = find(run, tag))
        return kept;
    std::optional<ScalarSeries> loaded = m_loader(run, tag, error);
    if (!loaded)
        return nullptr;
    if (loaded->size() == 0)
        return &m_empty; // nothing worth keeping, and a made-up tag must not take memory
    keep(Key{run, tag}, std::move(*loaded));
    return &m_entries.front().second;
}

void SeriesCache::keep(const Key& key, ScalarSeries series)
{
    m_bytes += cost(key, series);
    m_entries.emplace_front(key, std::move(series));
    m_index.insert(key, m_entries.begin());
    trim();
}

void SeriesCache::adopt(const QString& run, const QString& tag, ScalarSeries series, quint64 writesThen)
{
    const Key key{run, tag};
    if (series.size() > 0 && writes(run) == writesThen && !m_index.contains(key))
        keep(key, std::move(series));
}

void SeriesCache::add(const QString& run, const QVector<TaggedSeries>& batch)
{
    ++m_writes[run];
    for (const TaggedSeries& tagged : batch) {
        const auto found = m_index.constFind(Key{run, tagged.tag});
        if (found == m_index.constEnd())
            continue;
        auto& [key, series] = **found;
        const qint64 before = cost(key, series);
        for (int i = 0; i < tagged.series.size(); ++i)
            series.upsert(tagged.series.steps[i], tagged.series.wallTimes[i], tagged.series.values[i]);
        m_bytes += cost(key, series) - before;
    }
    trim();
}

void SeriesCache::trim()
{
    // Keeps the most recent entry even when it alone is over budget: it is the one being read.
    while (m_bytes > m_maxBytes && m_entries.size() > 1) {
        m_bytes -= cost(m_entries.back().first, m_entries.back().second);
        m_index.remove(m_entries.back().first);
        m_entries.pop_back();
    }
}

} // namespace jikken
