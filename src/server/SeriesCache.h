#pragma once

#include "registry/RunRecord.h"
#include "series/ScalarSeries.h"

#include <QHash>
#include <QString>

#include <functional>
#include <list>
#include <optional>

namespace jikken {

/// Scalar series the service has read from the database, kept in memory so that a chart asking for
/// 2,000 points of a million-point series is served in milliseconds. Writes through the service update the
/// cached series; the least recently used are dropped past a budget of bytes (points, names and the
/// bookkeeping of each entry). A series with no points (a tag the run does not have) is never cached: asking
/// for made-up tags costs nothing to keep.
class SeriesCache
{
public:
    using Loader = std::function<std::optional<ScalarSeries>(const QString& run, const QString& tag, QString* error)>;

    SeriesCache(Loader loader, qint64 maxBytes);

    /// The whole series, from memory or loaded once.
    const ScalarSeries* series(const QString& run, const QString& tag, QString* error);
    /// Applies newly stored points to the series that are cached (others load fresh when asked).
    void add(const QString& run, const QVector<TaggedSeries>& batch);
    qint64 bytes() const { return m_bytes; }
    int entries() const { return static_cast<int>(m_entries.size()); }

private:
    using Key = std::pair<QString, QString>;
    static qint64 cost(const Key& key, const ScalarSeries& series);
    void trim();

    Loader m_loader;
    qint64 m_maxBytes;
    qint64 m_bytes = 0;
    ScalarSeries m_empty;
    std::list<std::pair<Key, ScalarSeries>> m_entries; ///< most recently used first
    QHash<Key, std::list<std::pair<Key, ScalarSeries>>::iterator> m_index;
};

} // namespace jikken
