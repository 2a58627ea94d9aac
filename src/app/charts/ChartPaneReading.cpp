// ChartPane: reading the shown runs' tags and curves through the RegistryReader, many runs a request
// (`RegistryClient::histories`): the asks of one pass of the event loop are gathered and sent together.

#include "ChartPane.h"

#include "registry/RegistryReader.h"

#include <QComboBox>
#include <QLabel>
#include <QMap>
#include <QTimer>

namespace jikken {

namespace {

constexpr int kPreviewPoints = 512; // per run, while the reader reads every point

/// Runs a reply was about, for a message: "20190705_01_a" or "20190705_01_a and 15 more".
QString namedRuns(const QStringList& ids)
{
    return ids.size() == 1 ? ids.first() : ChartPane::tr("%1 and %2 more").arg(ids.first()).arg(ids.size() - 1);
}

/// The runs asked for by the tags asked of them (`tagsOf`; `alsoAsked`: runs asked none, for their tag
/// lists), so that each request holds runs asked the same tags: the shown runs first, in the order shown,
/// then those of an earlier selection.
QMap<QStringList, QStringList> byTagsAsked(const QStringList& shown, const QHash<QString, QSet<QString>>& tagsOf,
                                           const QSet<QString>& alsoAsked = {})
{
    QStringList ids = shown;
    ids.removeIf([&](const QString& id) { return !tagsOf.contains(id) && !alsoAsked.contains(id); });
    for (auto it = tagsOf.cbegin(); it != tagsOf.cend(); ++it) {
        if (!ids.contains(it.key()))
            ids << it.key();
    }
    QMap<QStringList, QStringList> together;
    for (const QString& id : std::as_const(ids)) {
        const QSet<QString> tags = tagsOf.value(id);
        QStringList sorted(tags.cbegin(), tags.cend());
        sorted.sort();
        together[sorted] << id;
    }
    return together;
}

/// The histories read, by run.
QHash<QString, const RunHistory*> byRun(const std::optional<QVector<RunHistory>>& read)
{
    QHash<QString, const RunHistory*> runs;
    for (const RunHistory& history : read ? *read : QVector<RunHistory>())
        runs.insert(history.record.id, &history);
    return runs;
}

} // namespace

void ChartPane::showRuns(const QStringList& ids)
{
    m_ids = ids;
    // Keep only what is shown: the cache holds the selected runs, not every run ever clicked.
    m_curves.removeIf([&ids](auto it) { return !ids.contains(it.key().first); });
    m_tagsOf.clear();
    m_asks.tagsOf.clear(); // an earlier selection's, not asked yet
    if (ids.isEmpty()) {
        showTags({}); // and redraws
        return;
    }
    // The runs' tags come with a preview of the tag shown or, on the first selection, of the one the picker
    // will pick (a run without it answers with no points): the first lines come with the first answer,
    // rather than after every run's tags.
    const QString shown = m_tag->currentText().isEmpty() ? preferredTag() : m_tag->currentText();
    for (const QString& id : ids) {
        m_asks.tagsOf.insert(id);
        ensureCurve(id, shown);
    }
    m_askSoon->start();
    fillColourBy();
    showHint();
    // Drawn when the selection has been shown: the table answers the click (or Ctrl+A) at once, and a
    // hundred new lines come in an event of their own; clicks in a row redraw once.
    m_reloadSoon->start();
}

void ChartPane::ensureCurve(const QString& id, const QString& tag)
{
    const CurveKey key{id, tag};
    const auto known = m_curves.constFind(key);
    if ((known != m_curves.cend() && known->isComplete()) || m_pending.contains(key))
        return;
    if (known == m_curves.cend())
        m_asks.previews[id].insert(tag); // a preview first (quick requests go before long ones)
    readCurve(id, tag);                  // every point when read
}

void ChartPane::previewCurve(const QString& id, const QString& tag, bool again)
{
    const CurveKey key{id, tag};
    if ((!again && m_curves.contains(key)) || m_pending.contains(key) || m_previewing.contains(key))
        return;
    m_previewing.insert(key);
    m_asks.previews[id].insert(tag);
    m_askSoon->start();
}

void ChartPane::readCurve(const QString& id, const QString& tag)
{
    const CurveKey key{id, tag};
    if (m_pending.contains(key))
        return;
    m_pending.insert(key);
    m_asks.wholes[id].insert(tag);
    m_askSoon->start();
}

void ChartPane::askGathered()
{
    const Asks asks = std::exchange(m_asks, {});
    const QMap<QStringList, QStringList> previews = byTagsAsked(m_ids, asks.previews, asks.tagsOf);
    for (auto group = previews.cbegin(); group != previews.cend(); ++group) {
        for (const QStringList& batch : m_reader.batches(group.value()))
            askPreviews(batch, group.key(), asks.tagsOf);
    }
    const QMap<QStringList, QStringList> wholes = byTagsAsked(m_ids, asks.wholes);
    for (auto group = wholes.cbegin(); group != wholes.cend(); ++group) {
        for (const QStringList& batch : m_reader.batches(group.value()))
            askWholes(batch, group.key());
    }
}

void ChartPane::askPreviews(const QStringList& batch, const QStringList& tags, const QSet<QString>& tagsWanted)
{
    m_reader.ask(
        this, RegistryReader::Kind::Quick,
        [batch, tags](RegistryClient& registry, QString* error) {
            return registry.histories({batch, tags, kPreviewPoints}, error);
        },
        [this, batch, tags, tagsWanted, selection = m_ids](const std::optional<QVector<RunHistory>>& read,
                                                           const QString& error) {
            const QHash<QString, const RunHistory*> runs = byRun(read);
            for (const QString& tag : tags) {
                for (const QString& id : batch) {
                    const RunHistory* run = runs.value(id);
                    // A small chart's preview replaces what it had; another waits for every point, unless
                    // they came first.
                    const bool previewOnly = m_previewing.remove({id, tag});
                    const auto known = m_curves.constFind({id, tag});
                    const bool wanted = previewOnly || (m_pending.contains({id, tag}) &&
                                                        (known == m_curves.cend() || !known->isComplete()));
                    if (run && wanted)
                        curveRead(id, tag, ChartCurve(run->scalars.value(tag), false));
                }
            }
            if (selection != m_ids)
                return; // the selection moved on: its tags are another's
            if (!read)
                m_readout->setText(tr("The tags of %1 could not be read: %2").arg(namedRuns(batch), error));
            bool tagsRead = false;
            for (const QString& id : batch) {
                if (tagsWanted.contains(id)) {
                    const RunHistory* run = runs.value(id);
                    m_tagsOf.insert(id, run ? run->tags : QStringList());
                    tagsRead = true;
                }
            }
            if (!tagsRead)
                return;
            QStringList all;
            for (const QStringList& some : std::as_const(m_tagsOf)) {
                for (const QString& tag : some) {
                    if (!all.contains(tag))
                        all << tag;
                }
            }
            all.sort();
            showTags(all);
        });
}

void ChartPane::askWholes(const QStringList& batch, const QStringList& tags)
{
    m_reader.ask(
        this, RegistryReader::Kind::Long,
        [batch, tags](RegistryClient& registry, QString* error) {
            return registry.histories({batch, tags, 0}, error);
        },
        [this, batch, tags](const std::optional<QVector<RunHistory>>& read, const QString& error) {
            if (!read)
                m_readout->setText(tr("The points of %1 could not be read: %2").arg(namedRuns(batch), error));
            const QHash<QString, const RunHistory*> runs = byRun(read);
            for (const QString& id : batch) {
                for (const QString& tag : tags) {
                    m_pending.remove({id, tag});
                    if (const RunHistory* run = runs.value(id))
                        curveRead(id, tag, ChartCurve(run->scalars.value(tag), true));
                    readDeferred(id, tag);
                }
            }
        });
}

void ChartPane::readDeferred(const QString& id, const QString& tag)
{
    if (m_readAgain.remove({id, tag}))
        readTail(id, tag);
}

void ChartPane::readTail(const QString& id, const QString& tag)
{
    const CurveKey key{id, tag};
    if (m_pending.contains(key)) {
        m_readAgain.insert(key); // what is being read may be older than the change that asks
        return;
    }
    const ChartCurve* known = curve(id, tag);
    if (!known || !known->isComplete() || known->isEmpty()) {
        readCurve(id, tag);
        return;
    }
    const qint64 last = known->step(known->size() - 1);
    const int had = known->size();
    m_pending.insert(key);
    struct Tail
    {
        std::optional<ScalarSeries> points;
        int total = 0;
    };
    m_reader.ask(
        this, RegistryReader::Kind::Long,
        [id, tag, last](RegistryClient& registry, QString* error) {
            Tail tail;
            tail.points = registry.seriesAfter(id, tag, last, &tail.total, error);
            return tail;
        },
        [this, key, had](const Tail& tail, const QString& error) {
            m_pending.remove(key);
            const auto found = m_curves.find(key);
            if (!tail.points) {
                m_readout->setText(tr("The points of %1 could not be read: %2").arg(key.first, error));
            } else if (found != m_curves.end()) {
                if (found->size() != had || had + tail.points->size() != tail.total) {
                    m_readAgain.remove(key);
                    readCurve(key.first, key.second); // steps logged again (a resumed run): every point
                    return;
                }
                found->append(*tail.points);
                prepare(key.first, *found); // the run's steps per epoch may have changed with it
                curveChanged(key.second);
            }
            readDeferred(key.first, key.second);
        });
}

void ChartPane::prepare(const QString& id, ChartCurve& curve) const
{
    curve.setSmoothing(m_smoothing->weight());
    const RunRecord* run = m_recordOf ? m_recordOf(id) : nullptr;
    curve.setStepsPerEpoch(run ? run->stepsPerEpoch().value_or(1) : 1);
}

void ChartPane::curveRead(const QString& id, const QString& tag, ChartCurve curve)
{
    const CurveKey key{id, tag};
    if (!m_ids.contains(id))
        return; // no longer selected
    prepare(id, m_curves[key] = std::move(curve));
    curveChanged(tag);
}

} // namespace jikken
