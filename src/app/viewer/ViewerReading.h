#pragma once

// How the viewer window reads runs off its thread: what ViewerWindow's files share, not an interface.

#include "CurveStore.h"
#include "ViewerWindow.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include <mutex>

namespace jikken {

/// The tags a meeting looks at first, shown when nothing is chosen yet: errors, losses, accuracies.
inline bool isUsualTag(const QString& tag)
{
    return tag.contains(QLatin1String("err")) || tag.contains(QLatin1String("loss")) ||
           tag.contains(QLatin1String("acc"));
}

/// What the figure shows, for the threads that read runs to make its curves as they read: the window sets it
/// whenever it changes, a reader looks when its run is read (a logdir's first read ends a second after the
/// window asked for it, and the tags are chosen meanwhile).
class ViewerWindow::ShownCurves
{
public:
    void set(const QStringList& tags, double weight)
    {
        const std::lock_guard lock(m_mutex);
        m_tags = tags;
        m_weight = weight;
    }
    /// The curves of `run` to make where it was read: those of the tags shown, or before any are, of the
    /// usual tags.
    QHash<QString, ChartCurve> of(const ViewerRun& run) const
    {
        std::unique_lock lock(m_mutex);
        QStringList tags = m_tags;
        const double weight = m_weight;
        lock.unlock();
        if (tags.isEmpty()) {
            for (auto it = run.scalars.cbegin(); it != run.scalars.cend(); ++it) {
                if (isUsualTag(it.key()))
                    tags << it.key();
            }
        }
        return CurveStore::make(run, tags, weight);
    }

private:
    mutable std::mutex m_mutex;
    QStringList m_tags;
    double m_weight = 0;
};

struct ViewerWindow::ModelRead
{
    std::optional<RunLibrary::ModelReading> reading;
    QHash<QString, ChartCurve> curves; ///< of the tags shown, when every point was read
};

namespace viewerReading {

/// What a pool thread read, and the curves of the tags shown that it made for the runs it found.
template <typename Reading> struct ReadRuns
{
    Reading reading;
    QHash<QString, QHash<QString, ChartCurve>> curves; ///< run key -> tag -> curve
};

/// Runs `read` on a pool thread, makes there the curves `shown` asks of the runs it found (its `runs`), and
/// hands both to `take` on `context`'s thread: a hundred runs cost the window's thread neither the reading
/// nor the smoothing and pyramids.
template <typename Reading, typename Shown, typename Read, typename Take>
void readOffThread(QObject* context, Shown shown, Read read, std::vector<std::pair<ViewerRun, QString>> Reading::*runs,
                   Take take)
{
    auto* watcher = new QFutureWatcher<ReadRuns<Reading>>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, context, [watcher, take = std::move(take)] {
        watcher->deleteLater();
        ReadRuns<Reading> done = watcher->result();
        take(std::move(done.reading), done.curves);
    });
    watcher->setFuture(QtConcurrent::run([read = std::move(read), shown = std::move(shown), runs] {
        ReadRuns<Reading> done{read(), {}};
        for (const auto& [run, stamp] : done.reading.*runs)
            done.curves.insert(run.key, shown->of(run));
        return done;
    }));
}

} // namespace viewerReading

} // namespace jikken
