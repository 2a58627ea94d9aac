// The registry service under faults and abuse, with a real `jikken serve` (SQLite) in a child process:
// 8 clients reserving IDs and 8 runs journaling reports while the service is killed (-9) and restarted 10
// times; a 1 GiB upload; 1,000 idle sockets; reads during a 2M-point batch; a token revoked mid-run; a
// registry whose disk fills mid-run; and a PostgreSQL restart under a journaled run (a throwaway cluster).
// Prints what was acknowledged, lost and applied twice, the service's peak memory, and the worst latency
// of a legitimate request against a quiet service.
#include "../tests/JikkenProcess.h"
#include "../tests/PostgresCluster.h"
#include "../tests/ServeProcess.h"
#include "registry/HttpRegistryClient.h"
#include "registry/JournalingRegistryClient.h"
#include "registry/RegistryJournal.h"
#include "registry/RegistryStore.h"

#include <QCoreApplication>
#include <QDate>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
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
        const bool answered = client.runs(one, &error).has_value();
        worst = std::max(worst, timer.nsecsElapsed() / 1e6);
        if (!answered)
            return 1e9;
    }
    return worst;
}

/// A run journaling `reports` points, one every 10 ms, that calls `midway` halfway; the bytes left in its
/// journal `finishMs` after the last.
qint64 journaledRun(const QString& url, const QString& token, const QString& id, const QString& folder, int reports,
                    const std::function<void()>& midway, int finishMs)
{
    QDir().mkpath(folder);
    JournalingRegistryClient::Options options;
    options.heartbeatMs = 0;
    options.requestTimeoutMs = 2000;
    options.maxRetryDelayMs = 500;
    JournalingRegistryClient journal(QUrl(url), token, id, folder, options);
    QString error;
    journal.start(&error);
    for (int report = 0; report < reports; ++report) {
        if (report == reports / 2)
            midway();
        journal.addScalars(id, {{QStringLiteral("train/loss"), report, 1.7e9 + report, 1.0 / (report + 1)}}, &error);
        QThread::msleep(10);
    }
    return journal.finish(finishMs);
}

/// How many `train/loss` points the registry holds for the run.
qint64 storedPoints(const QString& database, const QString& id)
{
    RegistryStore store;
    QString error;
    store.open(database, &error);
    return store.scalars(id, QStringLiteral("train/loss"), &error).value_or(QVector<ScalarPoint>()).size();
}

QString lossRow(qint64 sent, qint64 stored)
{
    return QStringLiteral("%1 / %2 / %3")
        .arg(stored)
        .arg(sent - std::min(stored, sent))
        .arg(std::max<qint64>(0, stored - sent));
}

void row(const char* what, const QString& measured, const char* target)
{
    std::printf("| %-58s | %18s | %14s |\n", what, qPrintable(measured), target);
}

/// One hostile client's attack (issue 32) and what it did: the measure, and a legitimate client's worst
/// read while it went on.
struct Attack
{
    const char* what;
    QString measured;
    const char* target;
    double worstReadMs;
    bool held; ///< the target was met
};

/// Sends raw HTTP on a new connection; the socket (connected, the bytes written).
std::unique_ptr<QTcpSocket> rawRequest(quint16 port, const QByteArray& bytes)
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->connectToHost(QHostAddress::LocalHost, port);
    if (socket->waitForConnected(5000) && !bytes.isEmpty()) {
        socket->write(bytes);
        socket->waitForBytesWritten(5000);
    }
    return socket;
}

/// The status of the first answer on `socket` within `ms`, 0 when none came.
int statusOf(QTcpSocket& socket, int ms)
{
    QByteArray answer;
    QElapsedTimer timer;
    timer.start();
    while (!answer.contains("\r\n") && timer.elapsed() < ms && socket.state() == QAbstractSocket::ConnectedState) {
        socket.waitForReadyRead(50);
        answer += socket.readAll();
    }
    answer += socket.readAll();
    return answer.startsWith("HTTP/1.1 ") ? answer.mid(9, 3).toInt() : 0;
}

std::vector<Attack> hostileClients(const QString& url, quint16 port, const QString& token, const QString& readToken,
                                   qint64 pid)
{
    std::vector<Attack> attacks;
    QString error;
    HttpRegistryClient client(QUrl(url), token, 30000);
    const QByteArray host = "Host: 127.0.0.1\r\n";
    const auto bearer = [](const QString& secret) -> QByteArray {
        return "Authorization: Bearer " + secret.toUtf8() + "\r\n";
    };

    // A read-only token parks 1,000 change-feed waits: its share is 8, the cap is never its to hold.
    std::vector<std::unique_ptr<QTcpSocket>> parked;
    for (int i = 0; i < 1000; ++i)
        parked.push_back(
            rawRequest(port, "GET /api/v1/changes?wait=30 HTTP/1.1\r\n" + host + bearer(readToken) + "\r\n"));
    const double parkedWorst = worstLatency(url, token, 20);
    int held = 0;
    for (auto& socket : parked) {
        socket->waitForReadyRead(0);
        held += socket->state() == QAbstractSocket::ConnectedState && socket->readAll().isEmpty();
    }
    parked.clear();
    attacks.push_back({"read-only token parks 1,000 long-polls: still held", QString::number(held), "<= 8", parkedWorst,
                       held <= 8 && parkedWorst < 200});

    // The same token opens 300 connections, each asking once: past its 256 it is refused (429, closed).
    std::vector<std::unique_ptr<QTcpSocket>> many;
    for (int i = 0; i < 300; ++i)
        many.push_back(rawRequest(port, "GET /api/v1/info HTTP/1.1\r\n" + host + bearer(readToken) + "\r\n"));
    int overCap = 0;
    for (auto& socket : many)
        overCap += statusOf(*socket, 5000) == 429;
    const double manyWorst = worstLatency(url, token, 20);
    many.clear();
    attacks.push_back({"one token opens 300 connections: refused (429)", QString::number(overCap), ">= 44", manyWorst,
                       overCap >= 44 && manyWorst < 200});

    // It asks for a thousand runs at a time (of 2,000, with fifty hyperparameters each) from 16 threads as
    // fast as they go: past its share of the service's time it is told to wait (429), and another token is
    // answered meanwhile.
    QVector<RunRecord> sweep;
    for (int i = 0; i < 2000; ++i) {
        RunRecord r;
        r.id = QStringLiteral("%1_%2_sweep")
                   .arg(QDate(2019, 1, 1).addDays(i / 50).toString(QStringLiteral("yyyyMMdd")))
                   .arg(i % 50 + 1, 2, 10, QLatin1Char('0'));
        r.status = RunStatus::Finished;
        for (int h = 0; h < 50; ++h)
            r.hparams.insert(QStringLiteral("param_%1").arg(h), (i * 7 + h) % 100 / 100.0);
        sweep.append(r);
    }
    client.importRuns(sweep, &error);
    std::atomic<bool> flooding = true;
    std::atomic<int> floodAnswered = 0, floodRefused = 0;
    std::vector<std::unique_ptr<QThread>> flood;
    for (int i = 0; i < 16; ++i) {
        flood.emplace_back(QThread::create([&] {
            HttpRegistryClient reader(QUrl(url), readToken, 5000);
            QString failure;
            RunFilter thousand;
            thousand.limit = 1000;
            while (flooding.load()) {
                if (reader.runs(thousand, &failure))
                    ++floodAnswered;
                else if (failure.contains(QStringLiteral(": 429 ")))
                    ++floodRefused;
            }
        }));
        flood.back()->start();
    }
    QThread::msleep(1500); // past the half second its share holds in reserve
    const double floodWorst = worstLatency(url, token, 20);
    flooding = false;
    for (auto& thread : flood)
        thread->wait();
    attacks.push_back({"one token floods GET /runs (1,000 runs) from 16 threads: answered / 429",
                       QStringLiteral("%1 / %2").arg(floodAnswered.load()).arg(floodRefused.load()), "", floodWorst,
                       floodRefused.load() > 0 && floodWorst < 200});

    // One tag asked for five times over, on a 1,000,000-point series.
    const QString run = client.reserve(QStringLiteral("hostile"), &error)->toString();
    for (int first = 0; first < 1'000'000; first += 100'000) {
        QVector<ScalarPoint> points;
        for (int step = first; step < first + 100'000; ++step)
            points.append({QStringLiteral("big"), step, 1.7e9 + step, 1.0 / (step + 1)});
        client.addScalars(run, points, &error);
    }
    const auto replyBytes = [&](const QByteArray& tags) {
        auto socket =
            rawRequest(port, "GET /api/v1/runs/" + run.toUtf8() + "/series?" + tags + "&points=0 HTTP/1.1\r\n" + host +
                                 bearer(token) + "Connection: close\r\n\r\n");
        QByteArray all;
        while (socket->state() == QAbstractSocket::ConnectedState && socket->waitForReadyRead(10000))
            all += socket->readAll();
        return static_cast<double>(all.size() + socket->readAll().size());
    };
    const double once = replyBytes("tag=big");
    const double fiveTimes = replyBytes("tag=big&tag=big&tag=big&tags=big,big");
    attacks.push_back({"tag=X five times, 1M points: reply size vs once",
                       QStringLiteral("%1x").arg(fiveTimes / std::max(once, 1.0), 0, 'f', 2), "1.00x",
                       worstLatency(url, token, 5), fiveTimes <= once * 1.01});

    // Every point of that run (/history) for a slow reader, while others read: written off the event loop.
    std::atomic<bool> historyDone = false;
    std::unique_ptr<QThread> historyReader(QThread::create([&] {
        auto socket = rawRequest(port, "GET /api/v1/runs/" + run.toUtf8() + "/history HTTP/1.1\r\n" + host +
                                           bearer(token) + "Connection: close\r\n\r\n");
        while (socket->state() == QAbstractSocket::ConnectedState && socket->waitForReadyRead(10000))
            socket->readAll();
        historyDone = true;
    }));
    historyReader->start();
    double duringHistory = 0;
    int historyReads = 0;
    while (!historyDone.load() && historyReads < 200) {
        duringHistory = std::max(duringHistory, worstLatency(url, token, 1));
        ++historyReads;
    }
    historyReader->wait();
    attacks.push_back({"GET /history of a 1M-point run: reads meanwhile", QString::number(historyReads), "",
                       duringHistory, duringHistory < 200});

    // Six 63 MiB bodies at once from one token: one body's worth is in flight, the rest told to wait (503).
    std::atomic<int> busy = 0;
    std::vector<std::unique_ptr<QThread>> uploads;
    for (int i = 0; i < 6; ++i) {
        uploads.emplace_back(QThread::create([&] {
            const qint64 length = qint64(63) << 20;
            auto socket =
                rawRequest(port, "POST /api/v1/import HTTP/1.1\r\n" + host + bearer(token) +
                                     "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(length) +
                                     "\r\n\r\n");
            const QByteArray chunk(1 << 20, ' ');
            QByteArray answer; // read as it comes: a refused body is answered (and cut) before it is all sent
            for (qint64 sent = 0;
                 sent < length && socket->state() == QAbstractSocket::ConnectedState && !answer.contains("\r\n");
                 sent += chunk.size()) {
                socket->write(chunk);
                socket->waitForBytesWritten(5000);
                answer += socket->readAll();
            }
            if (!answer.contains("\r\n") && socket->state() == QAbstractSocket::ConnectedState)
                answer = "HTTP/1.1 " + QByteArray::number(statusOf(*socket, 10000));
            if (answer.startsWith("HTTP/1.1 503"))
                ++busy;
        }));
        uploads.back()->start();
    }
    const double uploadWorst = worstLatency(url, token, 20);
    for (auto& upload : uploads)
        upload->wait();
    const double uploadRss = memoryOf(pid).first;
    // How many overlap depends on how fast the service reads them; what must hold is its memory.
    attacks.push_back(
        {"6 x 63 MiB bodies at once: of them told to wait (503)", QString::number(busy.load()), "", uploadWorst, true});
    attacks.push_back({"  RSS of the service after them (MB)", QString::number(uploadRss, 'f', 0), "<= 400",
                       uploadWorst, uploadRss <= 400});

    // Forty 5 MB status reasons: each kept as 4 KiB.
    const QString reason(5 << 20, u'r');
    for (int i = 0; i < 40; ++i)
        client.setStatus(run, RunStatus::Failed, reason, &error);
    const double reasonsRss = memoryOf(pid).first;
    auto alerts =
        rawRequest(port, "GET /api/v1/alerts HTTP/1.1\r\n" + host + bearer(readToken) + "Connection: close\r\n\r\n");
    QByteArray alertsReply;
    while (alerts->state() == QAbstractSocket::ConnectedState && alerts->waitForReadyRead(5000))
        alertsReply += alerts->readAll();
    attacks.push_back({"40 status reasons of 5 MB: RSS after (MB)", QString::number(reasonsRss, 'f', 0), "<= 400",
                       worstLatency(url, token, 5), reasonsRss <= 400});
    attacks.push_back({"  GET /alerts then answers (kB)", QString::number(alertsReply.size() / 1024.0, 'f', 0), "< 200",
                       0, alertsReply.size() < 200 * 1024});

    // A NUL in a tag: refused once (400), never a 5xx to be retried for ever.
    const QByteArray nul = "{\"points\":[{\"tag\":\"loss\\u0000x\",\"step\":1,\"wall_time\":1,\"value\":1}]}";
    auto nulPost =
        rawRequest(port, "POST /api/v1/runs/" + run.toUtf8() + "/scalars HTTP/1.1\r\n" + host + bearer(token) +
                             "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(nul.size()) +
                             "\r\n\r\n" + nul);
    const int nulStatus = statusOf(*nulPost, 5000);
    attacks.push_back(
        {"a NUL in a tag: answered", QString::number(nulStatus), "400", worstLatency(url, token, 5), nulStatus == 400});

    // Twelve label edits at once: all twelve stay.
    std::vector<std::unique_ptr<QThread>> editors;
    for (int i = 0; i < 12; ++i) {
        editors.emplace_back(QThread::create([&, i] {
            QString failure;
            HttpRegistryClient(QUrl(url), token).editLabels(run, {QStringLiteral("race%1").arg(i)}, {}, &failure);
        }));
        editors.back()->start();
    }
    for (auto& editor : editors)
        editor->wait();
    const qsizetype labels = client.run(run, &error).value_or(RunRecord()).labels.size();
    attacks.push_back({"12 concurrent label edits: labels kept", QString::number(labels), "12",
                       worstLatency(url, token, 5), labels == 12});

    // A reservation whose answer is lost (the connection cut at once), sent again with its key: one ID.
    const QByteArray reserve = "POST /api/v1/reserve HTTP/1.1\r\n" + host + bearer(token) +
                               "Idempotency-Key: bench-dropped\r\nContent-Type: application/json\r\n"
                               "Content-Length: 20\r\n\r\n{\"method\":\"dropped\"}";
    rawRequest(port, reserve)->abort();
    QThread::msleep(200);
    auto again = rawRequest(port, reserve);
    statusOf(*again, 5000);
    RunFilter dropped;
    dropped.method = QStringLiteral("dropped");
    const qsizetype consumed = client.runs(dropped, &error).value_or(QVector<RunRecord>()).size();
    attacks.push_back({"reservation answer dropped, sent again: IDs taken", QString::number(consumed), "1",
                       worstLatency(url, token, 5), consumed == 1});
    return attacks;
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
            journals[r]->addScalars(
                runs[r], {{QStringLiteral("train/loss"), report, 1.7e9 + report, 1.0 / (report + 1)}}, &error);
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
        stored += store.scalars(id, QStringLiteral("train/loss"), &error).value_or(QVector<ScalarPoint>()).size();
        finished += store.run(id, &error)->status == RunStatus::Finished;
    }
    const qint64 sent = static_cast<qint64>(kClients) * kReportsPerRun;
    int missing = 0;
    for (const QString& id : acknowledged)
        missing += !store.run(id, &error).has_value();
    const int duplicated =
        static_cast<int>(acknowledged.size() - QSet<QString>(acknowledged.begin(), acknowledged.end()).size());

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
    const auto [rss, peakBeforeBatch] = memoryOf(pid);
    idle.clear();
    serve.stop(SIGTERM);

    // The kills above took most of today's IDs: what follows has a registry of its own.
    const QString second = dir.filePath(QStringLiteral("second.sqlite"));
    ServeProcess serve2(admin, second);
    const QString token2 = serve2.makeToken(QStringLiteral("bench"));
    serve2.start(&error);
    const auto reserveOn = [&](const QString& at, const QString& method) {
        const auto id = HttpRegistryClient(QUrl(at), token2).reserve(method, &error);
        if (!id)
            std::fprintf(stderr, "bench: %s\n", qPrintable(error));
        return id ? id->toString() : QStringLiteral("20000101_01_none");
    };

    // 4. A batch of 2M points from one client; reads from another meanwhile.
    const QString big = reserveOn(serve2.url(), QStringLiteral("big"));
    QVector<ScalarPoint> points;
    for (int step = 0; step < 2'000'000; ++step)
        points.append({QStringLiteral("train/loss"), step, 1.7e9 + step, 1.0 / (step + 1)});
    std::atomic<bool> batchDone = false;
    bool batchStored = false;
    QElapsedTimer batchTimer;
    batchTimer.start();
    std::unique_ptr<QThread> uploader(QThread::create([&] {
        QString failure;
        batchStored = HttpRegistryClient(QUrl(serve2.url()), token2, 120000).addScalars(big, points, &failure);
        if (!batchStored)
            std::fprintf(stderr, "bench: the 2M-point batch: %s\n", qPrintable(failure));
        batchDone = true;
    }));
    uploader->start();
    double duringBatch = 0;
    int readsDuringBatch = 0;
    while (!batchDone.load()) {
        duringBatch = std::max(duringBatch, worstLatency(serve2.url(), token2, 1));
        ++readsDuringBatch;
    }
    uploader->wait();
    const double batchSeconds = batchTimer.nsecsElapsed() / 1e9;
    points.clear();
    const auto peak = memoryOf(serve2.process()->processId()).second;

    // 5. The run's token is revoked halfway; the rest waits in the journal and goes in with a new token.
    const QString revokable = serve2.makeToken(QStringLiteral("revokable"));
    const QString revokedRun = reserveOn(serve2.url(), QStringLiteral("revoked"));
    const qint64 waitingAfterRevoke = journaledRun(
        serve2.url(), revokable, revokedRun, dir.filePath(revokedRun), 200,
        [&] {
            admin.run({QStringLiteral("--registry"), second, QStringLiteral("token"), QStringLiteral("revoke"),
                       QStringLiteral("revokable")});
            QThread::msleep(2100); // past the service's token cache
        },
        3000);
    const qint64 waitingAfterNewToken = journaledRun(
        serve2.url(), token2, revokedRun, dir.filePath(revokedRun), 0, [] {}, 30000);
    const qint64 storedAfterRevoke = storedPoints(second, revokedRun);

    // 6. The registry's disk fills halfway (a file size limit on the service); after room is made, the
    // journal delivers the rest.
    serve2.stop(SIGTERM);
    JikkenProcess fullDisk(dir.filePath(QStringLiteral("home")), dir.path());
    ServeProcess cramped(fullDisk, second);
    cramped.start(&error);
    const QString fullRun = reserveOn(cramped.url(), QStringLiteral("full"));
    const qint64 waitingWhenFull = journaledRun(
        cramped.url(), token2, fullRun, dir.filePath(fullRun), 200,
        [&] {
            cramped.stop(SIGTERM);
            fullDisk.setFileSizeLimit(256 << 10); // no write past 256 KiB of any file: the WAL fills at once
            cramped.start(&error);
        },
        3000);
    cramped.stop(SIGTERM);
    ServeProcess roomy(admin, second);
    roomy.start(&error);
    const qint64 waitingWithRoom = journaledRun(
        roomy.url(), token2, fullRun, dir.filePath(fullRun), 0, [] {}, 30000);
    const qint64 storedAfterFull = storedPoints(second, fullRun);
    roomy.stop(SIGTERM);

    // 7. PostgreSQL restarts (pg_ctl stop -m fast, start) under a journaled run.
    PostgresCluster cluster;
    const bool clusterUp = cluster.start(&error);
    const QString pgDatabase = clusterUp ? cluster.createDatabase(&error) : QString();
    ServeProcess pgServe(admin, pgDatabase);
    const QString pgToken = pgServe.makeToken(QStringLiteral("bench"));
    pgServe.start(&error);
    const auto pgId = HttpRegistryClient(QUrl(pgServe.url()), pgToken).reserve(QStringLiteral("pg"), &error);
    const QString pgRun = pgId ? pgId->toString() : QStringLiteral("20000101_01_none");
    double recoveredMs = -1;
    const qint64 waitingAfterRestart = journaledRun(
        pgServe.url(), pgToken, pgRun, dir.filePath(pgRun), 200,
        [&] {
            cluster.pause(&error);
            QThread::msleep(1000);
            cluster.resume(&error);
            QElapsedTimer back;
            back.start();
            HttpRegistryClient client(QUrl(pgServe.url()), pgToken, 3000);
            QString failure;
            while (!client.run(pgRun, &failure) && back.elapsed() < 30000)
                QThread::msleep(10);
            recoveredMs = back.elapsed();
        },
        30000);
    const qint64 storedAfterRestart = storedPoints(pgDatabase, pgRun);
    // A NUL in a tag on PostgreSQL (which cannot store one): refused once (400), not a 5xx retried for ever.
    const QByteArray nul = "{\"points\":[{\"tag\":\"loss\\u0000x\",\"step\":1,\"wall_time\":1,\"value\":1}]}";
    auto nulPost = rawRequest(QUrl(pgServe.url()).port(), "POST /api/v1/runs/" + pgRun.toUtf8() +
                                                              "/scalars HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                                                              "Authorization: Bearer " + pgToken.toUtf8() +
                                                              "\r\nContent-Type: application/json\r\nContent-Length: " +
                                                              QByteArray::number(nul.size()) + "\r\n\r\n" + nul);
    const int pgNulStatus = statusOf(*nulPost, 5000);
    const double pgNulWorst = worstLatency(pgServe.url(), pgToken, 5);

    // 7. Hostile clients, each alone against a fresh service of its own.
    const QString third = dir.filePath(QStringLiteral("hostile.sqlite"));
    ServeProcess hostile(admin, third);
    const QString writer = hostile.makeToken(QStringLiteral("writer"));
    const QString reader = hostile.makeToken(QStringLiteral("reader"), true);
    std::vector<Attack> attacks;
    if (hostile.start(&error))
        attacks =
            hostileClients(hostile.url(), QUrl(hostile.url()).port(), writer, reader, hostile.process()->processId());
    else
        std::fprintf(stderr, "bench: %s\n", qPrintable(error));
    hostile.stop(SIGTERM);
    attacks.push_back(
        {"a NUL in a tag, PostgreSQL: answered", QString::number(pgNulStatus), "400", pgNulWorst, pgNulStatus == 400});

    // 8. The trainer under a file-size limit (prlimit --fsize, SIGXFSZ at its default): one epoch trains,
    // then a resume whose weights no longer fit ends with one line and exit 1, the run failed with the
    // reason, the last checkpoint kept, nothing left in the journal.
    ServeProcess limited(admin, dir.filePath(QStringLiteral("fsize.sqlite")));
    const QString trainToken = limited.makeToken(QStringLiteral("trainer"));
    QString fsizeEnd = QStringLiteral("not run");
    bool fsizeHeld = false;
    if (limited.start(&error)) {
        JikkenProcess trainer(dir.filePath(QStringLiteral("trainer-home")), dir.path());
        trainer.setEnvironment(QStringLiteral("JIKKEN_REGISTRY"), limited.url());
        trainer.setEnvironment(QStringLiteral("JIKKEN_TOKEN"), trainToken);
        const QStringList epochs{QStringLiteral("train"), QStringLiteral("--epochs"), QStringLiteral("1")};
        const QString id = trainer.run(epochs + jikken::testing::kSmallRun).out.trimmed().section(u'\n', 0, 0);
        const QDir runDir(dir.filePath(QStringLiteral("logs/") + id));
        const QStringList weights = runDir.entryList({QStringLiteral("model-*.pt")}, QDir::Files);
        if (!weights.isEmpty()) {
            trainer.setFileSizeLimit(QFileInfo(runDir.filePath(weights.first())).size() / 2);
            const auto resumed = trainer.run({QStringLiteral("train"), QStringLiteral("--resume"), id,
                                              QStringLiteral("--epochs"), QStringLiteral("2")});
            RegistryStore store;
            store.open(dir.filePath(QStringLiteral("fsize.sqlite")), &error);
            const auto run = store.run(id, &error);
            const QFile journal(runDir.filePath(QString::fromLatin1(RegistryJournal::kFileName)));
            const qint64 left = journal.exists() ? journal.size() : 0;
            const QString status = run ? toString(run->status) : QStringLiteral("none");
            fsizeEnd = QStringLiteral("%1 / exit %2 / %3 B")
                           .arg(status)
                           .arg(resumed.crashed ? -1 : resumed.exitCode)
                           .arg(left);
            fsizeHeld = !resumed.crashed && resumed.exitCode == 1 && status == QLatin1String("failed") && left == 0 &&
                        runDir.entryList({QStringLiteral("model-*.pt")}, QDir::Files) == weights;
        }
    }
    limited.stop(SIGTERM);

    std::printf("Registry service under faults (jikken serve on SQLite, this machine)\n\n");
    std::printf("| %-58s | %18s | %14s |\n", "measure", "measured", "target");
    std::printf("|%s|%s|%s|\n", std::string(60, '-').c_str(), std::string(20, '-').c_str(),
                std::string(16, '-').c_str());
    row("kill -9 of the service during the run", QString::number(killed), "10");
    row("IDs acknowledged to 8 reserving clients", QString::number(acknowledged.size()), "");
    row("  of them duplicated / missing from the registry", QStringLiteral("%1 / %2").arg(duplicated).arg(missing),
        "0 / 0");
    row("points sent by 8 journaled runs", QString::number(sent), "");
    row("  stored / lost / applied twice", lossRow(sent, stored), "all / 0 / 0");
    row("  runs finished / bytes still in journals", QStringLiteral("%1 / %2").arg(finished).arg(waiting), "8 / 0");
    row("1 GiB upload: answered 413 after (ms)",
        refused ? QString::number(refusedMs, 'f', 0) : QStringLiteral("not refused"), "413");
    row("peak RSS of the service before the 2M batch (MB)", QString::number(peakBeforeBatch, 'f', 0), "< 300");
    row("peak RSS of the service, 2M batch included (MB)", QString::number(peak, 'f', 0), "< 300");
    row("RSS with 1,000 idle sockets open (MB)", QString::number(rss, 'f', 0), "");
    row("worst of 20 reads, quiet service (ms, baseline)", QString::number(quiet, 'f', 1), "");
    row("worst of 20 reads, 1,000 idle sockets open (ms)", QString::number(flooded, 'f', 1), "< 200");
    row("  ratio against the quiet service", QStringLiteral("%1x").arg(flooded / std::max(quiet, 0.001), 0, 'f', 2),
        "");
    row("2M-point batch stored / seconds",
        QStringLiteral("%1 / %2")
            .arg(batchStored ? QStringLiteral("yes") : QStringLiteral("no"))
            .arg(batchSeconds, 0, 'f', 1),
        "yes");
    row("  worst of the reads during it (ms)",
        QStringLiteral("%1 (%2 reads)").arg(duringBatch, 0, 'f', 1).arg(readsDuringBatch), "< 200");
    row("token revoked halfway: bytes left in the journal", QString::number(waitingAfterRevoke), "> 0");
    row("  with a new token: stored / lost / applied twice", lossRow(200, storedAfterRevoke), "200 / 0 / 0");
    row("registry disk full halfway: bytes left in the journal", QString::number(waitingWhenFull), "> 0");
    row("  with room again: stored / lost / applied twice", lossRow(200, storedAfterFull), "200 / 0 / 0");
    row("PostgreSQL restart: bytes left in the journal", QString::number(waitingAfterRestart), "0");
    row("  stored / lost / applied twice", lossRow(200, storedAfterRestart), "200 / 0 / 0");
    row("  first read answered after PostgreSQL is back (ms)", QString::number(recoveredMs, 'f', 0), "");
    row("prlimit --fsize on a resumed run: status / exit / journal left", fsizeEnd, "failed / exit 1 / 0 B");
    std::printf("\nHostile clients (a fresh service; the worst of a legitimate client's reads meanwhile)\n\n");
    std::printf("| %-50s | %8s | %8s | %14s |\n", "attack", "measured", "target", "worst read (ms)");
    std::printf("|%s|%s|%s|%s|\n", std::string(52, '-').c_str(), std::string(10, '-').c_str(),
                std::string(10, '-').c_str(), std::string(16, '-').c_str());
    bool withstood = !attacks.empty();
    for (const Attack& attack : attacks) {
        std::printf("| %-50s | %8s | %8s | %14.1f |\n", attack.what, qPrintable(attack.measured), attack.target,
                    attack.worstReadMs);
        withstood = withstood && attack.held;
    }
    const bool allKept = withstood && fsizeHeld && storedAfterRevoke == 200 && storedAfterFull == 200 &&
                         storedAfterRestart == 200 && waitingAfterNewToken == 0 && waitingWithRoom == 0 &&
                         waitingAfterRestart == 0;
    return missing == 0 && duplicated == 0 && stored == sent && refused && batchStored && allKept ? 0 : 1;
}
