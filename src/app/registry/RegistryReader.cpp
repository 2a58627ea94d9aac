#include "RegistryReader.h"

#include <QCoreApplication>
#include <QEvent>

#include <algorithm>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#endif

namespace jikken {

RegistryReader::RegistryReader(RegistryConnector connector, QString location, int lanes, QObject* parent)
    : QObject(parent), m_connector(std::move(connector)), m_location(std::move(location)),
      m_laneCount(std::max(1, lanes))
{
    for (int i = 0; i < m_laneCount; ++i)
        m_lanes.push_back(startLane(i));
}

std::unique_ptr<QThread> RegistryReader::startLane(int lane)
{
    std::unique_ptr<QThread> thread(QThread::create([this, lane] { serve(lane); }));
    thread->setObjectName(lane == kWatchLane ? QStringLiteral("registry watch")
                                             : QStringLiteral("registry reader %1").arg(lane));
    thread->start(QThread::LowPriority); // below the window's thread (see serve for Linux)
    return thread;
}

RegistryReader::~RegistryReader()
{
    // A read or a long poll in flight waits in its client's local event loop: ending the lane's event loops
    // ends that wait now (and any it would begin), instead of when a slow service answers. A lane that has
    // writes to make is left to make them (lane 0, the writer).
    std::vector<QThread*> abandoned;
    {
        const std::lock_guard lock(m_mutex);
        m_closing = true; // the reads still queued are dropped; the writes are made
        const bool writesLeft = m_writing || !m_writes.empty();
        for (size_t lane = writesLeft ? 1 : 0; lane < m_lanes.size(); ++lane)
            abandoned.push_back(m_lanes[lane].get());
        if (m_watchLane)
            abandoned.push_back(m_watchLane.get());
        // Under the lock: lane 0 cannot take a write between the look above and this.
        for (QThread* lane : abandoned)
            lane->exit();
    }
    m_wake.notify_all();
    if (m_watchLane)
        m_watchLane->wait();
    for (auto& lane : m_lanes)
        lane->wait();
}

void RegistryReader::enqueue(Kind kind, Job job)
{
    {
        const std::lock_guard lock(m_mutex);
        (kind == Kind::Write   ? m_writes
         : kind == Kind::Quick ? m_quick
         : kind == Kind::Watch ? m_watches
                               : m_long)
            .push_back(std::move(job));
    }
    if (kind == Kind::Watch && !m_watchLane)
        m_watchLane = startLane(kWatchLane);
    m_wake.notify_all();
}

std::optional<RegistryReader::Job> RegistryReader::next(int lane)
{
    std::unique_lock lock(m_mutex);
    if (lane == kWatchLane) {
        m_wake.wait(lock, [&] { return m_closing || !m_watches.empty(); });
        if (m_closing)
            return std::nullopt;
        Job job = std::move(m_watches.front());
        m_watches.pop_front();
        return job;
    }
    const bool writer = lane == 0; // one lane makes every write, in the order asked
    // With other lanes to read curves, the writer reads none: a memo saved never waits behind a million points.
    const bool readsLong = !writer || m_laneCount == 1;
    m_wake.wait(lock, [&] {
        return m_closing || (writer && !m_writes.empty()) || !m_quick.empty() || (readsLong && !m_long.empty());
    });
    std::deque<Job>* from = writer && !m_writes.empty() ? &m_writes
                            : m_closing                 ? nullptr
                            : !m_quick.empty()          ? &m_quick
                                                        : &m_long;
    if (!from)
        return std::nullopt;
    Job job = std::move(from->front());
    from->pop_front();
    if (writer)
        m_writing = from == &m_writes;
    return job;
}

void RegistryReader::serve(int lane)
{
    // The lane's thread runs no event loop of its own: requests are taken from the queues, not posted as
    // events, so a client's wait for a reply (HttpRegistryClient runs a local event loop) never starts
    // another request on the same client.
#ifdef Q_OS_LINUX
    // Below the GUI thread, so that parsing a curve never takes the core a redraw needs: nice 10 (a tenth
    // of a normal thread's share when the cores are all busy). Not IdlePriority, which is SCHED_IDLE on
    // Linux: beside a training run that keeps every core busy, the registry would hardly be read at all.
    // On Linux the nice value is the calling thread's own.
    setpriority(PRIO_PROCESS, 0, 10);
#endif
    std::unique_ptr<RegistryClient> client; // made here on first use: a database connection is per thread
    while (const auto job = next(lane)) {
        QString error;
        if (!client)
            client = m_connector(&error);
        (*job)(client.get(), error);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete); // finished network replies
    }
}

} // namespace jikken
