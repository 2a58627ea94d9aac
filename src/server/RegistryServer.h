#pragma once

#include "AlertRuleCheck.h"
#include "ChangeFeed.h"
#include "ConnectionGuard.h"
#include "RegistryApi.h"
#include "ReservationKeys.h"
#include "RunAlerts.h"
#include "ScalarIngest.h"
#include "SeriesCache.h"
#include "registry/AccessTokens.h"
#include "registry/RegistryStore.h"

#include <QAbstractHttpServer>
#include <QDeadlineTimer>
#include <QHash>
#include <QHostAddress>
#include <QPointer>
#include <QSslConfiguration>
#include <QThreadPool>
#include <QTimer>

#include <memory>
#include <vector>

class QHttpServerResponder;
class QTcpSocket;

namespace jikken {

struct ServerOptions
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 8470;
    QString database; ///< SQLite path or postgresql:// URL
    qint64 lostAfterMs = 120'000;
    /// Lets requests from this machine read without a token (writes always need one).
    bool openLoopbackReads = false;
    QString tlsCertificate; ///< PEM files; both given: HTTPS only
    QString tlsKey;
    qint64 maxBodyBytes = 64 << 20;
    /// Slow headers, idle connections and how many at once (ConnectionGuard); its body limit is maxBodyBytes.
    ConnectionGuard::Limits connections;
    int maxWaitMs = 30'000; ///< longest a change-feed request is held open
    /// Change-feed requests one token (or, without one, one address) may have held open; past it the oldest
    /// is answered at once, so no one client holds the connection cap with waits.
    int maxParkedPerClient = 8;
    qint64 seriesCacheBytes = 256 << 20; ///< the series cache's memory budget (least recently used go first)
    /// The registry's clock, for tests and benchmarks; empty: the real one.
    RegistryStore::Clock clock;
    ApiLimits limits;
    RunAlerts::Options alerts; ///< a webhook told of finished, failed, lost and diverged runs
    QString alertRules;        ///< the user's alert rules file (AlertRules); empty: none
    int alertCheckMs = 15'000; ///< how often the running runs are judged by the rules that take time
};

/// `jikken serve`: the registry's HTTP service. Authenticates every request with a bearer token (a
/// read-only token reads, a write token writes), enforces size limits, serves the API (`RegistryApi`), a
/// long-poll change feed, and the phone page; marks silent runs lost.
class RegistryServer : public QAbstractHttpServer
{
    Q_OBJECT

public:
    explicit RegistryServer(ServerOptions options, QObject* parent = nullptr);
    ~RegistryServer() override;

    /// Opens the database and listens; on failure `error` says why.
    bool start(QString* error);
    quint16 port() const { return m_port; }
    QString url() const;
    RegistryStore& store() { return m_store; }

protected:
    bool handleRequest(const QHttpServerRequest& request, QTcpSocket* socket) override;
    void missingHandler(const QHttpServerRequest& request, QTcpSocket* socket) override;

private:
    enum class Access { Denied, Unavailable, Read, Write };
    struct Waiter;

    /// `caller`, where given: who asks, for fair shares and idempotency keys (the token, or without one the
    /// address).
    Access authorize(const QHttpServerRequest& request, QByteArray* tokenFromQuery, QString* why,
                     QByteArray* caller = nullptr);
    /// The answer to a request `authorize` turned away: 401 for a bad token, 503 while the database is away.
    ApiReply refusal(Access access, const QString& why);
    /// After a database failure: a lost PostgreSQL connection is opened again (with backoff). Whether the
    /// database was away (the failure was its absence, not the request's).
    bool reconnectIfLost();
    /// A reply of 500 becomes 503 when the database was away: the client tries again, as the API promises.
    ApiReply unlessDatabaseAway(ApiReply reply);
    /// The token whose secret this is (std::nullopt: none live), from a cache of kTokenCacheMs or the
    /// database; nullptr with `databaseError` when the database cannot answer.
    const std::optional<AccessToken>* liveToken(const QByteArray& secret, QString* databaseError);
    /// Whether a request with this Authorization header may send a body (ConnectionGuard asks first): 0,
    /// or the status that refuses it.
    int mayUpload(const QByteArray& authorization, QString* why);
    /// Hands a scalars upload to the ingest thread; answers it, and updates the cache and feed, when stored.
    void storeScalars(const QString& run, const ApiRequest& request, QHttpServerResponder&& responder,
                      QTcpSocket* socket);
    /// Writes a long reply (ApiReply::later) on a writer thread, then sends it from this one.
    void answerLater(std::function<ApiReply()> write, QHttpServerResponder&& responder, QTcpSocket* socket);
    void parkOrAnswerChanges(const QHttpServerRequest& request, const QByteArray& caller,
                             QHttpServerResponder&& responder);
    /// Answers every waiting change-feed request that has news, whose wait is over or that is over its
    /// caller's share.
    void answerWaiters();
    void reservePending();
    void markLost();
    void servePhonePage(QHttpServerResponder& responder, const QByteArray& token);
    /// `GET /` (or /index.html): the phone page, a token in its URL checked (a read-only one only).
    void answerPageRequest(const QHttpServerRequest& request, const QByteArray& method,
                           QHttpServerResponder& responder);
    /// Queues a `POST /api/v1/reserve` to be made with those that arrive with it; false when refused (and
    /// answered) at once.
    /// `idempotencyKey`: the caller's key (already scoped to the caller), or empty.
    bool queueReservation(const ApiRequest& request, const QByteArray& idempotencyKey, QHttpServerResponder& responder,
                          QTcpSocket* socket);

    ServerOptions m_options;
    RegistryStore m_store;
    std::unique_ptr<AccessTokens> m_tokens;
    ChangeFeed m_feed;
    SeriesCache m_cache;
    RegistryApi m_api;
    ScalarIngest m_ingest;
    RunAlerts m_alerts;
    AlertRuleCheck m_ruleCheck;
    quint16 m_port = 0;
    bool m_tls = false;
    QSslConfiguration m_ssl;
    std::unique_ptr<ConnectionGuard> m_guard;
    QTimer m_lostTimer;
    QTimer m_waitTimer;
    std::vector<std::unique_ptr<Waiter>> m_waiters;
    struct PendingReservation;
    std::vector<PendingReservation> m_pendingReservations;
    ReservationKeys m_reservationKeys;
    qint64 m_answeredRevision = 0;
    struct CachedToken
    {
        std::optional<AccessToken> token;
        QDeadlineTimer fresh;
    };
    QHash<QByteArray, CachedToken> m_tokenCache;
    QThreadPool m_writers; ///< writes long replies off the event loop (waited for on destruction)
};

} // namespace jikken
