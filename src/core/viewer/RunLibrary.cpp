#include "RunLibrary.h"

#include "ids/ModelId.h"
#include "registry/RegistryClient.h"

#include <QFileInfo>

#include <algorithm>

namespace jikken {

struct RunLibrary::Followed
{
    Logdir runs;
    bool reachable = true;
    bool shown = false; ///< it had something to show: a first read, or its runs from the cache
};

RunLibrary::RunLibrary(ViewerCache* cache, RegistryClient* registry) : m_cache(cache), m_registry(registry) {}

RunLibrary::~RunLibrary() = default;

const ViewerRun* RunLibrary::run(const QString& key) const
{
    const auto it = m_runs.find(key);
    return it == m_runs.end() ? nullptr : &it->second;
}

QStringList RunLibrary::allTags() const
{
    QSet<QString> tags;
    for (const auto& [key, run] : m_runs) {
        for (auto it = run.scalars.cbegin(); it != run.scalars.cend(); ++it)
            tags.insert(it.key());
    }
    QStringList sorted(tags.cbegin(), tags.cend());
    sorted.sort();
    return sorted;
}

QString RunLibrary::keyForName(const QString& name) const
{
    for (const QString& key : m_order) {
        if (m_runs.at(key).name == name)
            return key;
    }
    return {};
}

void RunLibrary::keep(ViewerRun run, const QString& stamp, bool offline)
{
    const QString key = run.key;
    if (!m_runs.count(key))
        m_order << key;
    if (!offline && m_stamps.value(key) != stamp)
        m_unsaved.insert(key);
    m_runs[key] = std::move(run);
    m_stamps.insert(key, stamp);
    if (offline)
        m_offline.insert(key);
    else
        m_offline.remove(key);
}

bool RunLibrary::open(const QString& what, QString* error)
{
    if (QFileInfo::exists(what)) {
        const Logdir logdir = follow(what);
        return takeLogdir(logdir, readLogdir(*logdir), nullptr, nullptr, error);
    }
    if (ModelId::parse(what))
        return loadModel(what, error);
    // A logdir on a share that is not mounted in the meeting room: what was read of it before.
    return takeCached(readCached(*m_cache, what), nullptr, error);
}

RunLibrary::CachedReading RunLibrary::readCached(const ViewerCache& cache, const QString& path)
{
    CachedReading reading{path, {}, {}};
    const QStringList cached = cache.keysFrom(QFileInfo(path).absoluteFilePath());
    if (cached.isEmpty())
        reading.error = QStringLiteral("%1 is neither a logdir, an event file nor a model ID").arg(path);
    for (const QString& key : cached) {
        QString stamp;
        auto run = cache.load(key, &stamp, &reading.error);
        if (!run) {
            if (reading.error.isEmpty())
                reading.error = QStringLiteral("the cached copy of %1 was removed while it was read").arg(key);
            reading.runs.clear(); // never half a logdir
            break;
        }
        reading.runs.emplace_back(std::move(*run), stamp);
    }
    return reading;
}

bool RunLibrary::takeCached(CachedReading reading, QStringList* changed, QString* error)
{
    if (!reading.error.isEmpty()) {
        *error = reading.error;
        return false;
    }
    for (auto& [run, stamp] : reading.runs) {
        if (changed)
            *changed << run.key;
        keep(std::move(run), stamp, true);
    }
    m_logdirs.push_back({std::make_shared<LogdirRuns>(reading.path), false, true}); // away; shown from the cache
    return true;
}

RunLibrary::Logdir RunLibrary::follow(const QString& path)
{
    m_logdirs.push_back({std::make_shared<LogdirRuns>(path), true, false});
    return m_logdirs.back().runs;
}

std::vector<RunLibrary::Logdir> RunLibrary::logdirs() const
{
    std::vector<Logdir> logdirs;
    for (const Followed& followed : m_logdirs)
        logdirs.push_back(followed.runs);
    return logdirs;
}

RunLibrary::LogdirReading RunLibrary::readLogdir(LogdirRuns& logdir)
{
    LogdirReading reading;
    QStringList changed;
    reading.readable = logdir.poll(&changed, &reading.problems, &reading.error);
    for (const QString& key : std::as_const(changed))
        reading.changed.emplace_back(logdir.runs().at(key), logdir.stamp(key)); // the columns are shared
    reading.empty = logdir.runs().empty();
    return reading;
}

bool RunLibrary::takeLogdir(const Logdir& logdir, LogdirReading reading, QStringList* changed, QStringList* warnings,
                            QString* error)
{
    const auto followed = std::find_if(m_logdirs.begin(), m_logdirs.end(),
                                       [&logdir](const Followed& followed) { return followed.runs == logdir; });
    if (followed == m_logdirs.end())
        return true; // closed while it was read
    for (const QString& problem : std::as_const(reading.problems)) {
        if (m_readProblems.contains(problem))
            continue;
        m_readProblems << problem;
        if (warnings)
            *warnings << problem;
    }
    if (!followed->shown && (!reading.readable || reading.empty)) {
        *error = reading.readable ? QStringLiteral("%1 holds no TensorBoard event files").arg(logdir->logDir())
                                  : reading.error;
        m_logdirs.erase(followed);
        return false;
    }
    followed->shown = true;
    if (followed->reachable && !reading.readable && warnings)
        *warnings << reading.error;
    followed->reachable = reading.readable;
    // Runs shown from the cache while the logdir was away are among those changed: its reader's first read
    // finds every run.
    for (auto& [run, stamp] : reading.changed) {
        const auto known = m_runs.find(run.key);
        if (known != m_runs.end() && known->second.record)
            run.record = known->second.record;
        else if (m_registry && ModelId::parse(run.name)) // a Jikken logdir: its record, when the registry has it
            run.record = m_registry->run(run.name, nullptr);
        if (changed)
            *changed << run.key;
        keep(std::move(run), stamp, false);
    }
    return true;
}

QString RunLibrary::stampOf(const RunRecord& record)
{
    // What moves when a run gains points; a memo edit does not make the scalars read again.
    return QStringLiteral("%1 %2 %3 %4 %5")
        .arg(toString(record.status))
        .arg(record.step)
        .arg(record.epoch)
        .arg(record.heartbeat.toMSecsSinceEpoch())
        .arg(record.finished.toMSecsSinceEpoch());
}

namespace {

/// Model `id` of `registry` as a viewer run, its record and points still to come.
ViewerRun modelRun(const RegistryClient& registry, const QString& id)
{
    ViewerRun run;
    run.key = run.name = id;
    run.source = registry.location();
    return run;
}

} // namespace

std::optional<RunLibrary::ModelReading> RunLibrary::readHistory(RegistryClient& registry, const QString& id,
                                                                QString* error)
{
    auto history = registry.history(id, error);
    if (!history)
        return std::nullopt;
    return fromHistory(registry, std::move(*history));
}

RunLibrary::ModelReading RunLibrary::fromHistory(const RegistryClient& registry, RunHistory history)
{
    ViewerRun run = modelRun(registry, history.record.id);
    run.record = history.record;
    for (auto it = history.scalars.begin(); it != history.scalars.end(); ++it)
        run.scalars.insert(it.key(), std::move(it.value()));
    return ModelReading{std::move(history.record), std::move(run), {}};
}

std::optional<RunLibrary::ModelReading> RunLibrary::readModel(RegistryClient& registry, const QString& id,
                                                              const Known& known, QString* error)
{
    if (known.stamp.isEmpty())
        return readHistory(registry, id, error); // never read: no record to tell that nothing changed
    auto record = registry.run(id, error);
    if (!record)
        return std::nullopt;
    ModelReading reading{std::move(*record), std::nullopt, {}};
    if (isUnchanged(reading.record, known))
        return reading; // unchanged since it was read (or cached): only the record may differ
    if (known.tags.isEmpty())
        return readHistory(registry, id, error); // cached in an earlier session and changed since
    ViewerRun run = modelRun(registry, id);
    run.record = reading.record;
    const auto tags = registry.tags(id, error);
    if (!tags)
        return std::nullopt;
    QStringList whole; // the tags read whole, together
    for (const QString& tag : *tags) {
        if (const auto had = known.tags.constFind(tag); had != known.tags.constEnd() && had->second > 0) {
            int total = 0;
            auto tail = registry.seriesAfter(id, tag, had->first, &total, error);
            if (!tail)
                return std::nullopt;
            if (total == had->second + tail->size()) {
                reading.tails.insert(tag, had->second);
                run.scalars.insert(tag, std::move(*tail));
                continue;
            } // else steps were logged again (a resumed run): every point
        }
        whole << tag;
    }
    if (!whole.isEmpty()) {
        auto read = registry.seriesOfTags(id, whole, error);
        if (!read)
            return std::nullopt;
        for (auto it = read->begin(); it != read->end(); ++it)
            run.scalars.insert(it.key(), std::move(it.value()));
    }
    reading.run = std::move(run);
    return reading;
}

RunLibrary::Known RunLibrary::known(const QString& id) const
{
    Known known{m_stamps.value(id), {}};
    if (known.stamp.isEmpty())
        known.stamp = m_cache->stamp(id);
    if (const auto it = m_runs.find(id); it != m_runs.end() && !m_offline.contains(id)) {
        for (auto tag = it->second.scalars.cbegin(); tag != it->second.scalars.cend(); ++tag) {
            if (tag->size() > 0)
                known.tags.insert(tag.key(), {tag->steps.last(), tag->size()});
        }
    }
    return known;
}

bool RunLibrary::takeModel(const QString& id, ModelReading reading, QString* error)
{
    const QString stamp = stampOf(reading.record);
    std::optional<ViewerRun> run = std::move(reading.run);
    if (run && !reading.tails.isEmpty()) {
        // New points after those held: onto the run as held now, if it still holds what they follow.
        const auto held = m_runs.find(id);
        for (auto tail = reading.tails.cbegin(); tail != reading.tails.cend(); ++tail) {
            if (held == m_runs.end() || held->second.scalars.value(tail.key()).size() != tail.value()) {
                m_stamps.remove(id); // moved meanwhile: the next refresh reads it again
                return true;
            }
        }
        for (auto tail = reading.tails.cbegin(); tail != reading.tails.cend(); ++tail) {
            ScalarSeries whole = held->second.scalars.value(tail.key());
            const ScalarSeries& added = run->scalars[tail.key()];
            for (int i = 0; i < added.size(); ++i)
                whole.append(added.steps[i], added.wallTimes[i], added.values[i]);
            run->scalars.insert(tail.key(), std::move(whole));
        }
    }
    if (!run) {
        if (const auto known = m_runs.find(id); known != m_runs.end())
            run = known->second;
        else
            run = m_cache->load(id, nullptr, error);
        if (!run)
            return false;
        run->record = std::move(reading.record);
    }
    keep(std::move(*run), stamp, false);
    if (!m_models.contains(id))
        m_models << id;
    return true;
}

bool RunLibrary::modelUnavailable(const QString& id, const QString& why, QString* error)
{
    if (m_runs.count(id) && !m_offline.contains(id))
        return true; // read before in this session: it stays as it was
    QString stamp, damaged;
    auto cached = m_cache->load(id, &stamp, &damaged);
    if (!cached) {
        *error = damaged.isEmpty() ? QStringLiteral("%1: %2, and it was never opened before").arg(id, why) : damaged;
        return false;
    }
    keep(std::move(*cached), stamp, true);
    if (!m_models.contains(id))
        m_models << id;
    return true;
}

bool RunLibrary::loadModel(const QString& id, QString* error)
{
    QString why = QStringLiteral("no registry is set up");
    if (m_registry) {
        why.clear();
        if (auto reading = readModel(*m_registry, id, known(id), &why);
            reading && takeModel(id, std::move(*reading), &why))
            return true;
    }
    return modelUnavailable(id, why, error);
}

QStringList RunLibrary::modelNamesWithoutRecord() const
{
    QStringList names;
    for (const auto& [key, run] : m_runs) {
        if (!run.record && !m_models.contains(key) && ModelId::parse(run.name))
            names << run.name;
    }
    return names;
}

void RunLibrary::setRecord(const QString& name, const RunRecord& record)
{
    for (auto& [key, run] : m_runs) {
        if (run.name == name)
            run.record = record;
    }
}

QStringList RunLibrary::refresh(QStringList* warnings)
{
    QStringList changed;
    for (const Logdir& logdir : logdirs()) {
        QString error; // every logdir here has been shown: it stays open
        takeLogdir(logdir, readLogdir(*logdir), &changed, warnings, &error);
    }
    for (const QString& id : std::as_const(m_models)) {
        if (!m_registry)
            break; // read by the owner, on a thread of its own
        QString error;
        const QString before = m_stamps.value(id);
        const bool wasOffline = m_offline.contains(id);
        auto reading = readModel(*m_registry, id, known(id), &error);
        if (reading && takeModel(id, std::move(*reading), &error)) {
            if (m_stamps.value(id) != before || wasOffline)
                changed << id;
        } else if (warnings) {
            *warnings << QStringLiteral("%1: %2").arg(id, error);
        }
    }
    return changed;
}

QStringList RunLibrary::names() const
{
    QStringList names;
    for (const QString& key : m_order)
        names << m_runs.at(key).name;
    return names;
}

void RunLibrary::saveToCache(QStringList* warnings)
{
    store(*m_cache, takeUnsaved(), warnings);
}

RunLibrary::Unsaved RunLibrary::takeUnsaved()
{
    Unsaved runs;
    for (const QString& key : std::as_const(m_unsaved))
        runs.emplace_back(m_runs.at(key), m_stamps.value(key)); // the columns are shared, not copied
    m_unsaved.clear();
    return runs;
}

void RunLibrary::store(ViewerCache& cache, const Unsaved& runs, QStringList* warnings)
{
    for (const auto& [run, stamp] : runs) {
        QString error;
        if (!cache.store(run, stamp, &error) && warnings)
            *warnings << error;
    }
}

} // namespace jikken
