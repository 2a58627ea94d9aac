// bench_queue: the registry's run queue under many agents (issue 34), on SQLite and PostgreSQL.
//  - 1,000 queued runs taken by one agent, then by 50 at once: runs started per second, and each claim's
//    latency (p50 / p99) — the baseline is the one agent, in the same process;
//  - 50 agents polling an empty queue every 2 s: the CPU they (and, on PostgreSQL, its server) spend, as a
//    share of one core, and how long a run queued then waits to be taken (p50 / p99 of 20).
#include "../tests/PostgresCluster.h"
#include "registry/RegistryStore.h"
#include "registry/RunQueue.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSet>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include <unistd.h>

using namespace jikken;

namespace {

constexpr int kRuns = 1000;
constexpr int kAgents = 50;

void queueRuns(const QString& database, int count)
{
    RegistryStore store;
    QString error;
    if (!store.open(database, &error))
        qFatal("%s", qPrintable(error));
    RunQueue queue(store);
    // A day has 999 IDs: the runs are spread over days, as a lab's queue of a week is.
    for (int first = 0; first < count; first += 500) {
        const QDateTime day = QDateTime::currentDateTimeUtc().addDays(-first / 500);
        store.setClock([day] { return day; });
        const auto ids = store.reserve(QStringList(std::min(500, count - first), QStringLiteral("bench")), &error);
        if (!ids)
            qFatal("%s", qPrintable(error));
        for (const ModelId& id : *ids) {
            if (!queue.add(id, QJsonObject{{QStringLiteral("epochs"), 1}}, {}, &error))
                qFatal("%s", qPrintable(error));
        }
    }
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, static_cast<size_t>(p * (values.size() - 1) + 0.5))];
}

struct Drain
{
    double startsPerSecond = 0;
    double p50Ms = 0;
    double p99Ms = 0;
    int taken = 0;
    int twice = 0;
};

/// Starts `agents` threads, each an agent with its own registry connection, running `work(a, store, queue)`.
std::vector<std::unique_ptr<QThread>> startAgents(const QString& database, int agents,
                                                  const std::function<void(int, RegistryStore&, RunQueue&)>& work)
{
    std::vector<std::unique_ptr<QThread>> threads;
    for (int a = 0; a < agents; ++a) {
        threads.emplace_back(QThread::create([database, work, a] {
            RegistryStore store;
            QString error;
            if (!store.open(database, &error))
                return;
            RunQueue queue(store);
            work(a, store, queue);
        }));
        threads.back()->start();
    }
    return threads;
}

/// `agents` threads, each on its own connection, claim until the queue is empty.
Drain drain(const QString& database, int agents)
{
    std::mutex lock;
    std::vector<double> latencies;
    QStringList taken;
    QElapsedTimer wall;
    wall.start();
    const auto threads = startAgents(database, agents, [&](int a, RegistryStore& store, RunQueue& queue) {
        QString error;
        while (true) {
            QElapsedTimer one;
            one.start();
            const auto claimed = queue.claim(QStringLiteral("agent%1").arg(a), QStringLiteral("host"), 1, {}, &error);
            const double ms = one.nsecsElapsed() / 1e6;
            if (claimed && !*claimed)
                return;
            if (claimed) // its trainer says it runs, as a started run's does
                store.setStatus((*claimed)->id.toString(), RunStatus::Running, {}, &error);
            const std::lock_guard<std::mutex> hold(lock);
            latencies.push_back(ms);
            if (claimed)
                taken << (*claimed)->id.toString();
        }
    });
    for (auto& thread : threads)
        thread->wait();
    Drain result;
    result.startsPerSecond = taken.size() / (wall.nsecsElapsed() / 1e9);
    result.p50Ms = percentile(latencies, 0.5);
    result.p99Ms = percentile(latencies, 0.99);
    result.taken = static_cast<int>(taken.size());
    result.twice = result.taken - static_cast<int>(QSet<QString>(taken.begin(), taken.end()).size());
    return result;
}

/// CPU seconds this process (by pid 0) and each of the given other processes has used.
QHash<qint64, double> cpuSeconds(const QList<qint64>& others)
{
    timespec own{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &own);
    QHash<qint64, double> seconds{{0, own.tv_sec + own.tv_nsec / 1e9}};
    for (qint64 pid : others) {
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> fields = stat.readAll().split(' ');
        if (fields.size() > 14)
            seconds.insert(pid, (fields[13].toDouble() + fields[14].toDouble()) / sysconf(_SC_CLK_TCK));
    }
    return seconds;
}

/// The share of one core this process and the server's processes (listed at each end: connections come
/// and go) use over `seconds`; a process that ended meanwhile is left out.
double cpuShareOver(int seconds, const std::function<QList<qint64>()>& server)
{
    const QHash<qint64, double> before = cpuSeconds(server ? server() : QList<qint64>());
    QElapsedTimer wall;
    wall.start();
    QThread::sleep(seconds);
    const QHash<qint64, double> after = cpuSeconds(server ? server() : QList<qint64>());
    double used = 0;
    for (auto it = after.cbegin(); it != after.cend(); ++it)
        used += it.value() - before.value(it.key(), 0);
    return used / (wall.nsecsElapsed() / 1e9);
}

/// The server processes of a PostgreSQL cluster (its postmaster's children and itself).
QList<qint64> postgresProcesses()
{
    QList<qint64> pids;
    for (const QString& entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        QFile comm(QStringLiteral("/proc/%1/comm").arg(entry));
        if (comm.open(QIODevice::ReadOnly) && comm.readAll().startsWith("postgres"))
            pids << entry.toLongLong();
    }
    return pids;
}

struct Idle
{
    double baselineShare = 0; ///< the same, with no agent polling: the database's own background work
    double cpuShare = 0;
    double waitP50Ms = 0;
    double waitP99Ms = 0;
};

/// `agents` threads poll an empty queue every 2 s (staggered, as agents started at different times are);
/// then runs are queued one at a time and each waits to be taken.
Idle idlePolling(const QString& database, int agents, const std::function<QList<qint64>()>& server)
{
    Idle result;
    result.baselineShare = cpuShareOver(5, server);
    std::atomic<bool> stop = false;
    std::mutex lock;
    QHash<QString, qint64> takenAt;
    const auto threads = startAgents(database, agents, [&](int a, RegistryStore& store, RunQueue& queue) {
        QString error;
        QThread::msleep(2000 * a / agents);
        while (!stop.load()) {
            const auto claimed = queue.claim(QStringLiteral("idle%1").arg(a), QStringLiteral("host"), 1, {}, &error);
            if (claimed && *claimed) {
                store.setStatus((*claimed)->id.toString(), RunStatus::Running, {}, &error);
                const std::lock_guard<std::mutex> hold(lock);
                takenAt.insert((*claimed)->id.toString(), QDateTime::currentMSecsSinceEpoch());
            }
            QThread::msleep(2000); // one wake-up a poll, as an agent's
        }
    });
    QThread::sleep(3); // all polling
    result.cpuShare = cpuShareOver(10, server);
    RegistryStore store;
    QString error;
    store.open(database, &error);
    RunQueue queue(store);
    std::vector<double> waits;
    for (int i = 0; i < 20; ++i) {
        const auto id = store.reserve(QStringLiteral("late"), &error);
        if (!id)
            qFatal("%s", qPrintable(error));
        const qint64 queuedAt = QDateTime::currentMSecsSinceEpoch();
        queue.add(*id, {}, {}, &error);
        QElapsedTimer waited;
        waited.start();
        while (waited.elapsed() < 10000) {
            {
                const std::lock_guard<std::mutex> hold(lock);
                if (takenAt.contains(id->toString())) {
                    waits.push_back(takenAt.value(id->toString()) - queuedAt);
                    break;
                }
            }
            QThread::msleep(5);
        }
    }
    stop = true;
    for (auto& thread : threads)
        thread->wait();
    result.waitP50Ms = percentile(waits, 0.5);
    result.waitP99Ms = percentile(waits, 0.99);
    return result;
}

void row(const char* backend, const char* what, const QString& measured, const char* target, const QString& ratio)
{
    std::printf("| %-10s | %-58s | %16s | %10s | %8s |\n", backend, what, qPrintable(measured), target,
                qPrintable(ratio));
}

void measure(const char* backend, const std::function<QString()>& freshDatabase,
             const std::function<QList<qint64>()>& server)
{
    QString database = freshDatabase();
    queueRuns(database, kRuns);
    const Drain one = drain(database, 1);
    database = freshDatabase();
    queueRuns(database, kRuns);
    const Drain many = drain(database, kAgents);
    row(backend, "1,000 runs, one agent: starts/s (baseline)", QString::number(one.startsPerSecond, 'f', 0), "",
        QStringLiteral("1.00x"));
    row(backend, "1,000 runs, 50 agents at once: starts/s", QString::number(many.startsPerSecond, 'f', 0), "",
        QStringLiteral("%1x").arg(many.startsPerSecond / std::max(one.startsPerSecond, 1e-9), 0, 'f', 2));
    row(backend, "  claim latency p50 / p99 (ms)",
        QStringLiteral("%1 / %2").arg(many.p50Ms, 0, 'f', 1).arg(many.p99Ms, 0, 'f', 1), "p99 <= 2000", QString());
    row(backend, "  runs taken / taken twice", QStringLiteral("%1 / %2").arg(many.taken).arg(many.twice), "1000 / 0",
        QString());
    const Idle idle = idlePolling(freshDatabase(), kAgents, server);
    row(backend, "50 agents polling an empty queue every 2 s: CPU (% of a core)",
        QString::number(idle.cpuShare * 100, 'f', 2), "<= 2", QString());
    row(backend, "  the same with no agent (the database's own, baseline)",
        QString::number(idle.baselineShare * 100, 'f', 2), "", QString());
    row(backend, "  a run queued then: waits to be taken p50 / p99 (ms)",
        QStringLiteral("%1 / %2").arg(idle.waitP50Ms, 0, 'f', 0).arg(idle.waitP99Ms, 0, 'f', 0), "p99 <= 2000",
        QString());
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QTemporaryDir dir;
    int databases = 0;
    std::printf("| %-10s | %-58s | %16s | %10s | %8s |\n", "backend", "measure", "measured", "target", "ratio");
    std::printf("|%s|%s|%s|%s|%s|\n", std::string(12, '-').c_str(), std::string(60, '-').c_str(),
                std::string(18, '-').c_str(), std::string(12, '-').c_str(), std::string(10, '-').c_str());
    measure("sqlite", [&] { return dir.filePath(QStringLiteral("queue%1.sqlite").arg(++databases)); }, {});
    testing::PostgresCluster cluster;
    QString error;
    if (!cluster.start(&error)) {
        std::printf("(PostgreSQL not measured: %s)\n", qPrintable(error));
        return 0;
    }
    measure(
        "postgresql", [&] { return cluster.createDatabase(&error); }, postgresProcesses);
    return 0;
}
