// The registry service under load, on SQLite and on PostgreSQL: reservations from 64 concurrent clients,
// scalar ingest in batches, and a 1M-point series downsampled by the server. The service runs in its own
// thread; the clients are raw keep-alive HTTP/1.1 connections in the main thread.
//
//   ./build/bench/bench_registry_service [sqlite|postgresql|both]
#include "../tests/PostgresCluster.h"
#include "ServiceThread.h"
#include "registry/RegistryWire.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSemaphore>
#include <QSet>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

using namespace jikken;

namespace {

constexpr int kClients = 64;
constexpr int kReservationsPerClient = 150;
constexpr int kIngestPoints = 1'000'000;
constexpr int kIngestBatch = 100'000;
constexpr double kSpreadsheetWritesPerSecond = 300.0 / 60.0; // the user's old spreadsheet API

/// One keep-alive connection that sends `count` requests one after another and times each.
class Client
{
public:
    Client(quint16 port, QByteArray request, int count, std::vector<double>* latencies, QStringList* bodies)
        : m_request(std::move(request)), m_left(count), m_latencies(latencies), m_bodies(bodies)
    {
        QObject::connect(&m_socket, &QTcpSocket::connected, &m_socket, [this] { sendNext(); });
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &m_socket, [this] { read(); });
        m_socket.connectToHost(QHostAddress::LocalHost, port);
    }
    bool done() const { return m_left == 0 && !m_waiting; }
    int failures() const { return m_failures; }

private:
    void sendNext()
    {
        if (m_left == 0)
            return;
        --m_left;
        m_waiting = true;
        m_timer.start();
        m_socket.write(m_request);
    }
    void read()
    {
        m_buffer += m_socket.readAll();
        for (;;) {
            const qsizetype headerEnd = m_buffer.indexOf("\r\n\r\n");
            if (headerEnd < 0)
                return;
            const QByteArray head = m_buffer.left(headerEnd).toLower();
            const qsizetype at = head.indexOf("content-length:");
            const qsizetype length =
                at < 0 ? 0 : head.mid(at + 15, head.indexOf('\r', at) - at - 15).trimmed().toLongLong();
            if (m_buffer.size() < headerEnd + 4 + length)
                return;
            const int status = head.mid(9, 3).toInt();
            if (status >= 300)
                ++m_failures;
            m_latencies->push_back(m_timer.nsecsElapsed() / 1e6);
            if (m_bodies)
                m_bodies->append(QString::fromUtf8(m_buffer.mid(headerEnd + 4, length)));
            m_buffer.remove(0, headerEnd + 4 + length);
            m_waiting = false;
            sendNext();
        }
    }

    QTcpSocket m_socket;
    QByteArray m_request;
    int m_left;
    bool m_waiting = false;
    int m_failures = 0;
    QElapsedTimer m_timer;
    QByteArray m_buffer;
    std::vector<double>* m_latencies;
    QStringList* m_bodies;
};

QByteArray httpRequest(const char* verb, const QByteArray& path, const QString& token, const QByteArray& contentType,
                       const QByteArray& body)
{
    return QByteArray(verb) + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token.toUtf8() +
           "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" +
           body;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, static_cast<size_t>(p * values.size()))];
}

void row(const char* backend, const char* job, const QString& value, const QString& target, double ratio)
{
    std::printf("| %-10s | %-52s | %-26s | %-14s | %6.2fx |\n", backend, job, qPrintable(value), qPrintable(target),
                ratio);
}

/// Drives `clients` until all are done; returns seconds.
double drive(std::vector<std::unique_ptr<Client>>& clients)
{
    QElapsedTimer timer;
    timer.start();
    while (!std::all_of(clients.begin(), clients.end(), [](const auto& c) { return c->done(); })) {
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
        if (timer.elapsed() > 300000) {
            std::fprintf(stderr, "a phase took over 5 minutes; giving up\n");
            std::exit(1);
        }
    }
    return timer.nsecsElapsed() / 1e9;
}

bool benchBackend(const char* backend, const QString& database)
{
    // A day holds 999 IDs; the bench's clock turns a day every 10 readings (5 batches of at most 64
    // reservations) so that all of them fit.
    auto readings = std::make_shared<std::atomic<qint64>>(0);
    ServiceThread service(database, [readings] {
        return QDateTime(QDate(2019, 7, 5), QTime(12, 0), Qt::UTC).addDays(readings->fetch_add(1) / 10);
    });
    if (!service.port()) {
        std::fprintf(stderr, "%s: %s\n", backend, qPrintable(service.error()));
        return false;
    }
    const QString& token = service.token();

    // 1. Reservations: 64 clients at once, each one request after another.
    std::vector<double> latencies;
    QStringList bodies;
    std::vector<std::unique_ptr<Client>> clients;
    const QByteArray reserve =
        httpRequest("POST", "/api/v1/reserve", token, "application/json", "{\"method\":\"bench\"}");
    for (int i = 0; i < kClients; ++i)
        clients.push_back(
            std::make_unique<Client>(service.port(), reserve, kReservationsPerClient, &latencies, &bodies));
    const double seconds = drive(clients);
    std::fprintf(stderr, "%s: reservations done\n", backend);
    int failures = 0;
    for (const auto& c : clients)
        failures += c->failures();
    QSet<QString> ids;
    for (const QString& body : bodies)
        ids.insert(QJsonDocument::fromJson(body.toUtf8()).object().value(QStringLiteral("id")).toString());
    const int total = kClients * kReservationsPerClient;
    const double perSecond = total / seconds;
    const int duplicates = static_cast<int>(bodies.size() - ids.size());
    row(backend, "reserve: 64 concurrent clients, IDs/s", QString::number(perSecond, 'f', 0), QStringLiteral(">= 2000"),
        perSecond / 2000);
    row(backend, "reserve: p50 / p99 latency (ms)",
        QStringLiteral("%1 / %2")
            .arg(percentile(latencies, 0.5), 0, 'f', 2)
            .arg(percentile(latencies, 0.99), 0, 'f', 2),
        QStringLiteral("p99 <= 20"), 20 / std::max(1e-9, percentile(latencies, 0.99)));
    row(backend, "reserve: duplicates / failed requests",
        QStringLiteral("%1 / %2 of %3").arg(duplicates).arg(failures).arg(total), QStringLiteral("0"),
        duplicates == 0 ? 1.0 : 0.0);
    row(backend, "reserve vs the spreadsheet API (5 writes/s)", QString::number(perSecond, 'f', 0), QStringLiteral("-"),
        perSecond / kSpreadsheetWritesPerSecond);

    // 2. Scalar ingest: 1M points in protobuf batches of 100k, into one run.
    const QString run = ids.values().first();
    QVector<ScalarPoint> batch;
    std::vector<double> ingestLatencies;
    std::vector<std::unique_ptr<Client>> ingest;
    QElapsedTimer encode;
    encode.start();
    QByteArrayList requests;
    for (int start = 0; start < kIngestPoints; start += kIngestBatch) {
        batch.clear();
        for (int step = start; step < start + kIngestBatch; ++step)
            batch.append({QStringLiteral("train/loss"), step, 1.7e9 + step * 0.01,
                          2.0 * std::exp(-step / 2e5) + 0.01 * std::sin(step)});
        requests << httpRequest("POST", "/api/v1/runs/" + run.toUtf8() + "/scalars", token, "application/x-protobuf",
                                RegistryWire::scalarsToProtobuf(batch));
    }
    const double encodeSeconds = encode.nsecsElapsed() / 1e9;
    // One connection sends the batches back to back (a companion flushing its backlog after an outage).
    QElapsedTimer ingestTimer;
    ingestTimer.start();
    for (const QByteArray& request : requests) {
        std::vector<std::unique_ptr<Client>> single;
        single.push_back(std::make_unique<Client>(service.port(), request, 1, &ingestLatencies, nullptr));
        drive(single);
        failures += single.front()->failures();
    }
    const double ingestSeconds = ingestTimer.nsecsElapsed() / 1e9;
    row(backend, "ingest: 1M points, 10 protobuf batches, points/s",
        QString::number(kIngestPoints / ingestSeconds, 'f', 0), QStringLiteral(">= 1000000"),
        kIngestPoints / ingestSeconds / 1e6);
    row(backend, "ingest: client-side protobuf encoding, points/s",
        QString::number(kIngestPoints / encodeSeconds, 'f', 0), QStringLiteral("-"), 1.0);

    // 3. The million-point series, downsampled to 2,000 points by the server: first read (from the
    // database), then from the service's series cache.
    std::vector<double> cold;
    std::vector<double> warm;
    const QByteArray series =
        httpRequest("GET", "/api/v1/runs/" + run.toUtf8() + "/series?tags=train/loss&points=2000&method=lttb", token,
                    "application/json", {});
    QStringList seriesBodies;
    {
        std::vector<std::unique_ptr<Client>> one;
        one.push_back(std::make_unique<Client>(service.port(), series, 1, &cold, &seriesBodies));
        drive(one);
    }
    {
        std::vector<std::unique_ptr<Client>> one;
        one.push_back(std::make_unique<Client>(service.port(), series, 20, &warm, nullptr));
        drive(one);
    }
    const QJsonObject answer = QJsonDocument::fromJson(seriesBodies.value(0).toUtf8()).object();
    const int totalPoints =
        answer.value(QStringLiteral("series")).toArray().at(0).toObject().value(QStringLiteral("total")).toInt();
    row(backend, "series 1M -> 2,000 (LTTB), cached: median ms", QString::number(percentile(warm, 0.5), 'f', 2),
        QStringLiteral("<= 50"), 50 / std::max(1e-9, percentile(warm, 0.5)));
    row(backend, "series 1M -> 2,000 (LTTB), first read from the database: ms",
        QStringLiteral("%1 (%2 points)").arg(cold.front(), 0, 'f', 1).arg(totalPoints), QStringLiteral("-"),
        50 / std::max(1e-9, cold.front()));
    if (failures > 0)
        std::fprintf(stderr, "%s: %d requests failed\n", backend, failures);
    return failures == 0 && duplicates == 0 && totalPoints == kIngestPoints;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QString which = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral("both");
    std::printf("| %-10s | %-52s | %-26s | %-14s | %7s |\n", "backend", "job", "measured", "target", "ratio");
    std::printf("|------------|------------------------------------------------------|----------------------------|----"
                "------------|---------|\n");
    bool ok = true;
    QTemporaryDir dir;
    if (which == QLatin1String("sqlite") || which == QLatin1String("both"))
        ok = benchBackend("sqlite", dir.filePath(QStringLiteral("bench.sqlite"))) && ok;
    if (which == QLatin1String("postgresql") || which == QLatin1String("both")) {
        testing::PostgresCluster cluster;
        QString error;
        if (!cluster.start(&error)) {
            std::fprintf(stderr, "postgresql: %s\n", qPrintable(error));
            return 1;
        }
        ok = benchBackend("postgresql", cluster.url()) && ok;
    }
    std::printf("(ratio: measured / target, or target / measured for times; > 1 meets the target)\n");
    return ok ? 0 : 1;
}
