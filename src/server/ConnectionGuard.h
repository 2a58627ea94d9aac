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
///    token the service does not know (401), before a byte of it is read; a chunked body is counted and cut
///    off at the limit;
///  - closes a connection whose request headers do not arrive in time (slow headers) or that sits idle;
///  - keeps at most `maxConnections`: a new one over the cap takes the place of the longest idle one.
/// Requests the service has taken (parked change-feed requests among them) are not idle.
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
    };
    /// Whether a request with this Authorization header (or none) may send its body; `why` when not.
    using BodyCheck = std::function<bool(const QByteArray& authorization, QString* why)>;

    ConnectionGuard(Limits limits, BodyCheck mayUpload, QObject* parent = nullptr);

    /// Takes a new connection: watched from now on (call before Qt HttpServer sees it). False when it was
    /// refused (closed at once).
    bool admit(QTcpSocket* socket);
    /// The service has the whole request: the connection is busy until `answered`.
    void taken(QTcpSocket* socket);
    void answered(QTcpSocket* socket);
    int connections() const { return static_cast<int>(m_states.size()); }

private:
    struct State;
    void onReadyRead(QTcpSocket* socket);
    void refuse(QTcpSocket* socket, int status, const QString& why);
    void expire();

    Limits m_limits;
    BodyCheck m_mayUpload;
    QHash<QTcpSocket*, State*> m_states;
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
