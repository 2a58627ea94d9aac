// ViewerWindow: reading its runs (logdirs, the cache, the registry's models) off the window's thread, and
// showing what was read.

#include "ViewerWindow.h"

#include "FigureWidget.h"
#include "ViewerReading.h"
#include "registry/RegistryReader.h"

#include <QStatusBar>
#include <QTimer>
#include <QTreeWidget>

namespace jikken {

using namespace viewerReading;

void ViewerWindow::refresh()
{
    for (const RunLibrary::Logdir& logdir : m_library.logdirs())
        readLogdir(logdir);
    if (!m_modelsFollowed)
        readModels(m_library.models()); // what changed of them arrives later
}

void ViewerWindow::readLogdir(const RunLibrary::Logdir& logdir)
{
    if (m_logdirsReading.contains(logdir.get()))
        return; // a slow share: the next poll starts after this one
    m_logdirsReading.insert(logdir.get());
    // A logdir of a hundred runs is a second of reading and CRCs, and its curves a fifth.
    readOffThread(
        this, m_shownCurves, [logdir] { return RunLibrary::readLogdir(*logdir); }, &RunLibrary::LogdirReading::changed,
        [this, logdir](RunLibrary::LogdirReading reading, const CurvesByRun& curves) {
            m_logdirsReading.remove(logdir.get());
            QStringList changed, warnings;
            QString error;
            if (!m_library.takeLogdir(logdir, std::move(reading), &changed, &warnings, &error))
                warnings << error;
            showWarnings(warnings);
            runsRead(changed, curves);
        });
}

void ViewerWindow::readCached(const QString& logdir)
{
    // A copy per run, and every copy's header read to find them: a hundred runs are a second or more. The
    // read takes a copy of the cache (a folder's name): it may outlive the window, and the cache it was given.
    ++m_cachedReads;
    readOffThread(
        this, m_shownCurves, [cache = m_library.cache(), logdir] { return RunLibrary::readCached(cache, logdir); },
        &RunLibrary::CachedReading::runs,
        [this](RunLibrary::CachedReading reading, const CurvesByRun& curves) {
            --m_cachedReads;
            QStringList changed;
            QString error;
            if (!m_library.takeCached(std::move(reading), &changed, &error))
                showWarnings({error});
            runsRead(changed, curves);
        });
}

void ViewerWindow::runsRead(const QStringList& changed, const CurvesByRun& curves)
{
    if (changed.isEmpty())
        return;
    for (const QString& key : changed) {
        m_curves.forget(key);
        m_curves.take(key, curves.value(key));
    }
    readRecords();
    applyChanges(); // at once: a logdir's runs arrive together
}

bool ViewerWindow::showRun(const QString& idOrName, QString* error)
{
    if (const QString key = m_library.keyForName(idOrName); !key.isEmpty()) {
        check(key);
        return true;
    }
    // Not open yet: opened as any source is (a model or a logdir read off the window's thread), and checked
    // once it is there.
    const QStringList problems = open({idOrName});
    if (!problems.isEmpty()) {
        *error = problems.first();
        return false;
    }
    m_checkWhenRead = idOrName;
    checkWhenRead();
    return true;
}

void ViewerWindow::checkWhenRead()
{
    const QString key = m_checkWhenRead.isEmpty() ? QString() : m_library.keyForName(m_checkWhenRead);
    if (key.isEmpty())
        return;
    check(key);
    m_checkWhenRead.clear();
}

void ViewerWindow::check(const QString& key)
{
    for (int i = 0; i < m_runs->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = m_runs->topLevelItem(i);
        if (item->data(0, Qt::UserRole).toString() == key) {
            item->setCheckState(0, Qt::Checked);
            m_runs->setCurrentItem(item);
        }
    }
    m_tabs->setCurrentWidget(m_figure);
    optionsChanged();
}

void ViewerWindow::modelsChanged(const QStringList& ids)
{
    QStringList read;
    for (const QString& id : ids) {
        if (!m_library.models().contains(id))
            continue;
        if (m_reading.contains(id))
            m_readAgain.insert(id);
        else
            read << id;
    }
    readModels(read);
}

void ViewerWindow::readModels(const QStringList& ids)
{
    if (!m_reader)
        return;
    QHash<QString, RunLibrary::Known> whole; // nothing of them in memory: read many a request
    QStringList order;
    for (const QString& id : ids) {
        if (m_reading.contains(id))
            continue;
        const RunLibrary::Known known = m_library.known(id);
        if (!known.stamp.isEmpty() && !known.tags.isEmpty()) {
            readModel(id); // shown already: the points after those it has
            continue;
        }
        whole.insert(id, known);
        order << id;
        m_reading.insert(id);
    }
    for (const QStringList& batch : m_reader->batches(order)) {
        QHash<QString, RunLibrary::Known> known;
        for (const QString& id : batch)
            known.insert(id, whole.value(id));
        readHistories(batch, known);
    }
}

void ViewerWindow::readHistories(const QStringList& ids, const QHash<QString, RunLibrary::Known>& known)
{
    m_reader->ask(
        this, RegistryReader::Kind::Long,
        [ids, known, shown = m_shownCurves](RegistryClient& registry, QString* error) {
            QHash<QString, ModelRead> reads;
            // Those the cache holds from an earlier session: their records first, and only the runs that
            // changed since read whole.
            QStringList cached, whole;
            for (const QString& id : ids)
                (known.value(id).stamp.isEmpty() ? whole : cached) << id;
            if (!cached.isEmpty()) {
                auto records = registry.histories({cached, QStringList(), 0}, error);
                if (!records)
                    return reads;
                for (RunHistory& record : *records) {
                    const QString id = record.record.id;
                    if (RunLibrary::isUnchanged(record.record, known.value(id)))
                        reads.insert(id, {RunLibrary::ModelReading{std::move(record.record), std::nullopt, {}}, {}});
                    else
                        whole << id;
                }
            }
            auto histories =
                whole.isEmpty() ? QVector<RunHistory>() : registry.histories({whole, std::nullopt, 0}, error);
            if (!histories)
                return reads;
            for (RunHistory& history : *histories) {
                ModelRead read{RunLibrary::fromHistory(registry, std::move(history)), {}};
                read.curves = shown->of(*read.reading->run);
                reads.insert(read.reading->record.id, std::move(read));
            }
            return reads;
        },
        [this, ids](QHash<QString, ModelRead> reads, const QString& error) {
            for (const QString& id : ids) {
                const auto read = reads.find(id);
                modelRead(id, read == reads.end() ? ModelRead{} : std::move(*read),
                          error.isEmpty() ? tr("the registry holds no run %1").arg(id) : error);
            }
        });
}

void ViewerWindow::readModel(const QString& id)
{
    if (!m_reader || m_reading.contains(id))
        return;
    m_reading.insert(id);
    m_reader->ask(
        this, RegistryReader::Kind::Long,
        [id, known = m_library.known(id), shown = m_shownCurves](RegistryClient& registry, QString* error) {
            ModelRead read{RunLibrary::readModel(registry, id, known, error), {}};
            if (read.reading && read.reading->run && read.reading->tails.isEmpty())
                read.curves = shown->of(*read.reading->run);
            return read;
        },
        [this, id](ModelRead read, const QString& error) { modelRead(id, std::move(read), error); });
}

void ViewerWindow::modelRead(const QString& id, ModelRead read, const QString& error)
{
    m_reading.remove(id);
    const bool wasShown = m_library.run(id) && !m_library.isOffline(id);
    std::optional<RunLibrary::ModelReading>& reading = read.reading;
    const bool newPoints = reading && reading->run;
    QString problem;
    const bool shown = reading ? m_library.takeModel(id, std::move(*reading), &problem)
                               : m_library.modelUnavailable(id, error, &problem);
    if (!reading || !shown)
        statusBar()->showMessage(shown ? tr("%1: %2").arg(id, error) : problem, 15000);
    else if (m_reading.isEmpty())
        statusBar()->clearMessage();
    if (shown && (newPoints || !wasShown)) {
        runsChanged({id});
        m_curves.take(id, read.curves);
    } else if (shown) {
        updateTables(); // the record (memo, status) may have moved
    }
    if (m_readAgain.remove(id))
        readModel(id); // from what this read brought: only the points after it
}

void ViewerWindow::readRecords()
{
    if (!m_reader)
        return;
    for (const QString& name : m_library.modelNamesWithoutRecord()) {
        if (m_recordsAsked.contains(name))
            continue;
        m_recordsAsked.insert(name);
        m_reader->ask(
            this, RegistryReader::Kind::Quick,
            [name](RegistryClient& registry, QString* error) { return registry.run(name, error); },
            [this, name](const std::optional<RunRecord>& record, const QString&) {
                if (!record)
                    return; // a logdir named like a model the registry does not know
                m_library.setRecord(name, *record);
                runsChanged({m_library.keyForName(name)});
            });
    }
}

void ViewerWindow::runsChanged(const QStringList& keys)
{
    for (const QString& key : keys)
        m_curves.forget(key);
    if (!m_apply->isActive())
        m_apply->start();
}

void ViewerWindow::applyChanges()
{
    fillRunList();
    fillTagList();
    optionsChanged();
    checkWhenRead();
}

} // namespace jikken
