#include "RunLibrary.h"

#include "ids/ModelId.h"
#include "registry/RegistryClient.h"

#include <QFileInfo>

namespace jikken {

struct RunLibrary::Logdir
{
    explicit Logdir(const QString& path) : runs(path) {}
    LogdirRuns runs;
    bool reachable = true;
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

void RunLibrary::takeChanged(const LogdirRuns& logdir, const QStringList& changed)
{
    for (const QString& key : changed) {
        ViewerRun run = logdir.runs().at(key);
        const auto known = m_runs.find(key);
        if (known != m_runs.end() && known->second.record)
            run.record = known->second.record;
        else if (m_registry && ModelId::parse(run.name)) // a Jikken logdir: its record, when the registry has it
            run.record = m_registry->run(run.name, nullptr);
        keep(std::move(run), logdir.stamp(key), false);
    }
}

bool RunLibrary::open(const QString& what, QString* error)
{
    if (QFileInfo::exists(what)) {
        auto logdir = std::make_unique<Logdir>(what);
        QStringList changed;
        if (!pollLogdir(*logdir, &changed, error))
            return false;
        if (logdir->runs.runs().empty()) {
            *error = QStringLiteral("%1 holds no TensorBoard event files").arg(what);
            return false;
        }
        takeChanged(logdir->runs, changed);
        m_logdirs.push_back(std::move(logdir));
        return true;
    }
    if (ModelId::parse(what))
        return loadModel(what, error);
    // A logdir on a share that is not mounted in the meeting room: what was read of it before.
    const QString path = QFileInfo(what).absoluteFilePath();
    const QStringList cached = m_cache->keysFrom(path);
    if (cached.isEmpty()) {
        *error = QStringLiteral("%1 is neither a logdir, an event file nor a model ID").arg(what);
        return false;
    }
    for (const QString& key : cached) {
        QString stamp;
        auto run = m_cache->load(key, &stamp, error);
        if (!run)
            return false;
        keep(std::move(*run), stamp, true);
    }
    auto logdir = std::make_unique<Logdir>(what);
    logdir->reachable = false;
    m_logdirs.push_back(std::move(logdir));
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

bool RunLibrary::readModel(const QString& id, const RunRecord& record, QString* error)
{
    const QString stamp = stampOf(record);
    if (m_stamps.value(id) == stamp || (m_stamps.value(id).isEmpty() && m_cache->stamp(id) == stamp)) {
        // Unchanged since it was read (or cached): only the record may differ.
        std::optional<ViewerRun> run;
        if (const auto known = m_runs.find(id); known != m_runs.end())
            run = known->second;
        else
            run = m_cache->load(id, nullptr, error);
        if (run) {
            run->record = record;
            keep(std::move(*run), stamp, false);
            return true;
        }
    }
    ViewerRun run;
    run.key = run.name = id;
    run.source = m_registry->location();
    run.record = record;
    const QStringList tags = m_registry->tags(id, error);
    if (!error->isEmpty())
        return false;
    for (const QString& tag : tags) {
        auto series = m_registry->series(id, tag, error);
        if (!series)
            return false;
        run.scalars.insert(tag, std::move(*series));
    }
    keep(std::move(run), stamp, false);
    return true;
}

bool RunLibrary::loadModel(const QString& id, QString* error)
{
    QString why;
    if (m_registry) {
        const auto record = m_registry->run(id, &why);
        if (record && readModel(id, *record, &why)) {
            if (!m_models.contains(id))
                m_models << id;
            return true;
        }
    } else {
        why = QStringLiteral("no registry is set up");
    }
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

bool RunLibrary::pollLogdir(Logdir& logdir, QStringList* changed, QString* error)
{
    QStringList problems;
    const bool read = logdir.runs.poll(changed, &problems, error);
    for (const QString& problem : std::as_const(problems)) {
        if (!m_readProblems.contains(problem))
            m_readProblems << problem;
    }
    return read;
}

QStringList RunLibrary::refresh(QStringList* warnings)
{
    QStringList changed;
    for (auto& logdir : m_logdirs) {
        QStringList gained;
        QString error;
        const int known = m_readProblems.size();
        const bool reachable = pollLogdir(*logdir, &gained, &error);
        if (warnings)
            *warnings += m_readProblems.mid(known);
        if (reachable != logdir->reachable && !reachable && warnings)
            *warnings << error;
        logdir->reachable = reachable;
        if (!reachable)
            continue;
        // Runs shown from the cache while the logdir was away come back from the files.
        for (const auto& [key, run] : logdir->runs.runs()) {
            if (m_offline.contains(key) && !gained.contains(key))
                gained << key;
        }
        takeChanged(logdir->runs, gained);
        changed += gained;
    }
    for (const QString& id : std::as_const(m_models)) {
        if (!m_registry)
            break;
        QString error;
        const QString before = m_stamps.value(id);
        const bool wasOffline = m_offline.contains(id);
        const auto record = m_registry->run(id, &error);
        if (record && readModel(id, *record, &error)) {
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
    for (const QString& key : std::as_const(m_unsaved)) {
        QString error;
        if (!m_cache->store(m_runs.at(key), m_stamps.value(key), &error) && warnings)
            *warnings << error;
    }
    m_unsaved.clear();
}

} // namespace jikken
