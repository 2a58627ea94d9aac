#include "RegistryServer.h"

#include "HttpExchange.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QScopeGuard>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpSocket>
#include <QUrlQuery>

#include <algorithm>
#include <cmath>
#include <cstdio>

// The phone page is a resource of this static library: it must be registered by hand (outside any namespace).
static void registerPhonePage()
{
    Q_INIT_RESOURCE(phone);
}

namespace jikken {

using namespace httpExchange;

struct RegistryServer::Waiter
{
    QHttpServerResponder responder;
    QPointer<QTcpSocket> socket;
    qint64 since = 0;
    QString instance;
    QDeadlineTimer deadline;
    QByteArray caller;      ///< whose share of parked requests this is
    bool answerNow = false; ///< over its caller's share: answered with what there is
};

struct RegistryServer::PendingReservation
{
    std::shared_ptr<QHttpServerResponder> responder;
    QPointer<QTcpSocket> socket;
    QString method;
    QByteArray idempotencyKey; ///< scoped to the caller; empty: none
};

namespace {

/// The calling writer thread's own connection to `database` (Qt SQL connections belong to a thread),
/// opened on first use and closed when the thread ends.
RegistryStore* workerStore(const QString& database, bool reopen)
{
    thread_local QHash<QString, std::shared_ptr<RegistryStore>> stores;
    if (reopen) {
        stores.remove(database);
        return nullptr;
    }
    std::shared_ptr<RegistryStore>& store = stores[database];
    if (!store) {
        auto opened = std::make_shared<RegistryStore>();
        QString error;
        if (!opened->open(database, &error)) {
            stores.remove(database);
            return nullptr;
        }
        store = std::move(opened);
    }
    return store.get();
}

} // namespace

RegistryServer::RegistryServer(ServerOptions options, QObject* parent)
    : QAbstractHttpServer(parent), m_options(std::move(options)),
      m_cache(
          [this](const QString& run, const QString& tag, QString* error) { return m_store.series(run, tag, error); },
          m_options.seriesCacheBytes),
      m_api(m_store, m_feed, m_cache, m_options.limits), m_alerts(m_options.alerts),
      m_ruleCheck(m_store, m_alerts, m_options.alertRules, m_options.clock)
{
    registerPhonePage();
    m_api.setAlerts(&m_alerts);
    m_api.setWorkerStore([database = m_options.database](bool reopen) { return workerStore(database, reopen); });
    m_writers.setMaxThreadCount(2);
    connect(&m_lostTimer, &QTimer::timeout, this, &RegistryServer::markLost);
    connect(&m_waitTimer, &QTimer::timeout, this, [this] { answerWaiters(); });
}

RegistryServer::~RegistryServer()
{
    m_writers.waitForDone(); // their answers, queued to this object, go with it
}

QString RegistryServer::url() const
{
    const QString host = m_options.address.protocol() == QAbstractSocket::IPv6Protocol
                             ? u'[' + m_options.address.toString() + u']'
                             : m_options.address.toString();
    return QStringLiteral("%1://%2:%3").arg(m_tls ? QStringLiteral("https") : QStringLiteral("http"), host).arg(m_port);
}

bool RegistryServer::start(QString* error)
{
    if (!m_store.open(m_options.database, error) ||
        !m_ingest.start(m_options.database, m_options.limits.maxPointsPerBatch, error))
        return false;
    if (m_options.clock)
        m_store.setClock(m_options.clock);
    m_tokens = std::make_unique<AccessTokens>(m_store.database());
    // The reservations of the last day a client may still be retrying (its answer lost as we went down).
    const auto kept = m_store.reservationKeys(error);
    if (!kept)
        return false;
    for (const RegistryStore::ReservationKey& reservation : *kept)
        m_reservationKeys.remember(reservation.key, reservation.id, reservation.madeAt);
    if (!m_ruleCheck.start(m_options.alertCheckMs, error))
        return false;
    if (!m_options.tlsCertificate.isEmpty() || !m_options.tlsKey.isEmpty()) {
        QFile certificateFile(m_options.tlsCertificate);
        QFile keyFile(m_options.tlsKey);
        if (!certificateFile.open(QIODevice::ReadOnly) || !keyFile.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("TLS needs both a readable certificate and key (--tls-cert, --tls-key)");
            return false;
        }
        const QSslCertificate certificate(&certificateFile, QSsl::Pem);
        QSslKey key(&keyFile, QSsl::Rsa, QSsl::Pem);
        if (key.isNull()) {
            keyFile.seek(0);
            key = QSslKey(&keyFile, QSsl::Ec, QSsl::Pem);
        }
        if (certificate.isNull() || key.isNull()) {
            *error = QStringLiteral("cannot read the TLS certificate %1 or key %2 (PEM expected)")
                         .arg(m_options.tlsCertificate, m_options.tlsKey);
            return false;
        }
        m_ssl = QSslConfiguration::defaultConfiguration();
        m_ssl.setLocalCertificate(certificate);
        m_ssl.setPrivateKey(key);
        m_tls = true;
    }
    ConnectionGuard::Limits limits = m_options.connections;
    limits.maxBodyBytes = m_options.maxBodyBytes;
    m_guard = std::make_unique<ConnectionGuard>(
        limits, [this](const QByteArray& authorization, QString* why) { return mayUpload(authorization, why); });
    QTcpServer* server = nullptr;
    if (m_tls) {
        auto* ssl = new QSslServer(this);
        ssl->setSslConfiguration(m_ssl);
        // Guarded from the handshake on; over the cap the longest idle connection makes room, or it is closed.
        connect(ssl, &QSslServer::startedEncryptionHandshake, this,
                [this](QSslSocket* socket) { m_guard->admit(socket); });
        server = ssl;
    } else {
        server = new GuardedTcpServer(*m_guard, this);
    }
    if (server->listen(m_options.address, m_options.port)) {
        m_port = server->serverPort();
        bind(server);
    } else {
        delete server;
        m_port = 0;
    }
    if (m_port == 0) {
        *error = QStringLiteral("cannot listen on %1:%2 (in use, or not an address of this machine)")
                     .arg(m_options.address.toString())
                     .arg(m_options.port);
        return false;
    }
    m_alerts.setPage(QUrl(url() + u'/'));
    m_lostTimer.start(static_cast<int>(std::clamp<qint64>(m_options.lostAfterMs / 4, 250, 15000)));
    m_waitTimer.start(std::clamp(m_options.maxWaitMs / 10, 50, 1000));
    return true;
}

bool RegistryServer::reconnectIfLost()
{
    QString error;
    const auto outcome = m_store.reconnectIfLost(&error);
    if (outcome == RegistryStore::Connection::Reopened)
        std::fprintf(stderr, "jikken serve: the registry's database is back\n");
    else if (outcome == RegistryStore::Connection::Lost)
        std::fprintf(stderr, "jikken serve: %s\n", qPrintable(error));
    return outcome != RegistryStore::Connection::Fine;
}

ApiReply RegistryServer::unlessDatabaseAway(ApiReply reply)
{
    if (reply.status < 500)
        return reply;
    // Any failure of the service looks at the connection (a restarted PostgreSQL is opened again).
    const bool away = reconnectIfLost();
    return away && reply.status == 500 ? ApiReply::databaseAway() : reply;
}

bool RegistryServer::queueReservation(const ApiRequest& request, const QByteArray& idempotencyKey,
                                      QHttpServerResponder& responder, QTcpSocket* socket)
{
    ApiReply refused;
    const auto methodName = RegistryApi::reserveMethod(request, &refused);
    if (!methodName) {
        send(responder, refused);
        return false;
    }
    if (const auto earlier = m_reservationKeys.find(idempotencyKey)) { // this POST again: its answer was lost
        send(responder, RegistryApi::reserved(earlier, RegistryFailure::None, {}));
        return false;
    }
    // Reservations that arrive together are made together, in one transaction with one commit: the commit
    // (a disk flush) is what a reservation costs.
    if (m_pendingReservations.empty())
        QTimer::singleShot(0, this, &RegistryServer::reservePending);
    m_pendingReservations.push_back(
        {std::make_shared<QHttpServerResponder>(std::move(responder)), socket, *methodName, idempotencyKey});
    return true;
}

bool RegistryServer::handleRequest(const QHttpServerRequest& request, QTcpSocket* socket)
{
    // Busy until answered: a parked change-feed request or a batched reservation is answered later.
    m_guard->taken(socket);
    QElapsedTimer spent; // on the event loop, charged to the client's share of it
    spent.start();
    bool answeredLater = false;
    const auto idleAgain = qScopeGuard([&] {
        m_guard->charge(socket, spent.nsecsElapsed());
        if (!answeredLater)
            m_guard->answered(socket);
    });
    QHttpServerResponder responder = makeResponder(request, socket);
    const QByteArray method = methodName(request.method());
    const QString path = request.url().path();
    const qint64 declaredLength = header(request, "Content-Length").toLongLong();
    if (request.body().size() > m_options.maxBodyBytes || declaredLength > m_options.maxBodyBytes) {
        send(responder,
             ApiReply::error(413, QStringLiteral("the body is larger than %1 bytes").arg(m_options.maxBodyBytes)),
             {{"Connection", "close"}});
        socket->disconnectFromHost();
        return true;
    }
    // Listening on loopback, only this machine's names are ours: a page elsewhere whose name was rebound
    // to 127.0.0.1 (DNS rebinding) sends its own, and gets nothing, not even the phone page.
    if (m_options.address.isLoopback() && !loopbackHost(request)) {
        send(responder,
             ApiReply::error(421, QStringLiteral("this service answers to localhost only, not to Host \"%1\"")
                                      .arg(QString::fromUtf8(header(request, "Host").left(200)))));
        return true;
    }
    if (path == QLatin1String("/") || path == QLatin1String("/index.html")) {
        answerPageRequest(request, method, responder);
        return true;
    }
    if (!path.startsWith(QLatin1String("/api/"))) {
        send(responder, ApiReply::error(404, QStringLiteral("no such page %1").arg(path)));
        return true;
    }
    QByteArray tokenFromQuery;
    QString why;
    QByteArray caller;
    const Access access = authorize(request, &tokenFromQuery, &why, &caller);
    // A client is a valid token, or else an address: made-up tokens do not make more clients.
    const QByteArray client = access == Access::Read || access == Access::Write
                                  ? caller
                                  : QByteArray("address " + request.remoteAddress().toString().toUtf8());
    if (const ConnectionGuard::Verdict verdict = m_guard->share(socket, client); !verdict.refusal.isEmpty()) {
        send(responder, ApiReply::error(429, verdict.refusal),
             {{"Retry-After", QByteArray::number(verdict.retryAfterSeconds)}});
        if (verdict.closeConnection)
            socket->disconnectFromHost();
        return true;
    }
    if (access == Access::Denied || access == Access::Unavailable) {
        send(responder, refusal(access, why),
             access == Access::Denied ? Headers{{"WWW-Authenticate", "Bearer realm=\"jikken\""}} : Headers{});
        return true;
    }
    if (access == Access::Read && RegistryApi::isWrite(method)) {
        send(responder, ApiReply::error(403, QStringLiteral("this token is read-only")));
        return true;
    }
    if (path == QLatin1String("/api/v1/changes") && method == "GET") {
        answeredLater = true;
        parkOrAnswerChanges(request, caller, std::move(responder));
        return true;
    }
    ApiRequest apiRequest{method, path, request.query(), request.body(), header(request, "Content-Type"), {}};
    if (const QByteArray sequence = header(request, "Jikken-Journal-Sequence"); !sequence.isEmpty()) {
        bool ok = false;
        apiRequest.journalSequence = sequence.toLongLong(&ok);
        if (!ok || *apiRequest.journalSequence <= 0) {
            send(responder, ApiReply::error(400, QStringLiteral("Jikken-Journal-Sequence must be a positive integer")));
            return true;
        }
    }
    if (method == "POST" && path == QLatin1String("/api/v1/reserve")) {
        const QByteArray key = header(request, "Idempotency-Key");
        if (const QString problem = key.isEmpty() ? QString() : ReservationKeys::keyError(key); !problem.isEmpty()) {
            send(responder, ApiReply::error(400, problem));
            return true;
        }
        answeredLater =
            queueReservation(apiRequest, key.isEmpty() ? key : ReservationKeys::scoped(caller, key), responder, socket);
        return true;
    }
    if (const auto run = RegistryApi::scalarsRun(apiRequest)) {
        answeredLater = true;
        storeScalars(*run, apiRequest, std::move(responder), socket);
        return true;
    }
    const ApiReply reply = unlessDatabaseAway(m_api.handle(apiRequest));
    if (reply.later) {
        answeredLater = true;
        answerLater(reply.later, std::move(responder), socket);
        return true;
    }
    if (reply.status >= 500)
        std::fprintf(stderr, "jikken serve: %s %s -> %d %s\n", method.constData(), qPrintable(path), reply.status,
                     reply.body.constData());
    send(responder, reply);
    if (m_feed.revision() != m_answeredRevision && !m_waiters.empty())
        QTimer::singleShot(0, this, [this] { answerWaiters(); });
    return true;
}

void RegistryServer::storeScalars(const QString& run, const ApiRequest& request, QHttpServerResponder&& responder,
                                  QTcpSocket* socket)
{
    m_ingest.submit(
        run, request, this,
        [this, run, responder = std::make_shared<QHttpServerResponder>(std::move(responder)),
         socket = QPointer<QTcpSocket>(socket)](const ApiReply& reply, const QVector<TaggedSeries>& stored) {
            if (!stored.isEmpty()) {
                m_alerts.pointsStored(run, stored);
                m_ruleCheck.pointsStored(run, stored);
                m_cache.add(run, stored);
                m_feed.touch(run);
                if (!m_waiters.empty())
                    answerWaiters();
            }
            if (socket) { // the client may have hung up meanwhile; what it sent is stored all the same
                send(*responder, reply);
                m_guard->answered(socket);
            }
        });
}

void RegistryServer::answerLater(std::function<ApiReply()> write, QHttpServerResponder&& responder, QTcpSocket* socket)
{
    auto answer = std::make_shared<QHttpServerResponder>(std::move(responder));
    m_writers.start([this, write = std::move(write), answer, socket = QPointer<QTcpSocket>(socket)] {
        ApiReply reply = write();
        QMetaObject::invokeMethod(
            this,
            [this, answer, socket, reply = std::move(reply)] {
                if (reply.thenOnLoop)
                    reply.thenOnLoop();
                if (!socket) // the client hung up meanwhile
                    return;
                send(*answer, reply);
                m_guard->answered(socket);
            },
            Qt::QueuedConnection);
    });
}

void RegistryServer::reservePending()
{
    std::vector<PendingReservation> batch;
    batch.swap(m_pendingReservations);
    if (batch.empty())
        return;
    // One ID per idempotency key: a copy of a POST that came in the same batch shares the first one's.
    QStringList methods;
    QList<QByteArray> keys; // beside each method: kept with its ID in the registry
    std::vector<int> slot(batch.size());
    QHash<QByteArray, int> slotOfKey;
    for (size_t i = 0; i < batch.size(); ++i) {
        const QByteArray& key = batch[i].idempotencyKey;
        const auto first = key.isEmpty() ? slotOfKey.constEnd() : slotOfKey.constFind(key);
        slot[i] = first != slotOfKey.constEnd() ? *first : static_cast<int>(methods.size());
        if (first == slotOfKey.constEnd()) {
            if (!key.isEmpty())
                slotOfKey.insert(key, slot[i]);
            methods << batch[i].method;
            keys << key;
        }
    }
    QString error;
    auto ids = m_store.reserve(methods, keys, &error);
    RegistryFailure failure = m_store.lastFailure(); // before a reconnection's own failures
    const bool away = !ids && reconnectIfLost();
    std::vector<std::optional<ModelId>> taken(methods.size());
    for (qsizetype k = 0; k < methods.size(); ++k) {
        taken[k] = ids ? std::optional<ModelId>(ids->at(k)) : std::nullopt;
        // The batch may not fit in what is left of the day: then each takes what remains, one by one.
        if (!ids && methods.size() > 1 && !away) {
            const auto one = m_store.reserve({methods[k]}, {keys[k]}, &error);
            taken[k] = one ? std::optional<ModelId>(one->first()) : std::nullopt;
            failure = m_store.lastFailure();
        }
        if (taken[k])
            m_feed.touch(taken[k]->toString());
    }
    for (size_t i = 0; i < batch.size(); ++i) {
        const std::optional<ModelId>& id = taken[slot[i]];
        if (id && !batch[i].idempotencyKey.isEmpty())
            m_reservationKeys.remember(batch[i].idempotencyKey, *id);
        if (batch[i].socket) { // the client may have hung up meanwhile; its ID stays taken, as any reserved ID
            send(*batch[i].responder,
                 away && !id ? ApiReply::databaseAway() : RegistryApi::reserved(id, failure, error));
            m_guard->answered(batch[i].socket);
        }
    }
    if (!ids && methods.size() == 1)
        std::fprintf(stderr, "jikken serve: reserve: %s\n", qPrintable(error));
    if (m_feed.revision() != m_answeredRevision && !m_waiters.empty())
        answerWaiters();
}

void RegistryServer::missingHandler(const QHttpServerRequest& request, QTcpSocket* socket)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    send(responder, ApiReply::error(404, QStringLiteral("no such page")));
}

void RegistryServer::parkOrAnswerChanges(const QHttpServerRequest& request, const QByteArray& caller,
                                         QHttpServerResponder&& responder)
{
    const QUrlQuery query = request.query();
    bool sinceOk = true;
    bool waitOk = true;
    const qint64 since = query.hasQueryItem(QStringLiteral("since"))
                             ? query.queryItemValue(QStringLiteral("since"), QUrl::FullyDecoded).toLongLong(&sinceOk)
                             : m_feed.revision();
    const double waitSeconds = query.hasQueryItem(QStringLiteral("wait"))
                                   ? query.queryItemValue(QStringLiteral("wait"), QUrl::FullyDecoded).toDouble(&waitOk)
                                   : m_options.maxWaitMs / 1000.0;
    const int waitMs = static_cast<int>(std::clamp(waitSeconds, -1.0, 86400.0) * 1000);
    if (!sinceOk || !waitOk || since < 0 || waitSeconds < 0 || !std::isfinite(waitSeconds)) {
        send(responder, ApiReply::error(400, QStringLiteral("changes: since is a revision, wait is seconds")));
        return;
    }
    QTcpSocket* socket = responder.socket();
    auto waiter = std::make_unique<Waiter>(Waiter{std::move(responder), socket, since,
                                                  query.queryItemValue(QStringLiteral("feed"), QUrl::FullyDecoded),
                                                  QDeadlineTimer(std::min(waitMs, m_options.maxWaitMs)), caller});
    if (waiter->instance.isEmpty())
        waiter->instance = m_feed.instance();
    // One caller's share of held requests: past it, its oldest is answered now (it asks again, as after any
    // answer), so waits of one token never fill the service.
    int held = 0;
    for (auto it = m_waiters.rbegin(); it != m_waiters.rend(); ++it) {
        if ((*it)->caller == caller && !(*it)->answerNow && ++held >= m_options.maxParkedPerClient)
            (*it)->answerNow = true;
    }
    m_guard->parked(socket);
    m_waiters.push_back(std::move(waiter));
    answerWaiters();
}

void RegistryServer::answerWaiters()
{
    m_answeredRevision = m_feed.revision();
    for (auto it = m_waiters.begin(); it != m_waiters.end();) {
        Waiter& waiter = **it;
        if (!waiter.socket || waiter.socket->state() != QAbstractSocket::ConnectedState) {
            it = m_waiters.erase(it); // the client went away; nothing to answer
            continue;
        }
        const ChangeFeed::Changes changes = m_feed.since(waiter.since, waiter.instance);
        if (changes.runs.isEmpty() && !changes.reset && !waiter.deadline.hasExpired() && !waiter.answerNow) {
            ++it;
            continue;
        }
        send(waiter.responder, ApiReply::json({{QStringLiteral("feed"), m_feed.instance()},
                                               {QStringLiteral("revision"), changes.revision},
                                               {QStringLiteral("reset"), changes.reset},
                                               {QStringLiteral("runs"), QJsonArray::fromStringList(changes.runs)}}));
        m_guard->answered(waiter.socket);
        it = m_waiters.erase(it);
    }
}

void RegistryServer::markLost()
{
    QString error;
    const QStringList lost = m_store.markLost(m_options.lostAfterMs, &error);
    if (!error.isEmpty())
        std::fprintf(stderr, "jikken serve: %s\n", qPrintable(error));
    for (const QString& id : lost) {
        std::fprintf(stderr, "jikken serve: %s is lost (no heartbeat for %lld s)\n", qPrintable(id),
                     static_cast<long long>(m_options.lostAfterMs / 1000));
        m_alerts.lost(id, QStringLiteral("no heartbeat for %1 s").arg(m_options.lostAfterMs / 1000.0));
        m_feed.touch(id);
    }
    if (!lost.isEmpty())
        answerWaiters();
}

} // namespace jikken
