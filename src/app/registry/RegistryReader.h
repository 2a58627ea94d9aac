#pragma once

#include "registry/ClientConfig.h"
#include "registry/RegistryClient.h"

#include <QObject>
#include <QPointer>
#include <QThread>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace jikken {

/// Makes a registry client: the reader's own, and one for each other thread that talks to the registry.
using RegistryConnector = std::function<std::unique_ptr<RegistryClient>(QString* error)>;

/// The app's one door to the registry: clients on threads of their own ("lanes"). Widgets ask (the runs, a
/// run's tags, a curve, a memo to save …) and get the answer later, on their own thread, so nothing waits on
/// the GUI thread, whether the registry is a file here or a service across the ocean. Reads start in the
/// order asked, quick ones before long ones (a million-point curve), on whichever lane is free; writes are
/// made one after another on the first lane, which reads no long ones when there are others. An answer
/// whose asker is gone is dropped; when the reader closes, the reads still queued are dropped, a service's
/// reads in flight are cut short (closing waits for no slow link) and the writes are made.
class RegistryReader : public QObject
{
    Q_OBJECT

public:
    enum class Kind {
        Quick, ///< a record, tags, a preview
        Long,  ///< every point of a curve: after every quick request asked so far
        Write, ///< a change: quick, and made even when the reader is closing
        Watch, ///< a long poll of the change feed: on a lane of its own (it would hold up a read), cut
               ///< short when the reader closes, and not counted in `outstanding`
    };

    /// `location` names the registry for people ("registry.sqlite", "http://host:8470"). `lanes` clients
    /// read at once: several for a service far away (each request waits out the link's latency), one for
    /// a database here (more only cost memory: a malloc arena and a page cache each).
    RegistryReader(RegistryConnector connector, QString location, int lanes = 1, QObject* parent = nullptr);
    ~RegistryReader() override;

    /// How many lanes suit the registry: 6 for a service, 1 for a database here. Over a link of 300 ms
    /// (bench_gui_stall), when each run was a request of its own, 6 read the viewer's 100 runs in 38 s where
    /// 4 took 47 s; 8 took 27 s, but their answers arriving together held the window's thread past 50 ms.
    static int lanesFor(const ClientConfig& config) { return config.isService() ? 6 : 1; }

    /// Runs read in one request (`RegistryClient::histories`) from a service, when many are wanted at once: a
    /// hundred are seven requests, which the lanes read side by side, each reply parsed in a fraction of a
    /// second.
    static constexpr int kRunsPerRequest = 16;
    /// `ids` cut into the requests that read them: `kRunsPerRequest` a request from a service (several
    /// lanes), one from a database here (one lane), which no round trip costs and which then holds one run's
    /// points at a time rather than sixteen (ten runs of a million points: 350 MB resident, not 450).
    QList<QStringList> batches(const QStringList& ids) const
    {
        const qsizetype size = m_laneCount > 1 ? kRunsPerRequest : 1;
        QList<QStringList> cut;
        for (qsizetype i = 0; i < ids.size(); i += size)
            cut.append(ids.mid(i, size));
        return cut;
    }

    const QString& location() const { return m_location; }
    /// Requests asked and not yet answered, watches aside (tests wait for none).
    int outstanding() const { return m_outstanding; }

    /// Runs `work(client, &error)` on the reader's thread; then `done(result, error)` on the GUI thread,
    /// unless `receiver` is gone by then. An error that `work` sets (or a client that cannot be made)
    /// comes with a default result.
    template <typename Work, typename Done> void ask(QObject* receiver, Kind kind, Work work, Done done)
    {
        using Result = std::invoke_result_t<Work, RegistryClient&, QString*>;
        QPointer<QObject> asker(receiver);
        const int counted = kind == Kind::Watch ? 0 : 1;
        m_outstanding += counted;
        enqueue(kind, [this, asker, counted, work = std::move(work), done = std::move(done)](RegistryClient* client,
                                                                                             QString error) mutable {
            Result result{};
            if (client)
                result = work(*client, &error);
            // Back through the reader, which lives on the GUI thread: `asker` is looked at only there.
            QMetaObject::invokeMethod(
                this,
                [this, asker, counted, done = std::move(done), result = std::move(result), error]() mutable {
                    m_outstanding -= counted;
                    if (asker)
                        done(std::move(result), error);
                },
                Qt::QueuedConnection);
        });
    }

private:
    using Job = std::function<void(RegistryClient* client, QString error)>;
    void enqueue(Kind kind, Job job);
    /// Waits for the next request lane `lane` serves: a write (lane 0 only), else the first quick read,
    /// else the first long one (not on lane 0 when there are others); on the watch lane, the next watch;
    /// none once the reader closes (after the writes).
    std::optional<Job> next(int lane);
    std::unique_ptr<QThread> startLane(int lane);
    /// The lane's thread: serves requests with a client of its own until the reader closes.
    void serve(int lane);

    RegistryConnector m_connector;
    QString m_location;
    const int m_laneCount;
    static constexpr int kWatchLane = -1;

    std::vector<std::unique_ptr<QThread>> m_lanes;
    std::unique_ptr<QThread> m_watchLane; ///< made for the first watch
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Job> m_writes;
    std::deque<Job> m_quick;
    std::deque<Job> m_long;
    std::deque<Job> m_watches;
    bool m_closing = false; ///< under m_mutex
    bool m_writing = false; ///< under m_mutex: lane 0's job in hand is a write
    int m_outstanding = 0;  ///< on the GUI thread
};

} // namespace jikken
