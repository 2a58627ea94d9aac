#pragma once

#include "LogdirRuns.h"
#include "ViewerCache.h"
#include "ViewerRun.h"

#include <QHash>
#include <QSet>
#include <QStringList>

#include <map>
#include <memory>
#include <vector>

namespace jikken {

class RegistryClient;

/// Everything the plot viewer has open: TensorBoard logdirs (followed as they grow) and registry models,
/// each run also kept in the on-disk cache so it opens again with no network. Runs named by a model ID
/// get the registry's record (method, hyperparameters, memo) when the registry answers.
class RunLibrary
{
public:
    /// `registry` may be null (logdirs only); both must outlive the library.
    RunLibrary(ViewerCache* cache, RegistryClient* registry);
    ~RunLibrary();

    /// Opens a logdir (or one event file) or a model ID. A logdir that cannot be read now opens from
    /// the cache when it was read before; so does a model the registry cannot give now. False and one
    /// line in `error` when neither works.
    bool open(const QString& what, QString* error);

    /// Reads what every source gained since the last call; returns the keys of runs that changed.
    /// Problems that leave the rest readable (a corrupt file, a registry gone away) go to `warnings`.
    QStringList refresh(QStringList* warnings);

    /// Writes the runs read since the last call to the cache. Separate from reading so the first chart
    /// never waits on the disk: the app calls it once the chart is painted.
    void saveToCache(QStringList* warnings);

    ViewerCache& cache() const { return *m_cache; }

    /// Every run, in the order opened.
    const QStringList& keys() const { return m_order; }
    /// Every run's name (legends, colours), in the order opened.
    QStringList names() const;
    const ViewerRun* run(const QString& key) const;
    /// Every tag of every run, sorted.
    QStringList allTags() const;
    /// The key of the run named `name` (a model ID or a run folder); empty when none.
    QString keyForName(const QString& name) const;
    /// What could not be read of the open logdirs (a corrupt record, named by file and byte), each once:
    /// an export of data that skipped it says so, as `jikken events` does.
    const QStringList& readProblems() const { return m_readProblems; }
    /// Whether the run is shown from the cache because its source cannot be read now.
    bool isOffline(const QString& key) const { return m_offline.contains(key); }

private:
    struct Logdir;
    void keep(ViewerRun run, const QString& stamp, bool offline);
    bool pollLogdir(Logdir& logdir, QStringList* changed, QString* error);
    void takeChanged(const LogdirRuns& logdir, const QStringList& changed);
    bool loadModel(const QString& id, QString* error);
    bool readModel(const QString& id, const RunRecord& record, QString* error);
    static QString stampOf(const RunRecord& record);

    ViewerCache* m_cache;
    RegistryClient* m_registry;
    std::vector<std::unique_ptr<Logdir>> m_logdirs;
    QStringList m_models; ///< model IDs opened from the registry
    std::map<QString, ViewerRun> m_runs;
    QStringList m_order;
    QSet<QString> m_offline;
    QHash<QString, QString> m_stamps; ///< key -> what its source said when it was read
    QSet<QString> m_unsaved;          ///< keys read but not yet in the cache
    QStringList m_readProblems;
};

} // namespace jikken
