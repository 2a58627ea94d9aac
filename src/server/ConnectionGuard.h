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
/// Other requests the service has taken are not idle.
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

    Limits m_limits;
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
