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
    /// The series if it is in memory (now the most recently used), else null: nothing is loaded.
    const ScalarSeries* find(const QString& run, const QString& tag);
    /// Applies newly stored points to the series that are cached (others load fresh when asked).
    void add(const QString& run, const QVector<TaggedSeries>& batch);
    /// How many batches of `run` the cache has been told of.
    quint64 writes(const QString& run) const { return m_writes.value(run); }
    /// Keeps `series`, loaded away from the event loop when `writes(run)` was `writesThen` — unless a batch
    /// came since (the series would lack it) or the cache has it already.
    void adopt(const QString& run, const QString& tag, ScalarSeries series, quint64 writesThen);
    qint64 bytes() const { return m_bytes; }
    int entries() const { return static_cast<int>(m_entries.size()); }

private:
    using Key = std::pair<QString, QString>;
    static qint64 cost(const Key& key, const ScalarSeries& series);
    /// Holds `series` as the most recently used, then trims to the budget.
    void keep(const Key& key, ScalarSeries series);
    void trim();

    Loader m_loader;
    qint64 m_maxBytes;
    qint64 m_bytes = 0;
    ScalarSeries m_empty;
    std::list<std::pair<Key, ScalarSeries>> m_entries; ///< most recently used first
    QHash<Key, std::list<std::pair<Key, ScalarSeries>>::iterator> m_index;
    QHash<QString, quint64> m_writes; ///< by run
};

} // namespace jikken
