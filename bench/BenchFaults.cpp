// The registry service under faults and abuse, with a real `jikken serve` (SQLite) in a child process:
// 8 clients reserving IDs and 8 runs journaling reports while the service is killed (-9) and restarted 10
// times; a 1 GiB upload; 1,000 idle sockets. Prints what was acknowledged, lost and applied twice, the
// service's peak memory, and the worst latency of a legitimate request against a quiet service.
#include "../tests/JikkenProcess.h"
#include "../tests/ServeProcess.h"
#include "registry/HttpRegistryClient.h"
#include "registry/JournalingRegistryClient.h"
#include "registry/RegistryStore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QSet>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>

using namespace jikken;
using namespace jikken::testing;

namespace {

constexpr int kClients = 8;
constexpr int kKills = 10;
constexpr int kReportsPerRun = 300;

/// The service's resident memory now and at its peak, in MB (/proc/PID/status).
std::pair<double, double> memoryOf(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    double now = 0;
    double peak = 0;
    if (status.open(QIODevice::ReadOnly)) {
        for (const QByteArray& line : status.readAll().split('\n')) {
            const auto kb = [&] { return line.simplified().split(' ').value(1).toDouble() / 1024; };
            if (line.startsWith("VmRSS:"))
                now = kb();
            if (line.startsWith("VmHWM:"))
                peak = kb();
        }
    }
    return {now, peak};
}

/// The slowest of `count` legitimate reads, in ms.
double worstLatency(const QString& url, const QString& token, int count)
{
    HttpRegistryClient client(QUrl(url), token, 10000);
    double worst = 0;
    for (int i = 0; i < count; ++i) {
        QElapsedTimer timer;
        timer.start();
        QString error;
        RunFilter one;
        one.limit = 1;
        client.runs(one, &error);
        worst = std::max(worst, timer.nsecsElapsed() / 1e6);
        if (!error.isEmpty())
            return 1e9;
    }
    return worst;
}

void row(const char* what, const QString& measured, const char* target)
{
    std::printf("| %-58s | %18s | %14s |\n", what, qPrintable(measured), target);
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QTemporaryDir dir;
    const JikkenProcess admin(dir.filePath(QStringLiteral("home")), dir.path());
    const QString database = dir.filePath(QStringLiteral("registry.sqlite"));
    ServeProcess serve(admin, database);
    const QString token = serve.makeToken(QStringLiteral("bench"));
    QString error;
    if (token.isEmpty() || !serve.start(&error)) {
        std::fprintf(stderr, "bench: %s\n", qPrintable(error));
        return 1;
    }
    const QString url = serve.url();
    const double quiet = worstLatency(url, token, 20);

    // 1. Kill -9 under load: reservations and journaled runs while the service dies and comes back.
    std::vector<QString> runs;
    for (int i = 0; i < kClients; ++i)
        runs.push_back(HttpRegistryClient(QUrl(url), token).reserve(QStringLiteral("fault"), &error)->toString());
    std::mutex mutex;
    QStringList acknowledged;
    std::atomic<bool> reserving = true;
    std::vector<std::unique_ptr<QThread>> reservers;
    for (int c = 0; c < kClients; ++c) {
        reservers.emplace_back(QThread::create([&] {
            HttpRegistryClient client(QUrl(url), token, 3000);
            while (reserving.load()) {
                QString failure;
                if (const auto id = client.reserve(QStringLiteral("kill"), &failure)) {
                    std::lock_guard lock(mutex);
                    acknowledged.append(id->toString());
                } else {
                    QThread::msleep(20);
                }
            }
        }));
        reservers.back()->start();
    }
    std::vector<std::unique_ptr<JournalingRegistryClient>> journals;
    JournalingRegistryClient::Options options;
    options.heartbeatMs = 0;
    options.requestTimeoutMs = 2000;
    options.maxRetryDelayMs = 500;
    for (const QString& id : runs) {
        QDir().mkpath(dir.filePath(id));
        journals.push_back(std::make_unique<JournalingRegistryClient>(QUrl(url), token, id, dir.filePath(id), options));
        journals.back()->start(&error);
    }
    QElapsedTimer kills;
    kills.start();
    int killed = 0;
    for (int report = 0; report < kReportsPerRun; ++report) {
        for (size_t r = 0; r < runs.size(); ++r) {
            journals[r]->addScalars(runs[r], {{QStringLiteral("train/loss"), report, 1.7e9 + report, 1.0 / (report + 1)}},
                                    &error);
            journals[r]->reportProgress(runs[r], report / 30, report, 0.5, &error);
        }
        QThread::msleep(10);
        if (killed < kKills && kills.elapsed() > 300 * (killed + 1)) {
            serve.stop(SIGKILL);
            QThread::msleep(100);
            serve.start(&error);
            ++killed;
        }
    }
    for (size_t r = 0; r < runs.size(); ++r)
        journals[r]->setStatus(runs[r], RunStatus::Finished, {}, &error);
    reserving = false;
    for (auto& thread : reservers)
        thread->wait();
    qint64 waiting = 0;
    for (auto& journal : journals)
        waiting += journal->finish(60000);

    RegistryStore store;
    store.open(database, &error);
    qint64 stored = 0;
    int finished = 0;
    for (const QString& id : runs) {
        stored += store.scalars(id, QStringLiteral("train/loss"), &error).size();
        finished += store.run(id, &error)->status == RunStatus::Finished;
    }
    const qint64 sent = static_cast<qint64>(kClients) * kReportsPerRun;
    int missing = 0;
    for (const QString& id : acknowledged)
        missing += !store.run(id, &error).has_value();
    const int duplicated = static_cast<int>(acknowledged.size() - QSet<QString>(acknowledged.begin(), acknowledged.end()).size());

    // 2. A 1 GiB upload with a valid token: refused by its Content-Length.
    const qint64 pid = serve.process()->processId();
    QTcpSocket upload;
    upload.connectToHost(QHostAddress::LocalHost, QUrl(url).port());
    upload.waitForConnected(5000);
    upload.write("POST /api/v1/reserve HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token.toUtf8() +
                 "\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n");
    QElapsedTimer uploadTimer;
    uploadTimer.start();
    const QByteArray megabyte(1 << 20, 'x');
    QByteArray answer;
    while (uploadTimer.elapsed() < 5000 && upload.state() == QAbstractSocket::ConnectedState &&
           !answer.contains("\r\n\r\n")) {
        upload.write(megabyte);
        upload.waitForBytesWritten(50);
        upload.waitForReadyRead(10);
        answer += upload.readAll();
    }
    const double refusedMs = uploadTimer.elapsed();
    const bool refused = answer.startsWith("HTTP/1.1 413");
    upload.abort();

    // 3. 1,000 idle sockets, then legitimate reads.
    std::vector<std::unique_ptr<QTcpSocket>> idle;
    for (int i = 0; i < 1000; ++i) {
        idle.push_back(std::make_unique<QTcpSocket>());
        idle.back()->connectToHost(QHostAddress::LocalHost, QUrl(url).port());
    }
    for (auto& socket : idle)
        socket->waitForConnected(100);
    const double flooded = worstLatency(url, token, 20);
    const auto [rss, peak] = memoryOf(pid);

    std::printf("Registry service under faults (jikken serve on SQLite, this machine)\n\n");
    std::printf("| %-58s | %18s | %14s |\n", "measure", "measured", "target");
    std::printf("|%s|%s|%s|\n", std::string(60, '-').c_str(), std::string(20, '-').c_str(), std::string(16, '-').c_str());
    row("kill -9 of the service during the run", QString::number(killed), "10");
    row("IDs acknowledged to 8 reserving clients", QString::number(acknowledged.size()), "");
    row("  of them duplicated / missing from the registry", QStringLiteral("%1 / %2").arg(duplicated).arg(missing), "0 / 0");
    row("points sent by 8 journaled runs", QString::number(sent), "");
    row("  stored / lost / applied twice", QStringLiteral("%1 / %2 / %3").arg(stored).arg(sent - std::min(stored, sent)).arg(std::max<qint64>(0, stored - sent)), "all / 0 / 0");
    row("  runs finished / bytes still in journals", QStringLiteral("%1 / %2").arg(finished).arg(waiting), "8 / 0");
    row("1 GiB upload: answered 413 after (ms)", refused ? QString::number(refusedMs, 'f', 0) : QStringLiteral("not refused"), "413");
    row("peak RSS of the service (MB)", QString::number(peak, 'f', 0), "< 300");
    row("RSS with 1,000 idle sockets open (MB)", QString::number(rss, 'f', 0), "");
    row("worst of 20 reads, quiet service (ms, baseline)", QString::number(quiet, 'f', 1), "");
    row("worst of 20 reads, 1,000 idle sockets open (ms)", QString::number(flooded, 'f', 1), "< 200");
    row("  ratio against the quiet service", QStringLiteral("%1x").arg(flooded / std::max(quiet, 0.001), 0, 'f', 2), "");
    return missing == 0 && duplicated == 0 && stored == sent && refused ? 0 : 1;
}
