// The registry service in-process: a RegistryServer on a free loopback port, spoken to over real HTTP by
// HttpRegistryClient and by raw QNetworkAccessManager requests. Runs on both backends.
#include "RegistryBackend.h"
#include "RegistryServer.h"
#include "SeriesCache.h"
#include "registry/AccessTokens.h"
#include "registry/AlertRules.h"
#include "registry/HttpRegistryClient.h"
#include "registry/RegistryWire.h"
#include "registry/StoredText.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

using namespace jikken;

namespace {

struct HttpResult
{
    int status = 0;
    QJsonObject json;
    QByteArray body;
    QList<QNetworkReply::RawHeaderPair> headers;
};

/// A webhook on loopback, as Slack's or ntfy's would take alerts: each POST's body, in order of arrival.
class WebhookReceiver : public QObject
{
public:
    WebhookReceiver()
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            QTcpSocket* socket = m_server.nextPendingConnection();
            auto buffer = std::make_shared<QByteArray>();
            connect(socket, &QTcpSocket::readyRead, socket, [this, socket, buffer] {
                *buffer += socket->readAll();
                const qsizetype end = buffer->indexOf("\r\n\r\n");
                if (end < 0)
                    return;
                const QByteArray head = buffer->left(end).toLower();
                const qsizetype at = head.indexOf("content-length:");
                const int length = at < 0 ? 0 : head.mid(at + 15, head.indexOf('\r', at) - at - 15).trimmed().toInt();
                if (buffer->size() < end + 4 + length)
                    return;
                bodies << QString::fromUtf8(buffer->mid(end + 4, length));
                buffer->clear();
                socket->write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            });
        });
    }

    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/hook").arg(m_server.serverPort())); }
    /// The alerts' JSON objects so far.
    QList<QJsonObject> alerts() const
    {
        QList<QJsonObject> all;
        for (const QString& body : bodies)
            all << QJsonDocument::fromJson(body.toUtf8()).object();
        return all;
    }

    QStringList bodies;

private:
    QTcpServer m_server;
};

} // namespace

class TestRegistryService : public QObject
{
    Q_OBJECT

private:
    testing::RegistryBackend m_backend;
    std::unique_ptr<RegistryServer> m_server;
    QString m_writeToken;
    QString m_readToken;
    QNetworkAccessManager m_network;
    int m_databases = 0;
    bool m_tokenTestServer = false;

    // A fresh database and server per test, so tests do not see each other's runs.
    void startServer(ServerOptions options = {})
    {
        m_server.reset();
        QString error;
        options.port = 0;
        options.database = m_backend.database(QStringLiteral("service%1").arg(++m_databases), &error);
        m_server = std::make_unique<RegistryServer>(options);
        QVERIFY2(m_server->start(&error), qPrintable(error));
        AccessTokens tokens(m_server->store().database());
        m_writeToken = *tokens.create(QStringLiteral("writer"), false, &error);
        m_readToken = *tokens.create(QStringLiteral("reader"), true, &error);
    }

    HttpRegistryClient client(const QString& token) const { return HttpRegistryClient(QUrl(m_server->url()), token); }

    HttpResult request(const QByteArray& verb, const QString& path, const QByteArray& body = {},
                       const QString& token = {}, const QByteArray& contentType = "application/json",
                       const QList<QPair<QByteArray, QByteArray>>& headers = {})
    {
        QNetworkRequest request(QUrl(m_server->url() + path));
        if (!token.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
        if (!contentType.isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
        for (const auto& [key, value] : headers)
            request.setRawHeader(key, value);
        QNetworkReply* reply = m_network.sendCustomRequest(request, verb, body);
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        HttpResult result;
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.body = reply->readAll();
        result.json = QJsonDocument::fromJson(result.body).object();
        result.headers = reply->rawHeaderPairs();
        reply->deleteLater();
        return result;
    }

    /// Opens a raw connection to the service and sends `bytes` (more may follow).
    std::unique_ptr<QTcpSocket> connectRaw(const QByteArray& bytes = {})
    {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QHostAddress::LocalHost, m_server->port());
        if (!socket->waitForConnected(5000))
            return nullptr;
        if (!bytes.isEmpty()) {
            socket->write(bytes);
            socket->waitForBytesWritten(5000);
        }
        return socket;
    }

    /// What the service sends back within `ms`, until it closes the connection or a first answer is in.
    static QByteArray answerOf(QTcpSocket& socket, int ms)
    {
        QElapsedTimer timer;
        timer.start();
        QByteArray answer;
        while (timer.elapsed() < ms && socket.state() == QAbstractSocket::ConnectedState &&
               !answer.contains("\r\n\r\n")) {
            QTest::qWait(20); // the service runs on this thread
            answer += socket.readAll();
        }
        return answer + socket.readAll();
    }

    /// A new request is answered, within 2 s, whatever else the service holds (the last check of a test).
    void answeredPromptly(const QString& token)
    {
        QElapsedTimer timer;
        timer.start();
        QCOMPARE(request("GET", QStringLiteral("/api/v1/info"), {}, token).status, 200);
        QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
    }

    static bool allFinished(const QList<QNetworkReply*>& replies)
    {
        return std::all_of(replies.begin(), replies.end(), [](QNetworkReply* reply) { return reply->isFinished(); });
    }

    QString reserve(const QString& method = QStringLiteral("svc"))
    {
        QString error;
        const auto id = client(m_writeToken).reserve(method, &error);
        return id ? id->toString() : QString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString error;
        QVERIFY2(m_backend.start(&error), qPrintable(error));
    }

    void clientAndStoreAgree()
    {
        startServer();
        HttpRegistryClient registry = client(m_writeToken);
        QString error;
        const auto id = registry.reserve(QStringLiteral("focalloss"), &error);
        QVERIFY2(id, qPrintable(error));
        RunDescription d;
        d.model = QStringLiteral("resnet18");
        d.hparams = {{QStringLiteral("lr"), 0.1}};
        d.totalEpochs = 3;
        d.gitDirty = true;
        QVERIFY2(registry.describe(id->toString(), d, &error), qPrintable(error));
        QVERIFY(registry.setStatus(id->toString(), RunStatus::Running, {}, &error));
        QVERIFY(registry.reportProgress(id->toString(), 1, 100, 0.4, &error));
        QVERIFY(registry.reportProgress(id->toString(), 2, 200, 0.3, &error));
        QVERIFY(registry.setMemo(id->toString(), QStringLiteral("γ=2 のテスト"), &error));
        QVector<ScalarPoint> points;
        for (int step = 0; step < 1000; ++step)
            points.append({QStringLiteral("train/loss"), step, 1.7e9 + step, 1.0 / (step + 1)});
        QVERIFY2(registry.addScalars(id->toString(), points, &error), qPrintable(error));
        QVERIFY(registry.addScalars(id->toString(), points.mid(990), &error)); // a replay
        // A diverged loss is kept, through protobuf and through JSON (where NaN is spelled out).
        QVERIFY(registry.addScalars(id->toString(), {{QStringLiteral("diverged"), 1, 1.0, qQNaN()}}, &error));
        const HttpResult nan = request("POST", QStringLiteral("/api/v1/runs/%1/scalars").arg(id->toString()),
                                       "{\"points\": [{\"tag\": \"diverged\", \"step\": 2, \"wall_time\": 2, "
                                       "\"value\": \"Infinity\"}]}",
                                       m_writeToken);
        QCOMPARE(nan.status, 200);
        const QVector<ScalarPoint> diverged =
            registry.scalars(id->toString(), QStringLiteral("diverged"), &error).value();
        QCOMPARE(diverged.size(), 2);
        QVERIFY(std::isnan(diverged[0].value));
        QVERIFY(std::isinf(diverged[1].value));

        const auto run = registry.run(id->toString(), &error);
        QVERIFY2(run, qPrintable(error));
        const auto stored = m_server->store().run(id->toString(), &error);
        QCOMPARE(run->model, QStringLiteral("resnet18"));
        QCOMPARE(run->memo, QStringLiteral("γ=2 のテスト"));
        QCOMPARE(*run->bestTestError, 0.3);
        QCOMPARE(run->epoch, 2);
        QVERIFY(run->gitDirty);
        QCOMPARE(run->created, stored->created);
        QCOMPARE(run->heartbeat, stored->heartbeat);
        // The colour it was dealt, then the user's; one that is not #rrggbb is a 400 and changes nothing.
        QCOMPARE(run->colour, stored->colour);
        QVERIFY2(registry.setColour(id->toString(), QStringLiteral("#0A0B0C"), &error), qPrintable(error));
        QCOMPARE(registry.run(id->toString(), &error)->colour, QStringLiteral("#0a0b0c"));
        const HttpResult badColour = request("PUT", QStringLiteral("/api/v1/runs/%1/colour").arg(id->toString()),
                                             "{\"colour\": \"url(javascript:x)\"}", m_writeToken);
        QCOMPARE(badColour.status, 400);
        QVERIFY2(badColour.body.contains("#rrggbb"), badColour.body.constData());
        QCOMPARE(registry.run(id->toString(), &error)->colour, QStringLiteral("#0a0b0c"));
        // The checkpoints its trainer keeps, as it sends them.
        CheckpointRecord best{QStringLiteral("best"),
                              40,
                              2,
                              QStringLiteral("test/error"),
                              0.125,
                              QStringLiteral("gpu1"),
                              QStringLiteral("/runs/x/best-40.pt"),
                              1234,
                              QString(64, u'a'),
                              true};
        CheckpointRecord removed = best;
        removed.kind = QStringLiteral("last");
        removed.value.reset();
        removed.kept = false;
        QVERIFY2(registry.setCheckpoints(id->toString(), {removed, best}, &error), qPrintable(error));
        QCOMPARE(registry.run(id->toString(), &error)->checkpoints, (QVector<CheckpointRecord>{removed, best}));
        QCOMPARE(m_server->store().run(id->toString(), &error)->checkpoints,
                 (QVector<CheckpointRecord>{removed, best}));
        QCOMPARE(registry.tags(id->toString(), &error).value(),
                 (QStringList{QStringLiteral("diverged"), QStringLiteral("train/loss")}));
        const QVector<ScalarPoint> back =
            registry.scalars(id->toString(), QStringLiteral("train/loss"), &error).value();
        QCOMPARE(back.size(), 1000);
        QCOMPARE(back[999].value, 1.0 / 1000);
        QCOMPARE(back[999].wallTime, 1.7e9 + 999);
        RunFilter filter;
        filter.method = QStringLiteral("focalloss");
        QCOMPARE(registry.runs(filter, &error).value().size(), 1);
        filter.method = QStringLiteral("other");
        QCOMPARE(registry.runs(filter, &error).value().size(), 0);
        QVERIFY(!registry.setMemo(QStringLiteral("20000101_01_none"), QStringLiteral("x"), &error));
        QVERIFY2(error.contains(QStringLiteral("404")), qPrintable(error));
        QCOMPARE(registry.lastFailure(), RegistryFailure::UnknownRun);
    }

    void everyEndpointNeedsAToken_data()
    {
        QTest::addColumn<QByteArray>("verb");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("body");
        const QString run = QStringLiteral("/api/v1/runs/20190705_01_svc");
        QTest::newRow("info") << QByteArray("GET") << QStringLiteral("/api/v1/info") << QByteArray();
        QTest::newRow("list") << QByteArray("GET") << QStringLiteral("/api/v1/runs") << QByteArray();
        QTest::newRow("run") << QByteArray("GET") << run << QByteArray();
        QTest::newRow("scalars") << QByteArray("GET") << run + QStringLiteral("/scalars") << QByteArray();
        QTest::newRow("series") << QByteArray("GET") << run + QStringLiteral("/series?tags=a") << QByteArray();
        QTest::newRow("tags") << QByteArray("GET") << run + QStringLiteral("/tags") << QByteArray();
        QTest::newRow("changes") << QByteArray("GET") << QStringLiteral("/api/v1/changes?wait=0") << QByteArray();
        QTest::newRow("reserve") << QByteArray("POST") << QStringLiteral("/api/v1/reserve")
                                 << QByteArray("{\"method\":\"x\"}");
        QTest::newRow("import") << QByteArray("POST") << QStringLiteral("/api/v1/import")
                                << QByteArray("{\"runs\":[]}");
        QTest::newRow("status") << QByteArray("POST") << run + QStringLiteral("/status")
                                << QByteArray("{\"status\":\"running\"}");
        QTest::newRow("progress") << QByteArray("POST") << run + QStringLiteral("/progress")
                                  << QByteArray("{\"epoch\":1,\"step\":1}");
        QTest::newRow("heartbeat") << QByteArray("POST") << run + QStringLiteral("/heartbeat") << QByteArray();
        QTest::newRow("post scalars") << QByteArray("POST") << run + QStringLiteral("/scalars")
                                      << QByteArray("{\"points\":[]}");
        QTest::newRow("description") << QByteArray("PUT") << run + QStringLiteral("/description") << QByteArray("{}");
        QTest::newRow("device") << QByteArray("PUT") << run + QStringLiteral("/device")
                                << QByteArray("{\"device\":\"cpu\"}");
        QTest::newRow("memo") << QByteArray("PUT") << run + QStringLiteral("/memo") << QByteArray("{\"memo\":\"m\"}");
        QTest::newRow("colour") << QByteArray("PUT") << run + QStringLiteral("/colour")
                                << QByteArray("{\"colour\":\"#000000\"}");
        QTest::newRow("final") << QByteArray("PUT") << run + QStringLiteral("/final_metrics") << QByteArray("{}");
        QTest::newRow("checkpoints") << QByteArray("PUT") << run + QStringLiteral("/checkpoints")
                                     << QByteArray("{\"checkpoints\":[]}");
    }

    void everyEndpointNeedsAToken()
    {
        QFETCH(QByteArray, verb);
        QFETCH(QString, path);
        QFETCH(QByteArray, body);
        if (!m_tokenTestServer) { // one server for all rows
            m_tokenTestServer = true;
            startServer();
            RunRecord run;
            run.id = QStringLiteral("20190705_01_svc");
            QString error;
            QVERIFY(m_server->store().importRuns({run}, &error));
        }
        const HttpResult anonymous = request(verb, path, body);
        QCOMPARE(anonymous.status, 401);
        QVERIFY(anonymous.json.value(QStringLiteral("error")).toString().contains(QStringLiteral("token")));
        const HttpResult forged = request(verb, path, body, QStringLiteral("jk_forged"));
        QCOMPARE(forged.status, 401);
        const bool write = verb != "GET";
        const HttpResult reader = request(verb, path, body, m_readToken);
        QCOMPARE(reader.status, write ? 403 : 200);
        if (write) {
            const HttpResult writer = request(verb, path, body, m_writeToken);
            QVERIFY2(writer.status >= 200 && writer.status < 300, writer.body.constData());
        }
    }

    void revokedTokensStopWorking()
    {
        startServer();
        QString error;
        QVERIFY(!reserve().isEmpty());
        QVERIFY(AccessTokens(m_server->store().database()).revoke(QStringLiteral("writer"), &error));
        QTest::qWait(2100); // the service re-checks a token at least every 2 s
        QCOMPARE(request("POST", QStringLiteral("/api/v1/reserve"), "{\"method\":\"x\"}", m_writeToken).status, 401);
    }

    // A journal report carries a sequence number: the same report sent again (a retry after a timeout)
    // or an older one arriving late is acknowledged but not applied, so a run never steps back.
    void journalReportsApplyOnceAndInOrder()
    {
        startServer();
        const QString id = reserve();
        const auto post = [&](const QByteArray& body, qint64 sequence) {
            return request("POST", QStringLiteral("/api/v1/runs/%1/status").arg(id), body, m_writeToken,
                           "application/json", {{"Jikken-Journal-Sequence", QByteArray::number(sequence)}});
        };
        const auto status = [&] {
            QString error;
            const auto run = m_server->store().run(id, &error);
            return run ? toString(run->status) : error;
        };
        QCOMPARE(post("{\"status\": \"running\"}", 1'000'000).status, 200);
        const HttpResult finished = post("{\"status\": \"finished\"}", 2'000'000);
        QCOMPARE(finished.status, 200);
        QCOMPARE(finished.json.value(QStringLiteral("applied")).toBool(true), true);
        QCOMPARE(status(), QStringLiteral("finished"));
        for (const qint64 late : {qint64(2'000'000), qint64(1'000'000)}) { // a copy, then an overtaken one
            const HttpResult again = post("{\"status\": \"running\"}", late);
            QCOMPARE(again.status, 200); // done already: the journal may let it go
            QCOMPARE(again.json.value(QStringLiteral("applied")).toBool(true), false);
            QCOMPARE(status(), QStringLiteral("finished"));
        }
        // Progress the same way; reports without a number (the app's memo) are applied as they come.
        const auto progress = [&](int epoch, qint64 sequence) {
            return request("POST", QStringLiteral("/api/v1/runs/%1/progress").arg(id),
                           QStringLiteral("{\"epoch\": %1, \"step\": %2}").arg(epoch).arg(epoch * 10).toUtf8(),
                           m_writeToken, "application/json",
                           {{"Jikken-Journal-Sequence", QByteArray::number(sequence)}});
        };
        QCOMPARE(progress(3, 3'000'000).status, 200);
        QCOMPARE(progress(2, 2'500'000).status, 200);
        QString error;
        QCOMPARE(m_server->store().run(id, &error)->epoch, 3);
        QCOMPARE(
            request("PUT", QStringLiteral("/api/v1/runs/%1/memo").arg(id), "{\"memo\": \"m\"}", m_writeToken).status,
            200);
        QCOMPARE(m_server->store().run(id, &error)->memo, QStringLiteral("m"));
        // A malformed number is a bad request, and changes nothing.
        for (const QByteArray& bad : {QByteArray("abc"), QByteArray("-5"), QByteArray("0")}) {
            const HttpResult refused =
                request("POST", QStringLiteral("/api/v1/runs/%1/status").arg(id), "{\"status\": \"running\"}",
                        m_writeToken, "application/json", {{"Jikken-Journal-Sequence", bad}});
            QCOMPARE(refused.status, 400);
        }
        QCOMPARE(status(), QStringLiteral("finished"));
        // An unknown run is still a 404, numbered or not.
        QCOMPARE(request("POST", QStringLiteral("/api/v1/runs/20200101_01_none/status"), "{\"status\": \"running\"}",
                         m_writeToken, "application/json", {{"Jikken-Journal-Sequence", "5"}})
                     .status,
                 404);
    }

    // A body is refused by its headers, before a byte of it is sent: too large (413), or without a token
    // the service knows (401). A chunked body is cut off at the limit.
    void bodiesAreRefusedByTheirHeaders()
    {
        ServerOptions options;
        options.maxBodyBytes = 1 << 20;
        startServer(options);
        const QByteArray post =
            "POST /api/v1/reserve HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
        const QByteArray bearer = "Authorization: Bearer " + m_writeToken.toUtf8() + "\r\n";
        auto huge = connectRaw(post + bearer + "Content-Length: 1073741824\r\n\r\n");
        QVERIFY(huge);
        QVERIFY2(answerOf(*huge, 5000).startsWith("HTTP/1.1 413"), "a 1 GiB body is refused before it is sent");

        for (const QByteArray& who : {QByteArray(), QByteArray("Authorization: Bearer jk_forged\r\n")}) {
            auto anonymous = connectRaw(post + who + "Content-Length: 1000\r\n\r\n");
            QVERIFY(anonymous);
            const QByteArray answer = answerOf(*anonymous, 5000);
            QVERIFY2(answer.startsWith("HTTP/1.1 401"), answer.constData());
        }

        auto chunked = connectRaw(post + bearer + "Transfer-Encoding: chunked\r\n\r\n");
        QVERIFY(chunked);
        const QByteArray chunk = QByteArray::number(64 << 10, 16) + "\r\n" + QByteArray(64 << 10, 'x') + "\r\n";
        for (int i = 0; i < 40 && chunked->state() == QAbstractSocket::ConnectedState; ++i) { // 2.5 MiB offered
            chunked->write(chunk);
            QTest::qWait(10);
        }
        const QByteArray cut = answerOf(*chunked, 5000);
        QVERIFY2(cut.startsWith("HTTP/1.1 413") || chunked->state() != QAbstractSocket::ConnectedState,
                 cut.left(200).constData());

        // More header fields than Qt HttpServer keeps: 431, not a token that seems to be missing.
        QByteArray many =
            "GET /api/v1/info HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + m_readToken.toUtf8() + "\r\n";
        for (int i = 0; i < 150; ++i)
            many += "X-Field-" + QByteArray::number(i) + ": v\r\n";
        auto crowded = connectRaw(many + "\r\n");
        QVERIFY(crowded);
        const QByteArray crowdedAnswer = answerOf(*crowded, 5000);
        QVERIFY2(crowdedAnswer.startsWith("HTTP/1.1 431"), crowdedAnswer.constData());
        // Headers over 64 KiB: 431, whether they come in pieces or whole in one read.
        auto longLine =
            connectRaw("GET /api/v1/info?" + QByteArray(70 << 10, 'a') +
                       " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + m_readToken.toUtf8() + "\r\n\r\n");
        QVERIFY(longLine);
        const QByteArray longAnswer = answerOf(*longLine, 5000);
        QVERIFY2(longAnswer.startsWith("HTTP/1.1 431"), longAnswer.left(200).constData());

        // The service still answers, and a body within the limits goes through.
        QCOMPARE(request("POST", QStringLiteral("/api/v1/reserve"), "{\"method\":\"x\"}", m_writeToken).status, 201);
    }

    // A connection whose headers do not come in time, or that sits idle, is closed; past the cap the
    // longest idle one makes room, so real requests are answered under a flood of idle connections.
    void slowAndIdleConnectionsMakeRoom()
    {
        ServerOptions options;
        options.connections.headerTimeoutMs = 300;
        options.connections.idleTimeoutMs = 800;
        options.connections.maxConnections = 40;
        startServer(options);
        auto slow = connectRaw("GET /api/v1/info HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        QVERIFY(slow);
        const QByteArray timedOut = answerOf(*slow, 3000);
        QVERIFY2(timedOut.startsWith("HTTP/1.1 408"), timedOut.constData());
        auto idle = connectRaw();
        QVERIFY(idle);
        QVERIFY(answerOf(*idle, 3000).isEmpty() && idle->state() != QAbstractSocket::ConnectedState);

        // 200 connections that never send a byte, opened while the service runs (this thread's event loop).
        std::vector<std::unique_ptr<QTcpSocket>> flood;
        for (int i = 0; i < 200; ++i) {
            flood.push_back(std::make_unique<QTcpSocket>());
            flood.back()->connectToHost(QHostAddress::LocalHost, m_server->port());
        }
        const auto settled = [&] {
            return std::all_of(flood.begin(), flood.end(), [](const auto& socket) {
                return socket->state() == QAbstractSocket::ConnectedState ||
                       socket->state() == QAbstractSocket::UnconnectedState;
            });
        };
        QTRY_VERIFY_WITH_TIMEOUT(settled(), 20000);
        answeredPromptly(m_readToken);
    }

    void loopbackReadsCanBeOpened()
    {
        ServerOptions options;
        options.openLoopbackReads = true;
        startServer(options);
        QCOMPARE(request("GET", QStringLiteral("/api/v1/runs")).status, 200);
        QCOMPARE(request("POST", QStringLiteral("/api/v1/reserve"), "{\"method\":\"x\"}").status, 401);
        // A page elsewhere whose name was rebound to 127.0.0.1 (DNS rebinding) sends its own Host: no reads.
        for (const QByteArray& host : {QByteArray("localhost:1"), QByteArray("127.0.0.1"), QByteArray("[::1]:8470")})
            QCOMPARE(request("GET", QStringLiteral("/api/v1/runs"), {}, {}, {}, {{"Host", host}}).status, 200);
        for (const QByteArray& host : {QByteArray("evil.example"), QByteArray("evil.example:8470")})
            QCOMPARE(request("GET", QStringLiteral("/api/v1/runs"), {}, {}, {}, {{"Host", host}}).status, 421);
    }

    void badBodiesAreRefusedWithoutWriting_data()
    {
        QTest::addColumn<QString>("leaf");
        QTest::addColumn<QByteArray>("verb");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        QTest::newRow("truncated json") << "memo" << QByteArray("PUT") << QByteArray("{\"memo\": \"x")
                                        << QByteArray("application/json") << 400 << "malformed JSON";
        QTest::newRow("array body") << "memo" << QByteArray("PUT") << QByteArray("[1,2]")
                                    << QByteArray("application/json") << 400 << "JSON object";
        QTest::newRow("wrong type") << "memo" << QByteArray("PUT") << QByteArray("{\"memo\": 5}")
                                    << QByteArray("application/json") << 400 << "\"memo\" must be a string";
        QTest::newRow("unknown field") << "memo" << QByteArray("PUT") << QByteArray("{\"memo\": \"m\", \"memmo\": 1}")
                                       << QByteArray("application/json") << 400 << "unknown field \"memmo\"";
        QTest::newRow("fractional epoch")
            << "progress" << QByteArray("POST") << QByteArray("{\"epoch\": 1.5, \"step\": 3}")
            << QByteArray("application/json") << 400 << "whole number";
        QTest::newRow("negative step") << "progress" << QByteArray("POST") << QByteArray("{\"epoch\": 1, \"step\": -3}")
                                       << QByteArray("application/json") << 400 << "not a step";
        QTest::newRow("string error") << "progress" << QByteArray("POST")
                                      << QByteArray("{\"epoch\": 1, \"step\": 3, \"test_error\": \"0.3\"}")
                                      << QByteArray("application/json") << 400 << "must be a number";
        QTest::newRow("unknown status") << "status" << QByteArray("POST") << QByteArray("{\"status\": \"exploded\"}")
                                        << QByteArray("application/json") << 400 << "exploded";
        QTest::newRow("checkpoint sha256")
            << "checkpoints" << QByteArray("PUT")
            << QByteArray("{\"checkpoints\": [{\"kind\": \"best\", \"step\": 1, \"path\": \"/m.pt\", "
                          "\"sha256\": \"../../etc\"}]}")
            << QByteArray("application/json") << 400 << "64 lower-case hex";
        QTest::newRow("checkpoint kind") << "checkpoints" << QByteArray("PUT")
                                         << QByteArray("{\"checkpoints\": [{\"kind\": \"worst\", \"step\": 1, "
                                                       "\"path\": \"/m.pt\", \"sha256\": \"\"}]}")
                                         << QByteArray("application/json") << 400 << "worst";
        QTest::newRow("checkpoints not a list")
            << "checkpoints" << QByteArray("PUT") << QByteArray("{\"checkpoints\": {}}")
            << QByteArray("application/json") << 400 << "must be an array";
        QTest::newRow("point missing value")
            << "scalars" << QByteArray("POST")
            << QByteArray("{\"points\": [{\"tag\": \"a\", \"step\": 1, \"wall_time\": 1}, {\"tag\": \"a\", \"step\": "
                          "2, \"wall_time\": 1, \"value\": 1}]}")
            << QByteArray("application/json") << 400 << "point 0";
        QTest::newRow("second point bad")
            << "scalars" << QByteArray("POST")
            << QByteArray("{\"points\": [{\"tag\": \"a\", \"step\": 1, \"wall_time\": 1, \"value\": 1}, {\"tag\": "
                          "\"a\", \"step\": \"two\", \"wall_time\": 1, \"value\": 1}]}")
            << QByteArray("application/json") << 400 << "point 1";
        QTest::newRow("garbage protobuf")
            << "scalars" << QByteArray("POST") << QByteArray("\xff\xff\xff\xff\x0f garbage", 14)
            << QByteArray("application/x-protobuf") << 400 << "protobuf";
        QTest::newRow("form body") << "memo" << QByteArray("PUT") << QByteArray("memo=x")
                                   << QByteArray("application/x-www-form-urlencoded") << 415 << "JSON";
        QTest::newRow("wrong verb") << "memo" << QByteArray("POST") << QByteArray("{\"memo\": \"m\"}")
                                    << QByteArray("application/json") << 405 << "does not take";
        QTest::newRow("a leaf to read") << "history" << QByteArray("POST") << QByteArray("{}")
                                        << QByteArray("application/json") << 405 << "does not take";
        QTest::newRow("DELETE is no write") << "memo" << QByteArray("DELETE") << QByteArray("{\"memo\": \"m\"}")
                                            << QByteArray("application/json") << 405 << "does not take";
        QTest::newRow("PATCH is no POST") << "status" << QByteArray("PATCH") << QByteArray("{\"status\": \"failed\"}")
                                          << QByteArray("application/json") << 405 << "does not take";
        QTest::newRow("GET of a leaf to write")
            << "memo" << QByteArray("GET") << QByteArray() << QByteArray("application/json") << 405 << "does not take";
        QTest::newRow("no such leaf") << "nothing" << QByteArray("POST") << QByteArray("{}")
                                      << QByteArray("application/json") << 404 << "no such endpoint";
    }

    void badBodiesAreRefusedWithoutWriting()
    {
        QFETCH(QString, leaf);
        QFETCH(QByteArray, verb);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, contentType);
        QFETCH(int, status);
        QFETCH(QString, message);
        startServer();
        const QString id = reserve();
        QString error;
        const RunRecord before = *m_server->store().run(id, &error);
        const HttpResult result =
            request(verb, QStringLiteral("/api/v1/runs/%1/%2").arg(id, leaf), body, m_writeToken, contentType);
        QCOMPARE(result.status, status);
        const QString text = result.json.value(QStringLiteral("error")).toString();
        QVERIFY2(text.contains(message), qPrintable(text));
        const RunRecord after = *m_server->store().run(id, &error);
        QCOMPARE(after.memo, before.memo);
        QVERIFY(after.checkpoints.isEmpty());
        QCOMPARE(after.step, before.step);
        QCOMPARE(toString(after.status), toString(before.status));
        QCOMPARE(m_server->store().scalars(id, {}, &error).value().size(), 0); // no half of a batch
    }

    void malformedIdsAndPathsAreClear()
    {
        startServer();
        const HttpResult badId = request("GET", QStringLiteral("/api/v1/runs/2019075_03_x"), {}, m_readToken);
        QCOMPARE(badId.status, 400);
        QVERIFY(badId.json.value(QStringLiteral("error")).toString().contains(QStringLiteral("YYYYMMDD")));
        QCOMPARE(request("GET", QStringLiteral("/api/v1/runs/20190101_01_none"), {}, m_readToken).status, 404);
        QCOMPARE(request("GET", QStringLiteral("/api/v2/runs"), {}, m_readToken).status, 404);
        QCOMPARE(request("GET", QStringLiteral("/etc/passwd"), {}, m_readToken).status, 404);
        QCOMPARE(request("GET", QStringLiteral("/api/v1/runs?limit=0"), {}, m_readToken).status, 400);
        QCOMPARE(request("GET", QStringLiteral("/api/v1/runs?colour=red"), {}, m_readToken).status, 400);
        QCOMPARE(request("GET", QStringLiteral("/api/v1/runs?status=exploded"), {}, m_readToken).status, 400);
        for (const QString& query :
             {QStringLiteral("since=abc"), QStringLiteral("since=abc&wait=1"), QStringLiteral("since=1&wait=x"),
              QStringLiteral("since=-1"), QStringLiteral("wait=-2")})
            QCOMPARE(request("GET", QStringLiteral("/api/v1/changes?") + query, {}, m_readToken).status, 400);
    }

    // A "service" that answers 200 with what no registry sends: every read fails as the service's fault,
    // with no value (an empty list would read as "no runs"), never as the request's.
    void unreadableRepliesAreTheServicesFailure_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("not JSON") << QByteArray("<html>proxy login</html>");
        QTest::newRow("an array") << QByteArray("[1, 2]");
        QTest::newRow("wrong types") << QByteArray(R"({"tags": [1, null], "runs": [{"id": "garbage"}],)"
                                                   R"( "points": [{"step": "x"}], "series": [{"steps": "x"}]})");
    }

    void unreadableRepliesAreTheServicesFailure()
    {
        QFETCH(QByteArray, body);
        QTcpServer fake;
        QVERIFY(fake.listen(QHostAddress::LocalHost));
        connect(&fake, &QTcpServer::newConnection, &fake, [&fake, body] {
            QTcpSocket* socket = fake.nextPendingConnection();
            connect(socket, &QTcpSocket::readyRead, socket, [socket, body] {
                if (!socket->readAll().contains("\r\n\r\n"))
                    return;
                socket->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                              QByteArray::number(body.size()) + "\r\n\r\n" + body);
            });
        });
        HttpRegistryClient client(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(fake.serverPort())),
                                  QStringLiteral("t"), 5000);
        const QString id = QStringLiteral("20190705_01_x");
        QString error;
        QVERIFY(!client.tags(id, &error));
        QCOMPARE(client.lastFailure(), RegistryFailure::ServiceError);
        QVERIFY2(error.contains(QStringLiteral("127.0.0.1")), qPrintable(error));
        error.clear();
        QVERIFY(!client.runs({}, &error));
        QCOMPARE(client.lastFailure(), RegistryFailure::ServiceError);
        QVERIFY(!error.isEmpty());
        QVERIFY(!client.scalars(id, {}, &error));
        QCOMPARE(client.lastFailure(), RegistryFailure::ServiceError);
        QVERIFY(!client.series(id, QStringLiteral("loss"), &error));
        QCOMPARE(client.lastFailure(), RegistryFailure::ServiceError);
        QVERIFY(!client.seriesOfTags(id, {QStringLiteral("loss")}, &error));
        QCOMPARE(client.lastFailure(), RegistryFailure::ServiceError);
        QVERIFY(!client.history(id, &error));
        QCOMPARE(client.lastFailure(), RegistryFailure::ServiceError);
        QVERIFY(!client.today(&error));
        QCOMPARE(client.lastFailure(), RegistryFailure::ServiceError);
    }

    void oversizeBodiesAreRefused()
    {
        ServerOptions options;
        options.maxBodyBytes = 4096;
        options.limits.maxPointsPerBatch = 10;
        startServer(options);
        const QString id = reserve();
        const QByteArray big(8192, 'x');
        const HttpResult tooBig =
            request("PUT", QStringLiteral("/api/v1/runs/%1/memo").arg(id), "{\"memo\": \"" + big + "\"}", m_writeToken);
        QCOMPARE(tooBig.status, 413);
        QVector<ScalarPoint> points;
        for (int step = 0; step < 11; ++step)
            points.append({QStringLiteral("a"), step, 1, 1});
        const HttpResult tooMany =
            request("POST", QStringLiteral("/api/v1/runs/%1/scalars").arg(id), RegistryWire::scalarsToProtobuf(points),
                    m_writeToken, "application/x-protobuf");
        QCOMPARE(tooMany.status, 413);
        QString error;
        QCOMPARE(m_server->store().scalars(id, {}, &error).value().size(), 0);
        QVERIFY(m_server->store().run(id, &error)->memo.isEmpty());
        // The service is still there.
        QCOMPARE(request("GET", QStringLiteral("/api/v1/info"), {}, m_readToken).status, 200);
    }

    // A description names only what it changes; the rest stays as it was.
    void aPartialDescriptionChangesOnlyWhatItNames()
    {
        startServer();
        const QString id = reserve();
        const auto put = [&](const QByteArray& body) {
            return request("PUT", QStringLiteral("/api/v1/runs/%1/description").arg(id), body, m_writeToken).status;
        };
        QCOMPARE(put("{\"model\": \"resnet18\", \"hparams\": {\"lr\": 0.1}, \"total_epochs\": 30}"), 200);
        QCOMPARE(put("{\"host\": \"gpu1\"}"), 200);
        QString error;
        const auto run = m_server->store().run(id, &error);
        QVERIFY2(run, qPrintable(error));
        QCOMPARE(run->model, QStringLiteral("resnet18"));
        QCOMPARE(run->hparams.value(QStringLiteral("lr")).toDouble(), 0.1);
        QCOMPARE(run->totalEpochs, 30);
        QCOMPARE(run->host, QStringLiteral("gpu1"));
    }

    // The filter box's query runs where the registry is: the client's RunFilter::query becomes q=, the
    // service matches hyperparameters and labels, pages among the matches, and refuses a query it cannot read.
    void queriesRunInTheService()
    {
        startServer();
        QString error;
        HttpRegistryClient writer = client(m_writeToken);
        QStringList ids;
        for (const double lr : {0.1, 0.01, 0.02, 0.001}) {
            ids << reserve();
            RunDescription description;
            description.model = lr == 0.02 ? QStringLiteral("lenet") : QStringLiteral("resnet18");
            description.hparams = {{QStringLiteral("lr"), lr}};
            QVERIFY2(writer.describe(ids.last(), description, &error), qPrintable(error));
        }
        QVERIFY2(writer.setLabels(ids[3], {QStringLiteral("ablation")}, &error), qPrintable(error));
        const auto matching = [&](const QString& query, int limit = 0, int offset = 0) {
            RunFilter filter;
            filter.query = query;
            filter.limit = limit;
            filter.offset = offset;
            QStringList found;
            const auto runs = client(m_readToken).runs(filter, &error);
            for (const RunRecord& run : runs.value_or(QVector<RunRecord>{}))
                found << run.id;
            return found;
        };
        QCOMPARE(matching(QStringLiteral("model:resnet18 lr<0.05")), (QStringList{ids[1], ids[3]}));
        QCOMPARE(matching(QStringLiteral("tag:ablation")), QStringList{ids[3]});
        QCOMPARE(matching(QStringLiteral("model:resnet18"), 1, 1), QStringList{ids[1]});
        QCOMPARE(matching(QStringLiteral("-model:resnet18")), QStringList{ids[2]});
        const HttpResult raw = request("GET", QStringLiteral("/api/v1/runs?q=lr%3E%3D0.02"), {}, m_readToken);
        QCOMPARE(raw.status, 200);
        QCOMPARE(raw.json.value(QStringLiteral("runs")).toArray().size(), 2);
        QCOMPARE(request("GET", QStringLiteral("/api/v1/runs?q=lr%3Cabc"), {}, m_readToken).status, 400);
        RunFilter unreadable;
        unreadable.query = QStringLiteral("memo:\"open");
        HttpRegistryClient reader = client(m_readToken);
        QVERIFY(!reader.runs(unreadable, &error));
        QCOMPARE(reader.lastFailure(), RegistryFailure::Refused);
    }

    // The user's labels on a run, through the service: set by the client, in the run's JSON, refused when
    // malformed (400) and only with a write token.
    void labelsGoThroughTheService()
    {
        startServer();
        const QString id = reserve();
        QString error;
        QVERIFY2(client(m_writeToken).setLabels(id, {QStringLiteral("ablation"), QStringLiteral("要確認")}, &error),
                 qPrintable(error));
        const auto run = client(m_readToken).run(id, &error);
        QVERIFY2(run, qPrintable(error));
        QCOMPARE(run->labels, (QStringList{QStringLiteral("ablation"), QStringLiteral("要確認")}));
        const QString path = QStringLiteral("/api/v1/runs/%1/labels").arg(id);
        QCOMPARE(request("PUT", path, "{\"labels\": [\"two words\"]}", m_writeToken).status, 400);
        QCOMPARE(request("PUT", path, "{\"labels\": \"ablation\"}", m_writeToken).status, 400);
        QCOMPARE(request("PUT", path, "{\"labels\": []}", m_readToken).status, 403);
        QCOMPARE(request("GET", QStringLiteral("/api/v1/runs/%1").arg(id), {}, m_readToken)
                     .json.value(QStringLiteral("labels"))
                     .toArray()
                     .size(),
                 2);
    }

    // What no database should hold, or holds without end, is refused (or cut) the same on both backends,
    // with the field named and nothing written.
    void storedTextIsBoundedAndValid()
    {
        startServer();
        const QString id = reserve();
        const QString scalars = QStringLiteral("/api/v1/runs/%1/scalars").arg(id);
        const auto point = [](const QString& tag, const QByteArray& step) -> QByteArray {
            return "{\"points\": [{\"tag\": " +
                   QJsonDocument(QJsonArray{tag}).toJson(QJsonDocument::Compact).mid(1).chopped(1) +
                   ", \"step\": " + step + ", \"wall_time\": 1, \"value\": 1}]}";
        };
        const HttpResult nul =
            request("POST", scalars, point(QStringLiteral("loss") + QChar(0) + u'x', "1"), m_writeToken);
        QCOMPARE(nul.status, 400);
        QVERIFY2(nul.json.value(QStringLiteral("error")).toString().contains(QStringLiteral("control character")),
                 nul.body.constData());
        QCOMPARE(request("POST", scalars, point(QString(20000, u'x'), "1"), m_writeToken).status, 400);
        QCOMPARE(request("POST", scalars, point(QStringLiteral("loss"), "-1"), m_writeToken).status, 400);
        QCOMPARE(request("POST", scalars, point(QStringLiteral("loss"), "18014398509481984"), m_writeToken).status,
                 400);
        // The same through protobuf, where a step is a 64-bit integer.
        QString error;
        const QByteArray beyond =
            RegistryWire::scalarsToProtobuf({{QStringLiteral("loss"), (qint64(1) << 53) + 1, 1.0, 1.0}});
        QCOMPARE(request("POST", scalars, beyond, m_writeToken, "application/x-protobuf").status, 400);
        QCOMPARE(m_server->store().tags(id, &error).value().size(), 0);
        // The store itself refuses them too (the local file takes what the service takes).
        QVERIFY(!m_server->store().addScalars(id, {{QStringLiteral("a") + QChar(0), 1, 1, 1}}, &error));
        QCOMPARE(m_server->store().lastFailure(), RegistryFailure::Refused);
        QVERIFY(!m_server->store().addScalars(id, {{QStringLiteral("a"), -5, 1, 1}}, &error));
        QVERIFY(m_server->store().addScalars(id, {{QStringLiteral("a"), qint64(1) << 53, 1, 1}}, &error));

        // A 5 MB reason is kept as 4 KiB with a marker; the alerts tell the cut one.
        const QString huge(5 << 20, u'r');
        QVERIFY2(client(m_writeToken).setStatus(id, RunStatus::Failed, huge, &error), qPrintable(error));
        const QString stored = m_server->store().run(id, &error)->statusReason;
        QVERIFY2(stored.toUtf8().size() <= StoredText::kMaxReasonBytes, qPrintable(QString::number(stored.size())));
        QVERIFY(stored.endsWith(QStringLiteral("[cut: 5242880 bytes]")));
        QVERIFY(request("GET", QStringLiteral("/api/v1/alerts"), {}, m_readToken).body.size() < 10000);

        // Labels: normalized, case variants merged, invisible and direction-changing characters refused.
        const QString path = QStringLiteral("/api/v1/runs/%1/labels").arg(id);
        QCOMPARE(request("PUT", path,
                         u8"{\"labels\": [\"Ablation\", \"ablation\", \"ABLATION\", \"caf\u0065\u0301\", \"café\"]}",
                         m_writeToken)
                     .status,
                 200);
        QCOMPARE(m_server->store().run(id, &error)->labels,
                 (QStringList{QStringLiteral("Ablation"), QStringLiteral("café")}));
        for (const char* invisible : {"{\"labels\": [\"a\u200bb\"]}", "{\"labels\": [\"evil\u202etxt\"]}"})
            QCOMPARE(request("PUT", path, invisible, m_writeToken).status, 400);
        // A memo counts characters: 40,000 emoji are 40,000, not 80,000.
        QString emoji;
        for (int i = 0; i < 40000; ++i)
            emoji += QString::fromUcs4(U"\U0001F600", 1);
        QVERIFY2(client(m_writeToken).setMemo(id, emoji, &error), qPrintable(error));
        QCOMPARE(m_server->store().run(id, &error)->memo.size(), 80000);
    }

    // Twelve clients add a label each at the same moment: all twelve stay (one edit each, under the
    // run's lock, not read-then-replace).
    void concurrentLabelEditsCompose()
    {
        startServer();
        const QString id = reserve();
        QString error;
        QVERIFY(client(m_writeToken).setLabels(id, {QStringLiteral("base")}, &error));
        QList<QNetworkReply*> replies;
        for (int i = 0; i < 12; ++i) {
            QNetworkRequest edit(QUrl(m_server->url() + QStringLiteral("/api/v1/runs/%1/labels").arg(id)));
            edit.setRawHeader("Authorization", "Bearer " + m_writeToken.toUtf8());
            edit.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
            replies << m_network.post(edit, "{\"add\": [\"race" + QByteArray::number(i) + "\"]}");
        }
        QTRY_VERIFY_WITH_TIMEOUT(allFinished(replies), 20000);
        for (QNetworkReply* reply : replies) {
            QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
            reply->deleteLater();
        }
        const QStringList labels = m_server->store().run(id, &error)->labels;
        QCOMPARE(labels.size(), 13);
        const auto edited =
            client(m_writeToken)
                .editLabels(id, {QStringLiteral("new")}, {QStringLiteral("BASE"), QStringLiteral("race3")}, &error);
        QVERIFY2(edited, qPrintable(error));
        QCOMPARE(edited->size(), 12);
        QVERIFY(edited->contains(QStringLiteral("new")) && !edited->contains(QStringLiteral("base")));
        QCOMPARE(request("POST", QStringLiteral("/api/v1/runs/%1/labels").arg(id), "{\"add\": [\"two words\"]}",
                         m_writeToken)
                     .status,
                 400);
        QCOMPARE(m_server->store().run(id, &error)->labels, *edited);
        // 20 added and 20 taken off (not there) in one edit: 40 named, 32 on the run after it, the most it holds.
        QStringList added;
        QStringList removed;
        for (int i = 0; i < 20; ++i) {
            added << QStringLiteral("more%1").arg(i);
            removed << QStringLiteral("absent%1").arg(i);
        }
        const auto full = client(m_writeToken).editLabels(id, added, removed, &error);
        QVERIFY2(full, qPrintable(error));
        QCOMPARE(full->size(), 32);
        QVERIFY(!client(m_writeToken).editLabels(id, {QStringLiteral("one-too-many")}, {}, &error));
        QCOMPARE(m_server->store().run(id, &error)->labels, *full);
    }

    // A reservation sent again with its Idempotency-Key (its answer was lost) gets the same ID; another key,
    // or none, a new one. Copies that arrive together share one.
    void aRetriedReservationTakesOneId()
    {
        startServer();
        const QByteArray body = "{\"method\":\"retry\"}";
        const auto reserveWith = [&](const QByteArray& key) {
            return request("POST", QStringLiteral("/api/v1/reserve"), body, m_writeToken, "application/json",
                           {{"Idempotency-Key", key}});
        };
        const HttpResult first = reserveWith("key-one");
        QCOMPARE(first.status, 201);
        const QString id = first.json.value(QStringLiteral("id")).toString();
        QCOMPARE(reserveWith("key-one").json.value(QStringLiteral("id")).toString(), id);
        QVERIFY(reserveWith("key-two").json.value(QStringLiteral("id")).toString() != id);
        QCOMPARE(reserveWith("bad key with spaces").status, 400);
        QList<QNetworkReply*> copies;
        for (int i = 0; i < 3; ++i) {
            QNetworkRequest post(QUrl(m_server->url() + QStringLiteral("/api/v1/reserve")));
            post.setRawHeader("Authorization", "Bearer " + m_writeToken.toUtf8());
            post.setRawHeader("Idempotency-Key", "together");
            post.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
            copies << m_network.post(post, body);
        }
        QTRY_VERIFY_WITH_TIMEOUT(allFinished(copies), 10000);
        QSet<QString> ids;
        for (QNetworkReply* reply : copies) {
            ids << QJsonDocument::fromJson(reply->readAll()).object().value(QStringLiteral("id")).toString();
            reply->deleteLater();
        }
        QCOMPARE(ids.size(), 1);
        QString error;
        RunFilter all;
        QCOMPARE(m_server->store().runs(all, &error)->size(), 3); // key-one, key-two, together
        {                                                         // Another token's key of the same text is its own.
            AccessTokens tokens(m_server->store().database());
            const QString other = *tokens.create(QStringLiteral("other"), false, &error);
            QVERIFY(request("POST", QStringLiteral("/api/v1/reserve"), body, other, "application/json",
                            {{"Idempotency-Key", "key-one"}})
                        .json.value(QStringLiteral("id"))
                        .toString() != id);
        }
        // The service restarts between a POST and its retry: the registry kept the key (a hash of it and
        // the token, never the token itself), and the retry gets the same ID.
        m_server.reset();
        ServerOptions restarted;
        restarted.port = 0;
        restarted.database = m_backend.database(QStringLiteral("service%1").arg(m_databases), &error);
        m_server = std::make_unique<RegistryServer>(restarted);
        QVERIFY2(m_server->start(&error), qPrintable(error));
        QCOMPARE(reserveWith("key-one").json.value(QStringLiteral("id")).toString(), id);
        QCOMPARE(m_server->store().runs(all, &error)->size(), 4); // the other token's, no more
        QStringList keys;
        {
            QSqlQuery kept(m_server->store().database());
            QVERIFY(kept.exec(QStringLiteral("SELECT key_sha256 FROM reservation_keys")));
            while (kept.next())
                keys << kept.value(0).toString();
        }
        QCOMPARE(keys.size(), 4);
        for (const QString& key : std::as_const(keys))
            QVERIFY2(key.size() == 64 && !key.contains(m_writeToken), qPrintable(key));
    }

    // One read-only token parks far more change-feed waits than the connection cap: its oldest are answered
    // past its share, and a new client still gets in at once.
    void parkedWaitsCannotFillTheService()
    {
        ServerOptions options;
        options.connections.maxConnections = 40;
        options.maxParkedPerClient = 8;
        startServer(options);
        std::vector<std::unique_ptr<QTcpSocket>> waits;
        const QByteArray wait = "GET /api/v1/changes?wait=30 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                                m_readToken.toUtf8() + "\r\n\r\n";
        for (int i = 0; i < 60; ++i) {
            waits.push_back(std::make_unique<QTcpSocket>());
            waits.back()->connectToHost(QHostAddress::LocalHost, m_server->port());
            connect(waits.back().get(), &QTcpSocket::connected, waits.back().get(),
                    [socket = waits.back().get(), wait] { socket->write(wait); });
        }
        QTest::qWait(1500);
        int held = 0; // connected, and not a byte of an answer yet: held open by the service
        for (auto& socket : waits)
            held += socket->state() == QAbstractSocket::ConnectedState && socket->readAll().isEmpty();
        QVERIFY2(held <= options.maxParkedPerClient, qPrintable(QString::number(held)));
        int answered = 0;
        for (auto& socket : waits)
            answered += socket->state() != QAbstractSocket::ConnectedState;
        QVERIFY2(answered >= 20, qPrintable(QString::number(answered))); // evicted or answered, not all held
        answeredPromptly(m_writeToken);
    }

    // One client (a valid token, or else an address) gets a fair share: so many connections, so much of
    // the service's time; past either it is answered 429 with Retry-After, while another client is answered
    // at once, and it is served again once it has waited.
    void oneClientGetsAFairShare()
    {
        ServerOptions options;
        options.connections.maxConnectionsPerClient = 4;
        options.connections.clientShare = 0.02; // 20 ms of each second
        startServer(options);
        const QByteArray get = "GET /api/v1/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                               m_readToken.toUtf8() + "\r\n\r\n";
        std::vector<std::unique_ptr<QTcpSocket>> held;
        for (int i = 0; i < 4; ++i) {
            held.push_back(connectRaw(get));
            QVERIFY(held.back());
            const QByteArray answer = answerOf(*held.back(), 5000);
            QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.left(200).constData());
        }
        auto fifth = connectRaw(get);
        QVERIFY(fifth);
        const QByteArray refused = answerOf(*fifth, 5000);
        QVERIFY2(refused.startsWith("HTTP/1.1 429") && refused.contains("Retry-After: 1"), refused.constData());
        QTRY_VERIFY(fifth->state() != QAbstractSocket::ConnectedState); // that connection goes
        answeredPromptly(m_writeToken);
        held.clear(); // its connections closed: it may open others
        QTRY_COMPARE(request("GET", QStringLiteral("/api/v1/runs"), {}, m_readToken).status, 200);

        // Asking as fast as it can, it uses up its 20 ms and waits; the other token does not.
        HttpResult last;
        int answered = 0;
        for (; answered < 20000; ++answered) {
            last = request("GET", QStringLiteral("/api/v1/runs"), {}, m_readToken);
            if (last.status != 200)
                break;
        }
        QCOMPARE(last.status, 429);
        QVERIFY2(answered > 5, qPrintable(QString::number(answered)));
        bool retryAfter = false;
        for (const auto& [name, value] : std::as_const(last.headers))
            retryAfter |= name.compare("Retry-After", Qt::CaseInsensitive) == 0 && value.toInt() >= 1;
        QVERIFY(retryAfter);
        QVERIFY2(last.json.value(QStringLiteral("error")).toString().contains(QStringLiteral("share")),
                 last.body.constData());
        answeredPromptly(m_writeToken);
        QTest::qWait(1100);
        QCOMPARE(request("GET", QStringLiteral("/api/v1/runs"), {}, m_readToken).status, 200);
        // Made-up tokens are one client, their address: they do not get a share each.
        int unknown = 0;
        for (; unknown < 20000; ++unknown) {
            if (request("GET", QStringLiteral("/api/v1/runs"), {}, QStringLiteral("jk_made_up_%1").arg(unknown))
                    .status == 429)
                break;
        }
        QVERIFY2(unknown < 20000, "made-up tokens were never refused");
    }

    // A read-only token's body is refused by its headers (like a missing token's), and bodies in flight at
    // once are bounded: one token holds at most one body's worth.
    void bodiesAreBoundedPerTokenAndInAll()
    {
        ServerOptions options;
        options.maxBodyBytes = 1 << 20;
        options.connections.maxBodyBytesInFlight = 2 << 20;
        startServer(options);
        const QByteArray post = "POST /api/v1/import HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
        auto readOnly =
            connectRaw(post + "Authorization: Bearer " + m_readToken.toUtf8() + "\r\nContent-Length: 900000\r\n\r\n");
        QVERIFY(readOnly);
        const QByteArray refused = answerOf(*readOnly, 5000);
        QVERIFY2(refused.startsWith("HTTP/1.1 403"), refused.constData());
        const QByteArray writer =
            post + "Authorization: Bearer " + m_writeToken.toUtf8() + "\r\nContent-Length: 900000\r\n\r\n";
        auto first = connectRaw(writer + QByteArray(1000, ' ')); // its body still coming
        QVERIFY(first);
        QTest::qWait(200);
        auto second = connectRaw(writer);
        QVERIFY(second);
        const QByteArray busy = answerOf(*second, 5000);
        QVERIFY2(busy.startsWith("HTTP/1.1 503") && busy.contains("Retry-After"), busy.constData());
        first->abort(); // its share comes back
        QTest::qWait(200);
        QCOMPARE(request("POST", QStringLiteral("/api/v1/reserve"), "{\"method\":\"x\"}", m_writeToken).status, 201);
    }

    // On loopback the service answers to this machine's names only: a rebound name gets nothing, even
    // with a token, even the page.
    void foreignHostNamesAreRefused()
    {
        startServer();
        for (const QString& path : {QStringLiteral("/api/v1/info"), QStringLiteral("/")})
            QCOMPARE(request("GET", path, {}, m_readToken, {}, {{"Host", "evil.example"}}).status, 421);
        QCOMPARE(request("GET", QStringLiteral("/api/v1/info"), {}, m_readToken, {}, {{"Host", "localhost:9"}}).status,
                 200);
    }

    // A tag asked for again and again is sent once.
    void repeatedTagsAreSentOnce()
    {
        startServer();
        const QString id = reserve();
        QString error;
        QVERIFY(client(m_writeToken).addScalars(id, {{QStringLiteral("x"), 1, 1.0, 0.5}}, &error));
        const HttpResult repeated =
            request("GET", QStringLiteral("/api/v1/runs/%1/series?tag=x&tag=x&tag=x&tags=x,x,x&points=0").arg(id), {},
                    m_readToken);
        QCOMPARE(repeated.status, 200);
        QCOMPARE(repeated.json.value(QStringLiteral("series")).toArray().size(), 1);
    }

    // A tag whose name holds a comma (e.g. "loss,lr=0.1") is read whole with tag=, by the client too.
    void tagsWithCommasAreReadWhole()
    {
        startServer();
        const QString id = reserve();
        const QString tag = QStringLiteral("sweep/loss,lr=0.1");
        QString error;
        QVERIFY(client(m_writeToken).addScalars(id, {{tag, 1, 1.0, 0.5}, {tag, 2, 2.0, 0.25}}, &error));
        const auto series = client(m_readToken).series(id, tag, &error);
        QVERIFY2(series, qPrintable(error));
        QCOMPARE(series->size(), 2);
        QCOMPARE(series->values[1], 0.25);
        const HttpResult both = request("GET",
                                        QStringLiteral("/api/v1/runs/%1/series?tag=%2&tags=a,b")
                                            .arg(id, QString::fromLatin1(QUrl::toPercentEncoding(tag))),
                                        {}, m_readToken);
        QCOMPARE(both.status, 200);
        QCOMPARE(both.json.value(QStringLiteral("series")).toArray().size(), 3);
    }

    // A run's tags read together: each as the one-tag read gives it, whatever its characters, a tag the run
    // lacks as no points, and more names than one request's headers hold (64 KiB) split over several.
    void aRunsTagsAreReadTogether()
    {
        startServer();
        const QString id = reserve();
        QStringList tags;
        QVector<ScalarPoint> points;
        for (int i = 0; i < 300; ++i) {
            tags << QStringLiteral("sweep/損失,lr=0.%1&x=%2%%/").arg(i).arg(QString(200, QChar(u'a' + i % 26)));
            for (int step = 1; step <= 3; ++step)
                points.append({tags.last(), step, 1.0 * step, i + step / 10.0});
        }
        QString error;
        QVERIFY2(client(m_writeToken).addScalars(id, points, &error), qPrintable(error));
        tags << QStringLiteral("never/logged");
        HttpRegistryClient reader = client(m_readToken);
        const auto all = reader.seriesOfTags(id, tags, &error);
        QVERIFY2(all, qPrintable(error));
        QCOMPARE(all->size(), tags.size());
        for (const QString& tag : tags) {
            const auto one = reader.series(id, tag, &error);
            QVERIFY2(one, qPrintable(error));
            QCOMPARE(all->value(tag).steps, one->steps);
            QCOMPARE(all->value(tag).values, one->values);
        }
        QCOMPARE(all->value(tags[7]).values, (QVector<double>{7 + 0.1, 7 + 0.2, 7 + 0.3}));
        QVERIFY(all->value(QStringLiteral("never/logged")).isEmpty());
    }

    // A run's record and every point of every tag in one reply: what the plot viewer reads first.
    void aRunsHistoryIsOneReply()
    {
        startServer();
        const QString id = reserve();
        QVector<ScalarPoint> points;
        for (int step = 1; step <= 500; ++step)
            points.append({QStringLiteral("train/loss"), step, 1000.0 + step, 1.0 / step});
        for (int step = 100; step <= 500; step += 100)
            points.append({QStringLiteral("test/error, top-1"), step, 1000.0 + step, 0.5 - step / 2000.0});
        QString error;
        HttpRegistryClient writer = client(m_writeToken);
        QVERIFY2(writer.addScalars(id, points, &error), qPrintable(error));
        QVERIFY2(writer.setMemo(id, QStringLiteral("焦点損失"), &error), qPrintable(error));

        const HttpResult raw = request("GET", QStringLiteral("/api/v1/runs/%1/history").arg(id), {}, m_readToken);
        QCOMPARE(raw.status, 200);
        QCOMPARE(raw.json.value(QStringLiteral("run")).toObject().value(QStringLiteral("id")).toString(), id);
        QCOMPARE(raw.json.value(QStringLiteral("series")).toArray().size(), 2);

        HttpRegistryClient reader = client(m_readToken);
        const auto history = reader.history(id, &error);
        QVERIFY2(history, qPrintable(error));
        QCOMPARE(history->record.memo, QStringLiteral("焦点損失"));
        // The same as the record, the tags and their points read one after another, from the service and
        // from the database itself (whose history is those three reads).
        for (RegistryClient* other :
             {static_cast<RegistryClient*>(&reader), static_cast<RegistryClient*>(&m_server->store())}) {
            const auto tags = other->tags(id, &error);
            QVERIFY2(tags, qPrintable(error));
            QCOMPARE(QSet<QString>(history->scalars.keyBegin(), history->scalars.keyEnd()),
                     QSet<QString>(tags->cbegin(), tags->cend()));
            for (const QString& tag : *tags) {
                const auto one = other->series(id, tag, &error);
                QVERIFY2(one, qPrintable(error));
                QCOMPARE(history->scalars.value(tag).steps, one->steps);
                QCOMPARE(history->scalars.value(tag).values, one->values);
                QCOMPARE(history->scalars.value(tag).wallTimes, one->wallTimes);
            }
            const auto local = other->history(id, &error);
            QVERIFY2(local, qPrintable(error));
            QCOMPARE(local->record.memo, history->record.memo);
            QCOMPARE(local->scalars.value(QStringLiteral("train/loss")).values,
                     history->scalars.value(QStringLiteral("train/loss")).values);
        }
        QCOMPARE(history->scalars.value(QStringLiteral("train/loss")).size(), 500);

        // A run never heard of is the registry's unknown run, as a record's read is.
        QVERIFY(!reader.history(QStringLiteral("20190101_01_none"), &error));
        QCOMPARE(reader.lastFailure(), RegistryFailure::UnknownRun);
    }

    // Many runs' records, tags and points in one reply: what the desktop reads for a hundred runs over a slow
    // link. The same as each run read on its own, from the service and from the database itself.
    void manyRunsAreReadInOneReply()
    {
        startServer();
        const QString both = reserve(), lossOnly = reserve(), empty = reserve();
        const QString unknown = QStringLiteral("20190101_01_none");
        QVector<ScalarPoint> points;
        for (int step = 1; step <= 300; ++step) {
            points.append({QStringLiteral("train/loss"), step, 1000.0 + step, 1.0 / step});
            if (step % 100 == 0)
                points.append({QStringLiteral("test/error"), step, 1000.0 + step, 0.5 - step / 1000.0});
        }
        QString error;
        HttpRegistryClient writer = client(m_writeToken);
        QVERIFY2(writer.addScalars(both, points, &error), qPrintable(error));
        points.removeIf([](const ScalarPoint& p) { return p.tag != QLatin1String("train/loss") || p.step > 120; });
        QVERIFY2(writer.addScalars(lossOnly, points, &error), qPrintable(error));
        QVERIFY2(writer.setMemo(lossOnly, QStringLiteral("焦点損失"), &error), qPrintable(error));

        const HttpResult raw =
            request("GET", QStringLiteral("/api/v1/histories?ids=%1,%2,%3,%4").arg(both, unknown, lossOnly, empty), {},
                    m_readToken);
        QCOMPARE(raw.status, 200);
        const QJsonArray runs = raw.json.value(QStringLiteral("runs")).toArray();
        QCOMPARE(runs.size(), 3);
        QCOMPARE(runs[1].toObject().value(QStringLiteral("run")).toObject().value(QStringLiteral("memo")).toString(),
                 QStringLiteral("焦点損失"));
        QCOMPARE(runs[0].toObject().value(QStringLiteral("tags")).toArray(),
                 (QJsonArray{QStringLiteral("test/error"), QStringLiteral("train/loss")}));
        QCOMPARE(raw.json.value(QStringLiteral("unknown")).toArray(), QJsonArray{unknown});

        HttpRegistryClient reader = client(m_readToken);
        RegistryClient& database = m_server->store();
        const QStringList ids{both, unknown, lossOnly, empty};
        const auto sameAsOneByOne = [&](const HistoriesQuery& query) -> QString {
            for (RegistryClient* source : {static_cast<RegistryClient*>(&reader), &database}) {
                QString why;
                const auto read = source->histories(query, &why);
                if (!read)
                    return QStringLiteral("no histories: ") + why;
                if (read->size() != 3 || read->at(0).record.id != both || read->at(1).record.id != lossOnly ||
                    read->at(2).record.id != empty)
                    return QStringLiteral("not the three known runs in the order asked");
                for (const RunHistory& history : *read) {
                    const auto tags = database.tags(history.record.id, &why);
                    if (history.tags != *tags || history.record.memo != database.run(history.record.id, &why)->memo)
                        return QStringLiteral("%1: another record or tags").arg(history.record.id);
                    const QStringList shown = query.tags.value_or(*tags);
                    if (QSet<QString>(history.scalars.keyBegin(), history.scalars.keyEnd()) !=
                        QSet<QString>(shown.cbegin(), shown.cend()))
                        return QStringLiteral("%1: other tags' points").arg(history.record.id);
                    for (const QString& tag : shown) {
                        const auto one = query.points > 0
                                             ? reader.seriesPreview(history.record.id, tag, query.points, &why)
                                             : database.series(history.record.id, tag, &why);
                        const ScalarSeries& got = history.scalars.value(tag);
                        if (!tags->contains(tag) ? !got.isEmpty()
                                                 : got.steps != one->steps || got.values != one->values ||
                                                       (query.points == 0 && got.wallTimes != one->wallTimes))
                            return QStringLiteral("%1: other points of %2").arg(history.record.id, tag);
                    }
                    if (query.points > 0 && source == &database)
                        break; // a database samples its previews otherwise: compared with the service's above
                }
            }
            return QString();
        };
        QCOMPARE(sameAsOneByOne({ids, std::nullopt, 0}), QString()); // every tag, every point
        QCOMPARE(sameAsOneByOne({ids, QStringList{QStringLiteral("test/error")}, 0}), QString());
        QCOMPARE(sameAsOneByOne({ids, QStringList(), 0}), QString()); // only the records and their tags
        HistoriesQuery previews{ids, QStringList{QStringLiteral("train/loss")}, 20};
        const auto reduced = reader.histories(previews, &error);
        QVERIFY2(reduced, qPrintable(error));
        QVERIFY(reduced->at(0).scalars.value(QStringLiteral("train/loss")).size() <= 40);
        QCOMPARE(reduced->at(0).scalars.value(QStringLiteral("train/loss")).steps.last(), 300);

        // What it refuses, in one line each.
        for (const auto& [query, says] : std::vector<std::pair<QString, QString>>{
                 {QString(), QStringLiteral("give ids")},
                 {QStringLiteral("ids=20190101_01_a,not-an-id"), QStringLiteral("histories: ")},
                 {QStringLiteral("ids=%1&points=-1").arg(both), QStringLiteral("points")},
                 {QStringLiteral("ids=%1&method=mean").arg(both), QStringLiteral("method must be lttb or minmax")},
             }) {
            const HttpResult refused = request("GET", QStringLiteral("/api/v1/histories?") + query, {}, m_readToken);
            QCOMPARE(refused.status, 400);
            QVERIFY2(refused.json.value(QStringLiteral("error")).toString().contains(says), refused.body.constData());
        }
        QCOMPARE(request("POST", QStringLiteral("/api/v1/histories"), "{}", m_writeToken).status, 405);
    }

    // The series cache keeps to its budget of bytes, and made-up tags take nothing from it.
    void seriesCacheIsBoundedByBytes()
    {
        int loads = 0;
        SeriesCache cache(
            [&](const QString&, const QString& tag, QString*) {
                ++loads;
                ScalarSeries series;
                if (tag.startsWith(QLatin1String("real/")))
                    for (int step = 0; step < 1000; ++step)
                        series.append(step, step, 0.5);
                return std::optional(series);
            },
            200'000);
        QString error;
        for (int i = 0; i < 20'000; ++i) {
            const ScalarSeries* made = cache.series(QStringLiteral("run"), QStringLiteral("made-up/%1").arg(i), &error);
            QVERIFY(made && made->size() == 0);
        }
        QCOMPARE(cache.entries(), 0);
        QCOMPARE(cache.bytes(), 0);
        for (int i = 0; i < 100; ++i)
            QCOMPARE(cache.series(QStringLiteral("run"), QStringLiteral("real/%1").arg(i), &error)->size(), 1000);
        QVERIFY2(cache.bytes() <= 200'000, qPrintable(QString::number(cache.bytes())));
        QVERIFY(cache.entries() >= 5 && cache.entries() < 100); // a 24 kB series each: the oldest went
        // The most recent is still cached (no load), the first long gone (loaded again).
        loads = 0;
        cache.series(QStringLiteral("run"), QStringLiteral("real/99"), &error);
        QCOMPARE(loads, 0);
        cache.series(QStringLiteral("run"), QStringLiteral("real/0"), &error);
        QCOMPARE(loads, 1);
    }

    // A series loaded away from the event loop goes into the cache, unless a batch of its run arrived
    // while it was read (it would lack those points): then it is read again next time.
    void seriesLoadedElsewhereAreAdoptedUnlessWrittenMeanwhile()
    {
        int loads = 0;
        SeriesCache cache(
            [&](const QString&, const QString&, QString*) {
                ++loads;
                return std::optional(ScalarSeries());
            },
            1 << 20);
        ScalarSeries read;
        read.append(1, 1, 0.5);
        const quint64 before = cache.writes(QStringLiteral("run"));
        cache.adopt(QStringLiteral("run"), QStringLiteral("a"), read, before);
        QVERIFY(cache.find(QStringLiteral("run"), QStringLiteral("a")));
        ScalarSeries newer;
        newer.append(2, 2, 0.25);
        const quint64 then = cache.writes(QStringLiteral("run"));
        cache.add(QStringLiteral("run"), {{QStringLiteral("b"), newer}}); // while "b" was being read
        cache.adopt(QStringLiteral("run"), QStringLiteral("b"), read, then);
        QVERIFY(!cache.find(QStringLiteral("run"), QStringLiteral("b")));
        cache.add(QStringLiteral("run"), {{QStringLiteral("a"), newer}}); // a cached series takes the batch
        QCOMPARE(cache.find(QStringLiteral("run"), QStringLiteral("a"))->size(), 2);
        QCOMPARE(loads, 0);
    }

    // A reply holds at most so many points: past it 413 with what to ask instead; reduced, it is answered.
    // Read once through a writer (off the event loop), a series is served from the cache after.
    void repliesAreBoundedInPoints()
    {
        ServerOptions options;
        options.limits.maxReplyPoints = 100;
        startServer(options);
        const QString id = reserve();
        QVector<ScalarPoint> points;
        for (int step = 0; step < 150; ++step)
            points.append({QStringLiteral("x"), step, 1.0 * step, 1.0 / (step + 1)});
        QString error;
        QVERIFY2(client(m_writeToken).addScalars(id, points, &error), qPrintable(error));
        for (const QString& path :
             {QStringLiteral("/api/v1/runs/%1/series?tag=x&points=0"), QStringLiteral("/api/v1/runs/%1/history"),
              QStringLiteral("/api/v1/runs/%1/scalars?tag=x"), QStringLiteral("/api/v1/histories?ids=%1")}) {
            const HttpResult refused = request("GET", path.arg(id), {}, m_readToken);
            QCOMPARE(refused.status, 413);
            QVERIFY2(refused.json.value(QStringLiteral("error")).toString().contains(QStringLiteral("points=N")),
                     refused.body.constData());
        }
        const HttpResult reduced =
            request("GET", QStringLiteral("/api/v1/runs/%1/series?tag=x&points=50").arg(id), {}, m_readToken);
        QCOMPARE(reduced.status, 200);
        const QJsonObject series = reduced.json.value(QStringLiteral("series")).toArray().at(0).toObject();
        QCOMPARE(series.value(QStringLiteral("total")).toInt(), 150);
        const HttpResult newest =
            request("GET", QStringLiteral("/api/v1/runs/%1/series?tag=x&after=100").arg(id), {}, m_readToken);
        QCOMPARE(newest.status, 200);
    }

    void seriesAreDownsampledOnTheServer()
    {
        startServer();
        const QString id = reserve();
        QVector<ScalarPoint> points;
        for (int step = 0; step < 50000; ++step)
            points.append({QStringLiteral("test/error"), step, 1.0 * step, 0.5 + 0.1 * std::sin(step / 100.0)});
        points[12345].value = 0.01; // the best error must survive downsampling
        QString error;
        QVERIFY(client(m_writeToken).addScalars(id, points, &error));
        const HttpResult result =
            request("GET", QStringLiteral("/api/v1/runs/%1/series?tags=test/error&points=500&method=lttb").arg(id), {},
                    m_readToken);
        QCOMPARE(result.status, 200);
        const QJsonObject series = result.json.value(QStringLiteral("series")).toArray().at(0).toObject();
        QCOMPARE(series.value(QStringLiteral("total")).toInt(), 50000);
        const QJsonArray steps = series.value(QStringLiteral("steps")).toArray();
        QVERIFY(steps.size() >= 500 && steps.size() <= 502);
        QVERIFY(steps.contains(12345));
        // New points show up in the (cached) series at once.
        QVERIFY(client(m_writeToken).addScalars(id, {{QStringLiteral("test/error"), 50000, 1, 0.001}}, &error));
        const HttpResult again =
            request("GET", QStringLiteral("/api/v1/runs/%1/series?tags=test/error&points=500&method=minmax").arg(id),
                    {}, m_readToken);
        const QJsonObject updated = again.json.value(QStringLiteral("series")).toArray().at(0).toObject();
        QCOMPARE(updated.value(QStringLiteral("total")).toInt(), 50001);
        QCOMPARE(updated.value(QStringLiteral("steps")).toArray().last().toInt(), 50000);
        // The client reads the same columns: whole, or reduced by min/max buckets (the best error kept).
        HttpRegistryClient reader = client(m_readToken);
        const auto whole = reader.series(id, QStringLiteral("test/error"), &error);
        QVERIFY2(whole, qPrintable(error));
        QCOMPARE(whole->size(), 50001);
        QCOMPARE(whole->values[12345], 0.01);
        const auto preview = reader.seriesPreview(id, QStringLiteral("test/error"), 200, &error);
        QVERIFY2(preview, qPrintable(error));
        QVERIFY(preview->size() <= 202);
        QVERIFY(preview->steps.contains(12345));
        QCOMPARE(
            request("GET", QStringLiteral("/api/v1/runs/%1/series?tags=a&method=mean").arg(id), {}, m_readToken).status,
            400);
        // A growing curve's new points alone: those after a step, with the count of all.
        int total = 0;
        const auto tail = reader.seriesAfter(id, QStringLiteral("test/error"), 49990, &total, &error);
        QVERIFY2(tail, qPrintable(error));
        QCOMPARE(total, 50001);
        QCOMPARE(tail->steps, (QVector<qint64>{49991, 49992, 49993, 49994, 49995, 49996, 49997, 49998, 49999, 50000}));
        QCOMPARE(tail->values.last(), 0.001);
        QCOMPARE(reader.seriesAfter(id, QStringLiteral("test/error"), 50000, &total, &error)->size(), 0);
        QCOMPARE(
            request("GET", QStringLiteral("/api/v1/runs/%1/series?tags=test/error&after=soon").arg(id), {}, m_readToken)
                .status,
            400);
    }

    // A batch of two million points is stored on the ingest thread: a read and a reservation sent after
    // it are answered while it is still being written, and the batch is stored whole all the same.
    void readsAndReservationsOvertakeALargeBatch()
    {
        startServer();
        const QString id = reserve();
        QVector<ScalarPoint> points;
        points.reserve(2'000'000);
        for (int step = 0; step < 2'000'000; ++step)
            points.append({step % 2 ? QStringLiteral("train/loss") : QStringLiteral("train/accuracy"), step,
                           1.7e9 + step, 1.0 / (step + 1)});
        QNetworkRequest upload(QUrl(m_server->url() + QStringLiteral("/api/v1/runs/%1/scalars").arg(id)));
        upload.setRawHeader("Authorization", "Bearer " + m_writeToken.toUtf8());
        upload.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/x-protobuf"));
        QNetworkReply* batch = m_network.post(upload, RegistryWire::scalarsToProtobuf(points));
        points.clear();
        bool sent = false;
        connect(batch, &QNetworkReply::uploadProgress, this,
                [&](qint64 done, qint64 total) { sent = sent || (total > 0 && done == total); });
        QTRY_VERIFY_WITH_TIMEOUT(sent, 20000);
        QTest::qWait(50); // the service has the whole body and is storing it
        QVERIFY(!batch->isFinished());
        QCOMPARE(request("GET", QStringLiteral("/api/v1/runs/%1").arg(id), {}, m_readToken).status, 200);
        QCOMPARE(request("GET", QStringLiteral("/api/v1/info"), {}, m_readToken).status, 200);
        QVERIFY2(!reserve().isEmpty(), "a reservation during the batch");
        QVERIFY2(!batch->isFinished(), "the batch was stored before the reads were answered");
        QTRY_VERIFY_WITH_TIMEOUT(batch->isFinished(), 120000);
        QCOMPARE(batch->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(QJsonDocument::fromJson(batch->readAll()).object().value(QStringLiteral("stored")).toInt(), 2'000'000);
        batch->deleteLater();
        QString error;
        const auto loss = client(m_readToken).series(id, QStringLiteral("train/loss"), &error);
        QVERIFY2(loss, qPrintable(error));
        QCOMPARE(loss->size(), 1'000'000);
        QCOMPARE(loss->steps.last(), 1'999'999);
    }

    void changeFeedWakesWaitingClients()
    {
        startServer();
        const HttpResult now = request("GET", QStringLiteral("/api/v1/changes?wait=0"), {}, m_readToken);
        QCOMPARE(now.status, 200);
        const qint64 revision = now.json.value(QStringLiteral("revision")).toInteger();
        const QString feed = now.json.value(QStringLiteral("feed")).toString();
        QString id;
        QTimer::singleShot(300, this, [&] { id = reserve(QStringLiteral("late")); });
        QElapsedTimer timer;
        timer.start();
        const HttpResult waited = request(
            "GET", QStringLiteral("/api/v1/changes?since=%1&feed=%2&wait=10").arg(revision).arg(feed), {}, m_readToken);
        QCOMPARE(waited.status, 200);
        QVERIFY2(timer.elapsed() < 5000, "the waiting request is answered when the change happens");
        QCOMPARE(waited.json.value(QStringLiteral("runs")).toArray().first().toString(), id);
        QVERIFY(!waited.json.value(QStringLiteral("reset")).toBool());
        // A client of an earlier service instance is told to reload.
        const HttpResult stale =
            request("GET", QStringLiteral("/api/v1/changes?since=3&feed=gone&wait=0"), {}, m_readToken);
        QVERIFY(stale.json.value(QStringLiteral("reset")).toBool());
        // A waiting client that hangs up leaves the service working.
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(socket.waitForConnected(2000));
        socket.write("GET /api/v1/changes?wait=20 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                     m_readToken.toUtf8() + "\r\n\r\n");
        QVERIFY(socket.waitForBytesWritten(2000));
        QTest::qWait(200);
        socket.abort();
        QTest::qWait(100);
        QVERIFY(!reserve().isEmpty());
        QCOMPARE(request("GET", QStringLiteral("/api/v1/info"), {}, m_readToken).status, 200);
    }

    void silentRunsAreLostAndRevived()
    {
        ServerOptions options;
        options.lostAfterMs = 400;
        startServer(options);
        const QString id = reserve();
        QString error;
        HttpRegistryClient registry = client(m_writeToken);
        QVERIFY(registry.setStatus(id, RunStatus::Running, {}, &error));
        QTRY_COMPARE_WITH_TIMEOUT(toString(registry.run(id, &error)->status), QStringLiteral("lost"), 5000);
        QVERIFY(registry.heartbeat(id, &error));
        QCOMPARE(toString(registry.run(id, &error)->status), QStringLiteral("running"));
    }

    // Alerts reach a webhook (a receiver on loopback, as Slack's or ntfy's would take them): finished,
    // failed, lost and diverged (a NaN loss, told once), each a JSON POST naming the run.
    void alertsReachAWebhook()
    {
        WebhookReceiver receiver;
        QStringList& bodies = receiver.bodies;
        ServerOptions options;
        options.lostAfterMs = 400;
        options.alerts.webhook = receiver.url();
        startServer(options);
        HttpRegistryClient registry = client(m_writeToken);
        QString error;
        const QString done = reserve(), broken = reserve(), silent = reserve(), nan = reserve();
        QVERIFY(registry.setStatus(done, RunStatus::Finished, {}, &error));
        const QString markup = QStringLiteral("CUDA out of memory <!channel> <http://evil.example|click here> & more");
        QVERIFY(registry.setStatus(broken, RunStatus::Failed, markup, &error));
        QVERIFY(registry.setStatus(silent, RunStatus::Running, {}, &error));
        QVERIFY(registry.addScalars(
            nan, {{QStringLiteral("train/loss"), 1, 1.0, 2.3}, {QStringLiteral("train/loss"), 2, 2.0, qQNaN()}},
            &error));
        QVERIFY(registry.addScalars(nan, {{QStringLiteral("train/loss"), 3, 3.0, qInf()}}, &error)); // told once
        QVERIFY(registry.reportProgress(nan, 1, 3, qQNaN(), &error));
        // Its trainer then says it finished: it stays diverged, and no "finished" is told of it.
        QVERIFY(registry.setStatus(nan, RunStatus::Finished, {}, &error));
        QTRY_VERIFY_WITH_TIMEOUT(bodies.size() >= 4, 10000);
        QTest::qWait(300);
        QCOMPARE(bodies.size(), 4);
        QHash<QString, QJsonObject> byRun;
        for (const QString& body : bodies) {
            const QJsonObject alert = QJsonDocument::fromJson(body.toUtf8()).object();
            byRun.insert(alert.value(QStringLiteral("run")).toString(), alert);
        }
        QCOMPARE(byRun.value(done).value(QStringLiteral("event")).toString(), QStringLiteral("finished"));
        QCOMPARE(byRun.value(broken).value(QStringLiteral("event")).toString(), QStringLiteral("failed"));
        // Slack shows `text` as markup: the reason's markup arrives escaped, pinging no one; `detail` is as given.
        // Each ends with a link to its run on the phone page.
        const QString link = m_server->url() + QStringLiteral("/#") + broken;
        QCOMPARE(byRun.value(broken).value(QStringLiteral("link")).toString(), link);
        QCOMPARE(byRun.value(broken).value(QStringLiteral("text")).toString(),
                 broken +
                     QStringLiteral(" failed: CUDA out of memory &lt;!channel&gt; "
                                    "&lt;http://evil.example|click here&gt; &amp; more ") +
                     link);
        QCOMPARE(byRun.value(broken).value(QStringLiteral("detail")).toString(), markup);
        QCOMPARE(byRun.value(silent).value(QStringLiteral("event")).toString(), QStringLiteral("lost"));
        QCOMPARE(byRun.value(nan).value(QStringLiteral("event")).toString(), QStringLiteral("diverged"));
        QVERIFY(byRun.value(nan).value(QStringLiteral("detail")).toString().contains(QStringLiteral("train/loss")));

        // The same alerts, newest first, for the phone page (read access is enough).
        const HttpResult listed = request("GET", QStringLiteral("/api/v1/alerts"), {}, m_readToken);
        QCOMPARE(listed.status, 200);
        const QJsonArray alerts =
            QJsonDocument::fromJson(listed.body).object().value(QStringLiteral("alerts")).toArray();
        QCOMPARE(alerts.size(), 4);
        QCOMPARE(alerts[0].toObject().value(QStringLiteral("run")).toString(), silent); // lost last, after 400 ms
        QCOMPARE(alerts[3].toObject().value(QStringLiteral("run")).toString(), done);
        QCOMPARE(alerts[3].toObject().value(QStringLiteral("event")).toString(), QStringLiteral("finished"));
        for (int i = 1; i < alerts.size(); ++i)
            QVERIFY(alerts[i - 1].toObject().value(QStringLiteral("time")).toString() >=
                    alerts[i].toObject().value(QStringLiteral("time")).toString());
        QCOMPARE(request("GET", QStringLiteral("/api/v1/alerts")).status, 401);
    }

    // The user's alert rules, judged on a clock the test sets: each fires once, when its condition first holds
    // and not a minute before, through the webhook; the rules file is read again when it changes.
    void alertRulesFireOnceThroughTheWebhook()
    {
        QTemporaryDir dir;
        const QString rulesPath = dir.filePath(QStringLiteral("alert-rules.json"));
        QString error;
        const auto rule = [](const char* json) {
            QString why;
            return *AlertRule::fromJson(QJsonDocument::fromJson(json).object(), &why);
        };
        QVERIFY(AlertRules::write(rulesPath,
                                  {rule(R"({"name": "stalled", "kind": "stalled", "minutes": 60})"),
                                   rule(R"({"name": "idle", "kind": "gpu_idle", "below": 10, "minutes": 30})"),
                                   rule(R"({"name": "flat", "kind": "not_improving", "metric": "test/error",
                                            "epochs": 2})")},
                                  &error));
        WebhookReceiver receiver;
        auto minutes = std::make_shared<std::atomic<qint64>>(0);
        const QDateTime start = QDateTime::currentDateTimeUtc();
        ServerOptions options;
        options.alerts.webhook = receiver.url();
        options.alertRules = rulesPath;
        options.alertCheckMs = 20;
        options.lostAfterMs = 30LL * 24 * 3600 * 1000; // the clock jumps hours; no run is lost here
        options.clock = [minutes, start] { return start.addSecs(minutes->load() * 60); };
        startServer(options);
        HttpRegistryClient registry = client(m_writeToken);
        const QString busy = reserve(), learning = reserve();
        QVERIFY(registry.setStatus(busy, RunStatus::Running, {}, &error));
        QVERIFY(registry.setStatus(learning, RunStatus::Running, {}, &error));
        const auto point = [&](const QString& run, const char* tag, qint64 step, double value) {
            QVERIFY2(registry.addScalars(run, {{QString::fromLatin1(tag), step, 0.0, value}}, &error),
                     qPrintable(error));
        };
        const auto nothingNewFor = [&](int ms) {
            const auto before = receiver.bodies.size();
            QTest::qWait(ms);
            return receiver.bodies.size() == before;
        };
        point(busy, "system/gpu_utilization", 1, 3.0);
        point(learning, "test/error", 1, 0.30);
        point(learning, "test/error", 2, 0.20);
        point(learning, "test/error", 3, 0.21);
        QVERIFY(nothingNewFor(200));
        minutes->store(29);
        point(learning, "test/error", 4, 0.19); // better: the count starts again
        QVERIFY(nothingNewFor(200));
        minutes->store(30);
        QTRY_COMPARE_WITH_TIMEOUT(receiver.bodies.size(), 1, 5000);
        QCOMPARE(receiver.alerts()[0].value(QStringLiteral("event")).toString(), QStringLiteral("gpu_idle"));
        QCOMPARE(receiver.alerts()[0].value(QStringLiteral("run")).toString(), busy);
        QCOMPARE(receiver.alerts()[0].value(QStringLiteral("link")).toString(),
                 m_server->url() + QStringLiteral("/#") + busy);
        point(learning, "test/error", 5, 0.25);
        point(learning, "test/error", 6, 0.19); // equal is not better
        QTRY_COMPARE_WITH_TIMEOUT(receiver.bodies.size(), 2, 5000);
        QCOMPARE(receiver.alerts()[1].value(QStringLiteral("event")).toString(), QStringLiteral("not_improving"));
        QVERIFY2(receiver.alerts()[1]
                     .value(QStringLiteral("detail"))
                     .toString()
                     .startsWith(QStringLiteral("test/error no better than 0.19 (step 4) for 2 epochs")),
                 qPrintable(receiver.bodies[1]));
        QVERIFY(registry.setStatus(learning, RunStatus::Finished, {}, &error)); // ended runs do not stall
        QTRY_COMPARE_WITH_TIMEOUT(receiver.bodies.size(), 3, 5000);

        // A rule added while it serves (as `jikken alert add` writes the file) applies without a restart.
        QVERIFY(AlertRules::write(rulesPath,
                                  {rule(R"({"name": "stalled", "kind": "stalled", "minutes": 60})"),
                                   rule(R"({"name": "target", "kind": "crossing", "metric": "train/loss",
                                            "below": 0.4})")},
                                  &error));
        QTest::qWait(200);
        point(busy, "train/loss", 2, 0.45);
        QVERIFY(nothingNewFor(200));
        minutes->store(61); // busy's last step came at minute 30
        point(busy, "train/loss", 3, 0.35);
        QTRY_COMPARE_WITH_TIMEOUT(receiver.bodies.size(), 4, 5000);
        QCOMPARE(receiver.alerts()[3].value(QStringLiteral("event")).toString(), QStringLiteral("crossing"));
        QVERIFY2(receiver.alerts()[3]
                     .value(QStringLiteral("detail"))
                     .toString()
                     .startsWith(QStringLiteral("train/loss 0.35 at step 3")),
                 qPrintable(receiver.bodies[3]));
        minutes->store(120);
        QVERIFY(nothingNewFor(200));
        minutes->store(121);
        QTRY_COMPARE_WITH_TIMEOUT(receiver.bodies.size(), 5, 5000);
        QCOMPARE(receiver.alerts()[4].value(QStringLiteral("event")).toString(), QStringLiteral("stalled"));
        QVERIFY2(receiver.alerts()[4]
                     .value(QStringLiteral("detail"))
                     .toString()
                     .startsWith(QStringLiteral("no new step for 60 min (at step 3)")),
                 qPrintable(receiver.bodies[4]));
        minutes->store(600);
        QTest::qWait(300);
        QCOMPARE(receiver.bodies.size(), 5); // each once
        QStringList events;
        for (const QJsonObject& alert : receiver.alerts())
            events << alert.value(QStringLiteral("event")).toString();
        QCOMPARE(events,
                 (QStringList{QStringLiteral("gpu_idle"), QStringLiteral("not_improving"), QStringLiteral("finished"),
                              QStringLiteral("crossing"), QStringLiteral("stalled")}));
    }

    void phonePageNeedsNoBuildAndKeepsTheToken()
    {
        startServer();
        const HttpResult page = request("GET", QStringLiteral("/?token=") + m_readToken, {}, {}, {});
        QCOMPARE(page.status, 200);
        QVERIFY(page.body.contains("<meta name=\"viewport\""));
        QByteArray cookie;
        QByteArray policy;
        for (const auto& [key, value] : page.headers) {
            if (key.compare("Set-Cookie", Qt::CaseInsensitive) == 0)
                cookie = value;
            if (key.compare("Content-Security-Policy", Qt::CaseInsensitive) == 0)
                policy = value;
        }
        QVERIFY(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
        QVERIFY(policy.contains("default-src 'none'"));
        // The cookie reads, but never writes (another site's form would carry it along).
        const QByteArray jar = "jikken_token=" + m_readToken.toUtf8();
        QCOMPARE(request("GET", QStringLiteral("/api/v1/runs"), {}, {}, {}, {{"Cookie", jar}}).status, 200);
        const QByteArray writerJar = "jikken_token=" + m_writeToken.toUtf8();
        QCOMPARE(request("POST", QStringLiteral("/api/v1/reserve"), "{\"method\":\"x\"}", {}, "application/json",
                         {{"Cookie", writerJar}})
                     .status,
                 401);
        QCOMPARE(request("GET", QStringLiteral("/?token=jk_wrong"), {}, {}, {}).status, 401);
        // A write token in the page's URL never becomes the phone's cookie.
        const HttpResult writer = request("GET", QStringLiteral("/?token=") + m_writeToken, {}, {}, {});
        QCOMPARE(writer.status, 403);
        for (const auto& [key, value] : writer.headers)
            QVERIFY(key.compare("Set-Cookie", Qt::CaseInsensitive) != 0);
        QVERIFY2(writer.json.value(QStringLiteral("error")).toString().contains(QStringLiteral("read-only")),
                 writer.body.constData());
    }

    void servesTlsWithTheGivenCertificate()
    {
        QTemporaryDir dir;
        const QString cert = dir.filePath(QStringLiteral("cert.pem"));
        const QString key = dir.filePath(QStringLiteral("key.pem"));
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"),
                      {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                       QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"), key,
                       QStringLiteral("-out"), cert, QStringLiteral("-days"), QStringLiteral("1"),
                       QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-addext"),
                       QStringLiteral("subjectAltName=IP:127.0.0.1")});
        QVERIFY2(openssl.waitForFinished(60000) && openssl.exitCode() == 0, "openssl makes a test certificate");
        ServerOptions options;
        options.tlsCertificate = cert;
        options.tlsKey = key;
        startServer(options);
        QVERIFY(m_server->url().startsWith(QStringLiteral("https://")));
        QString error;
        {
            HttpRegistryClient untrusting(QUrl(m_server->url()), m_writeToken);
            QVERIFY(!untrusting.reserve(QStringLiteral("tls"), &error));
            QVERIFY2(error.contains(QStringLiteral("JIKKEN_CA_CERT")), qPrintable(error));
        }
        qputenv("JIKKEN_CA_CERT", cert.toUtf8());
        HttpRegistryClient trusting(QUrl(m_server->url()), m_writeToken);
        qunsetenv("JIKKEN_CA_CERT");
        QVERIFY2(trusting.reserve(QStringLiteral("tls"), &error), qPrintable(error));
        // Plain HTTP on the TLS port gets nothing.
        QString plainUrl = m_server->url();
        plainUrl.replace(QStringLiteral("https://"), QStringLiteral("http://"));
        HttpRegistryClient plain{QUrl(plainUrl), m_writeToken, 3000};
        QVERIFY(!plain.reserve(QStringLiteral("tls"), &error));
        ServerOptions broken;
        broken.tlsCertificate = cert;
        broken.tlsKey = dir.filePath(QStringLiteral("missing.pem"));
        broken.database = m_backend.database(QStringLiteral("tls-broken"));
        broken.port = 0;
        RegistryServer refused(broken);
        QVERIFY(!refused.start(&error));
        QVERIFY(error.contains(QStringLiteral("TLS")));
    }

    void importThroughTheService()
    {
        startServer();
        RunRecord old;
        old.id = QStringLiteral("20190705_01_focalloss");
        old.status = RunStatus::Finished;
        old.latestTestError = 0.271;
        QString error;
        HttpRegistryClient registry = client(m_writeToken);
        QVERIFY2(registry.importRuns({old}, &error), qPrintable(error));
        QCOMPARE(*registry.run(old.id, &error)->latestTestError, 0.271);
        QVERIFY(!registry.importRuns({old}, &error)); // already there: refused whole
        QVERIFY(error.contains(QStringLiteral("409")));
        // Bad input is a 400 naming the field, and nothing is stored.
        const auto import = [&](const QByteArray& run) {
            return request("POST", QStringLiteral("/api/v1/import"), "{\"runs\": [" + run + "]}", m_writeToken);
        };
        const HttpResult badId = import("{\"id\": \"2019075_01_x\", \"status\": \"finished\"}");
        QCOMPARE(badId.status, 400);
        QVERIFY2(badId.json.value(QStringLiteral("error")).toString().contains(QStringLiteral("id")),
                 badId.body.constData());
        const HttpResult hugeEpoch = import("{\"id\": \"20190705_02_x\", \"status\": \"finished\", \"epoch\": 1e15}");
        QCOMPARE(hugeEpoch.status, 400);
        QVERIFY2(hugeEpoch.json.value(QStringLiteral("error")).toString().contains(QStringLiteral("epoch")),
                 hugeEpoch.body.constData());
        QVERIFY(!registry.run(QStringLiteral("20190705_02_x"), &error));
    }
};

QTEST_GUILESS_MAIN(TestRegistryService)
#include "TestRegistryService.moc"
