#pragma once

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTcpServer>

#include <functional>

class QTcpSocket;
class QTimer;

namespace jikken {

/// What one connection may cost the service before Qt HttpServer sees a request. Qt HttpServer 6.4 reads
/// a whole body into memory before the service can look at it, and keeps an idle or half-open connection
/// for ever; this guard watches each socket first (its readyRead slot runs before Qt's) and
///  - refuses a body by its headers: Content-Length over the limit (413), a body without a token or with a
///    token the service does not know (401) or that may only read (403), before a byte of it is read; a
///    chunked body is counted and cut off at the limit;
///  - bounds the bodies in memory at once: each body's length is held from its headers until it is answered;
///    past `maxBodyBytesInFlight` in all, or `maxBodyBytes` for one token, a body waits its turn: 503 with
///    Retry-After (a client's journal sends it again);
///  - closes a connection whose request headers do not arrive in time (slow headers) or that sits idle;
///  - keeps at most `maxConnections`: a new one over the cap takes the place of the longest idle one, or
///    else of the longest parked one (a change-feed request the service holds open, answered by the close).
///    Other requests the service has taken are not idle;
///  - gives each client (a valid token, or else an address) a fair share, once the service knows who sent
///    a request (`share`): at most `maxConnectionsPerClient` connections, and at most `clientShare` of the
///    event loop's time, counted as a token bucket over `shareWindowMs` (`charge`): a client past its share
///    is answered 429 with Retry-After until it has earned more, whoever else is waiting.
/// A cheap request costs microseconds: a client past its share of time is one sending tens of thousands a
/// second, or expensive ones (every run, over and over), so the count of requests is weighed by their cost.
class ConnectionGuard : public QObject
{
    Q_OBJECT

public:
    struct Limits
    {
        qint64 maxBodyBytes = 64 << 20;
        int maxHeaderBytes = 64 << 10;
        /// Qt HttpServer 6.4 keeps only so many header fields and would drop the rest (Authorization
        /// among them) without a word: more than this is answered 431.
        int maxHeaderFields = 100;
        int headerTimeoutMs = 10'000; ///< from a request's first byte to the end of its headers
        int idleTimeoutMs = 120'000;  ///< a kept-alive connection with no request
        int maxConnections = 1000;
        /// Bodies in memory at once, all connections together (a chunked body counts as maxBodyBytes).
        qint64 maxBodyBytesInFlight = qint64(128) << 20;
        /// One client's connections: well under maxConnections, so no one client fills the service.
        int maxConnectionsPerClient = 256;
        /// The part of the event loop's time one client may take, over a window of this many ms.
        double clientShare = 0.5;
        int shareWindowMs = 1000;
    };
    /// Whether a request of `client` may go on: empty, or why not, with how long to wait.
    struct Verdict
    {
        QString refusal; ///< empty: go on
        int retryAfterSeconds = 0;
        bool closeConnection = false; ///< over the client's connections: this one goes
    };
    /// Whether a request with this Authorization header (or none) may send its body: 0, or the status that
    /// refuses it (401, 403) with `why`.
    using BodyCheck = std::function<int(const QByteArray& authorization, QString* why)>;

    ConnectionGuard(Limits limits, BodyCheck mayUpload, QObject* parent = nullptr);

    /// Takes a new connection: watched from now on (call before Qt HttpServer sees it). False when it was
    /// refused (closed at once).
    bool admit(QTcpSocket* socket);
    /// The service has the whole request: the connection is busy until `answered`.
    void taken(QTcpSocket* socket);
    void answered(QTcpSocket* socket);
    /// The service holds this taken request open (a change-feed wait): at the cap it may make room.
    void parked(QTcpSocket* socket);
    /// Who sent the request the service is handling on `socket` ("token …", "address …"): the connection
    /// counts as theirs from now on; refused past their connections or their share of time.
    Verdict share(QTcpSocket* socket, const QByteArray& client);
    /// The event loop spent `nanoseconds` on a request on `socket`: charged to its client's share.
    void charge(QTcpSocket* socket, qint64 nanoseconds);
    int connections() const { return static_cast<int>(m_states.size()); }
    qint64 bodyBytesInFlight() const { return m_bodyBytesInFlight; }

private:
    struct State;
    void onReadyRead(QTcpSocket* socket);
    void refuse(QTcpSocket* socket, int status, const QString& why);
    void expire();
    /// Lets go of the body bytes `state` holds.
    void release(State* state);
    /// The connection that makes room at the cap: the longest idle, or else the longest parked; none.
    QTcpSocket* evictable() const;

    struct Share
    {
        int connections = 0;
        double creditMs = 0; ///< time it may still take; below 0, it waits
        qint64 refilledAt = 0;
    };
    /// `client`'s share, its credit earned up to now.
    Share& shareOf(const QByteArray& client);
    /// The connection no longer counts as its client's.
    void leave(State* state);
    double fullCreditMs() const { return m_limits.clientShare * m_limits.shareWindowMs; }

    Limits m_limits;
    QHash<QByteArray, Share> m_shares; ///< by client; forgotten when it holds nothing and owes nothing
    BodyCheck m_mayUpload;
    QHash<QTcpSocket*, State*> m_states;
    qint64 m_bodyBytesInFlight = 0;
    QHash<QByteArray, qint64> m_bodyBytesByToken; ///< by Authorization header
    QTimer* m_sweeper;
};

/// A TCP server whose connections go through a ConnectionGuard before Qt HttpServer takes them.
class GuardedTcpServer : public QTcpServer
{
public:
    GuardedTcpServer(ConnectionGuard& guard, QObject* parent) : QTcpServer(parent), m_guard(guard) {}

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    ConnectionGuard& m_guard;
};

} // namespace jikken
