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
struct RunHistory;

/// Everything the plot viewer has open: TensorBoard logdirs (followed as they grow) and registry models,
/// each run also kept in the on-disk cache so it opens again with no network. Runs named by a model ID
/// get the registry's record (method, hyperparameters, memo) when the registry answers.
class RunLibrary
{
public:
    /// `registry` may be null: logdirs only, or models read elsewhere (`readModel` on another thread, then
    /// `takeModel`), as the viewer window does. Both must outlive the library.
    RunLibrary(ViewerCache* cache, RegistryClient* registry);
    ~RunLibrary();

    /// Opens a logdir (or one event file) or a model ID. A logdir that cannot be read now opens from
    /// the cache when it was read before; so does a model the registry cannot give now. False and one
    /// line in `error` when neither works.
    bool open(const QString& what, QString* error);

    /// Reads what every source gained since the last call; returns the keys of runs that changed.
    /// Problems that leave the rest readable (a corrupt file, a registry gone away) go to `warnings`.
    QStringList refresh(QStringList* warnings);

    /// A logdir open in the library: the reader that follows its files, read by `readLogdir` on any thread
    /// (one read at a time), what it read taken by `takeLogdir` on the library's.
    using Logdir = std::shared_ptr<LogdirRuns>;
    /// What one read of a logdir found.
    struct LogdirReading
    {
        bool readable = false;
        QString error;        ///< why it could not be read at all
        QStringList problems; ///< what could not be read of it (a corrupt record, by file and byte)
        std::vector<std::pair<ViewerRun, QString>> changed; ///< runs that gained or lost points, with stamps
        bool empty = true;                                  ///< it holds no run at all
    };
    /// Reads what `logdir`'s files gained (on any thread; touches nothing but `logdir`).
    static LogdirReading readLogdir(LogdirRuns& logdir);
    /// Opens `path` (a logdir or an event file that is there) to be read: nothing is read yet.
    Logdir follow(const QString& path);
    /// Takes what a read of `logdir` found: the keys of runs that changed go to `changed`, problems that leave
    /// the rest readable to `warnings`. False, with `error`, when it was the logdir's first read and it has
    /// nothing to show (unreadable, or no event files): the logdir is closed.
    bool takeLogdir(const Logdir& logdir, LogdirReading reading, QStringList* changed, QStringList* warnings,
                    QString* error);
    /// The logdirs open: what a refresh reads again.
    std::vector<Logdir> logdirs() const;

    /// What the cache holds of a logdir that cannot be read now (a share not mounted in the meeting room).
    struct CachedReading
    {
        QString path;                                    ///< the logdir, as it was opened
        std::vector<std::pair<ViewerRun, QString>> runs; ///< as cached, with the stamps they were cached with
        QString error; ///< nothing was cached from there, or a copy is damaged: then no run
    };
    /// Reads the cached copies of `path`'s runs (on any thread: a file per run, and every copy's header to
    /// find them).
    static CachedReading readCached(const ViewerCache& cache, const QString& path);
    /// Opens what `readCached` found, shown from the cache; the runs' keys go to `changed`. False, with
    /// `error`, when it found nothing to show.
    bool takeCached(CachedReading reading, QStringList* changed, QString* error);

    /// Writes the runs read since the last call to the cache. Separate from reading so the first chart
    /// never waits on the disk: the app calls it once the chart is painted.
    void saveToCache(QStringList* warnings);
    /// The runs read since the last call, with their stamps, for `store` on another thread (the window's
    /// saves do not wait on the disk either).
    using Unsaved = std::vector<std::pair<ViewerRun, QString>>;
    Unsaved takeUnsaved();
    /// Writes `runs` to `cache`; the problems go to `warnings`. Safe on any thread.
    static void store(ViewerCache& cache, const Unsaved& runs, QStringList* warnings);

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

    /// What is known of a model (read before, or cached): what `readModel` starts from.
    struct Known
    {
        QString stamp;                           ///< of the record the points were read with
        QHash<QString, QPair<qint64, int>> tags; ///< each tag's last step and count of points
    };
    /// What the registry holds of a model: its record, and its points unless they did not change.
    struct ModelReading
    {
        RunRecord record;
        std::optional<ViewerRun> run; ///< absent: the points are those known (the stamp matched)
        QHash<QString, int> tails;    ///< tags of `run` that hold only the points after the known, by count known
    };
    /// Reads model `id` from `registry` (on any thread): the record, and unless the record's stamp is the
    /// known one, each tag's points after those known (a running model's new points; every point of a
    /// tag not known, or whose count disagrees). A model never read is read whole (`history`: one request
    /// to a service). Nothing, with `error`, when the registry cannot give it.
    static std::optional<ModelReading> readModel(RegistryClient& registry, const QString& id, const Known& known,
                                                 QString* error);
    /// Whether `record` says its run has gained no points since it was read as `known` says.
    static bool isUnchanged(const RunRecord& record, const Known& known) { return stampOf(record) == known.stamp; }
    /// A model read whole with others (`RegistryClient::histories`) as `readModel` reads one never read.
    static ModelReading fromHistory(const RegistryClient& registry, RunHistory history);
    /// What is known of model `id`: what `readModel` is given.
    Known known(const QString& id) const;
    /// Adds model `id` to the library as `readModel` read it; false with `error` when the reading says the
    /// points are known and they cannot be loaded.
    bool takeModel(const QString& id, ModelReading reading, QString* error);
    /// Model `id` cannot be read now: it is shown from the cache if it was read before, else false with
    /// `error` (which names `why`).
    bool modelUnavailable(const QString& id, const QString& why, QString* error);
    /// The model IDs opened, in order: what a refresh reads again.
    const QStringList& models() const { return m_models; }
    /// Names of runs read from logdirs that are model IDs with no registry record yet: the records to ask
    /// for (`setRecord`) when the library has no registry of its own.
    QStringList modelNamesWithoutRecord() const;
    void setRecord(const QString& name, const RunRecord& record);

private:
    struct Followed;
    void keep(ViewerRun run, const QString& stamp, bool offline);
    bool loadModel(const QString& id, QString* error);
    static QString stampOf(const RunRecord& record);
    /// Model `id`'s record and every point, in one read (`RegistryClient::history`).
    static std::optional<ModelReading> readHistory(RegistryClient& registry, const QString& id, QString* error);

    ViewerCache* m_cache;
    RegistryClient* m_registry;
    std::vector<Followed> m_logdirs;
    QStringList m_models; ///< model IDs opened from the registry
    std::map<QString, ViewerRun> m_runs;
    QStringList m_order;
    QSet<QString> m_offline;
    QHash<QString, QString> m_stamps; ///< key -> what its source said when it was read
    QSet<QString> m_unsaved;          ///< keys read but not yet in the cache
    QStringList m_readProblems;
};

} // namespace jikken
