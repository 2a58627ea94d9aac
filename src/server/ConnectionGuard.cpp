#include "ConnectionGuard.h"

#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <limits>

namespace jikken {

struct ConnectionGuard::State
{
    enum class Phase { Headers, Body, Taken, Parked, Refused };
    Phase phase = Phase::Headers;
    QByteArray headers;   ///< this request's bytes up to the end of its headers
    qint64 bodyLeft = 0;  ///< Content-Length still to come
    bool chunked = false; ///< Transfer-Encoding: chunked, counted against the limit
    qint64 chunkedBytes = 0;
    QDeadlineTimer deadline; ///< for the headers to end, or for the next request on an idle connection
    qint64 idleSince = 0;    ///< when it last finished a request, or was parked (for eviction at the cap)
    qint64 heldBytes = 0;    ///< body bytes counted against the budgets until the answer
    QByteArray holder;       ///< whose budget they count against (the Authorization header)
    QByteArray client;       ///< whose connection it is, for the fair shares (empty until the first request)
};

namespace {

qint64 nowMs()
{
    return QDeadlineTimer::current().deadline();
}

QByteArray headerValue(const QByteArray& headers, const QByteArray& name)
{
    for (const QByteArray& line : headers.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

} // namespace

ConnectionGuard::ConnectionGuard(Limits limits, BodyCheck mayUpload, QObject* parent)
    : QObject(parent), m_limits(limits), m_mayUpload(std::move(mayUpload)), m_sweeper(new QTimer(this))
{
    connect(m_sweeper, &QTimer::timeout, this, &ConnectionGuard::expire);
    m_sweeper->start(std::clamp(m_limits.headerTimeoutMs / 4, 50, 1000));
}

QTcpSocket* ConnectionGuard::evictable() const
{
    QTcpSocket* idle = nullptr;
    QTcpSocket* parked = nullptr;
    for (auto it = m_states.constBegin(); it != m_states.constEnd(); ++it) {
        const State* state = it.value();
        QTcpSocket*& oldest = state->phase == State::Phase::Parked ? parked : idle;
        const bool candidate =
            state->phase == State::Phase::Parked || (state->phase == State::Phase::Headers && state->headers.isEmpty());
        if (candidate && (!oldest || state->idleSince < m_states.value(oldest)->idleSince))
            oldest = it.key();
    }
    return idle ? idle : parked;
}

bool ConnectionGuard::admit(QTcpSocket* socket)
{
    if (connections() >= m_limits.maxConnections) {
        // Full: the longest idle connection (no request under way) makes room, or else the longest parked
        // change-feed request (its client asks again); if there is neither, no room.
        QTcpSocket* oldest = evictable();
        if (!oldest) {
            socket->abort();
            socket->deleteLater();
            return false;
        }
        oldest->abort();
    }
    auto* state = new State;
    state->deadline = QDeadlineTimer(m_limits.idleTimeoutMs);
    state->idleSince = nowMs();
    m_states.insert(socket, state);
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
    const auto forget = [this, socket] {
        if (State* gone = m_states.take(socket)) {
            release(gone);
            leave(gone);
            delete gone;
        }
    };
    connect(socket, &QObject::destroyed, this, forget);
    connect(socket, &QTcpSocket::disconnected, this, forget);
    return true;
}

void ConnectionGuard::release(State* state)
{
    if (state->heldBytes == 0)
        return;
    m_bodyBytesInFlight -= state->heldBytes;
    auto held = m_bodyBytesByToken.find(state->holder);
    if (held != m_bodyBytesByToken.end() && (*held -= state->heldBytes) <= 0)
        m_bodyBytesByToken.erase(held);
    state->heldBytes = 0;
}

ConnectionGuard::Share& ConnectionGuard::shareOf(const QByteArray& client)
{
    const qint64 now = nowMs();
    auto it = m_shares.find(client);
    if (it == m_shares.end())
        return *m_shares.insert(client, Share{0, fullCreditMs(), now});
    it->creditMs = std::min(fullCreditMs(), it->creditMs + (now - it->refilledAt) * m_limits.clientShare);
    it->refilledAt = now;
    return *it;
}

void ConnectionGuard::leave(State* state)
{
    if (state->client.isEmpty())
        return;
    if (auto it = m_shares.find(state->client); it != m_shares.end())
        --it->connections;
    state->client.clear();
}

ConnectionGuard::Verdict ConnectionGuard::share(QTcpSocket* socket, const QByteArray& client)
{
    State* state = m_states.value(socket);
    if (!state)
        return {};
    Share& theirs = shareOf(client); // refilled to now
    if (state->client != client) {
        leave(state); // another client's share: no insertion, so `theirs` stays valid
        if (theirs.connections >= m_limits.maxConnectionsPerClient)
            return {QStringLiteral("this client already has %1 connections open, the most one may hold: send on "
                                   "those")
                        .arg(m_limits.maxConnectionsPerClient),
                    1, true};
        ++theirs.connections;
        state->client = client;
    }
    if (theirs.creditMs >= 0)
        return {};
    const int wait = static_cast<int>(std::ceil(-theirs.creditMs / m_limits.clientShare / 1000));
    return {QStringLiteral("this client took more than its share of the service (%1% of its time over %2 ms): "
                           "ask again in %3 s")
                .arg(m_limits.clientShare * 100)
                .arg(m_limits.shareWindowMs)
                .arg(std::max(1, wait)),
            std::max(1, wait), false};
}

void ConnectionGuard::charge(QTcpSocket* socket, qint64 nanoseconds)
{
    const State* state = m_states.value(socket);
    if (state && !state->client.isEmpty())
        shareOf(state->client).creditMs -= nanoseconds / 1e6;
}

void ConnectionGuard::parked(QTcpSocket* socket)
{
    if (State* state = m_states.value(socket); state && state->phase == State::Phase::Taken) {
        state->phase = State::Phase::Parked;
        state->idleSince = nowMs();
    }
}

void ConnectionGuard::taken(QTcpSocket* socket)
{
    if (State* state = m_states.value(socket)) {
        state->phase = State::Phase::Taken;
        state->headers.clear();
    }
}

void ConnectionGuard::answered(QTcpSocket* socket)
{
    State* state = m_states.value(socket);
    if (!state)
        return;
    release(state);
    if (state->phase == State::Phase::Taken || state->phase == State::Phase::Parked) {
        state->phase = State::Phase::Headers;
        state->deadline = QDeadlineTimer(m_limits.idleTimeoutMs);
        state->idleSince = nowMs();
    }
}

void ConnectionGuard::onReadyRead(QTcpSocket* socket)
{
    State* state = m_states.value(socket);
    if (!state || state->phase == State::Phase::Refused)
        return;
    // What Qt HttpServer is about to read; peeked, so it still gets all of it.
    const QByteArray fresh = socket->peek(socket->bytesAvailable());
    if (state->phase == State::Phase::Taken || state->phase == State::Phase::Parked)
        state->phase = State::Phase::Headers; // a pipelined next request (or the body of a parked one)
    if (state->phase == State::Phase::Body) {
        if (!state->chunked) {
            state->bodyLeft -= fresh.size();
            if (state->bodyLeft <= 0)
                state->phase = State::Phase::Taken;
            return;
        }
        state->chunkedBytes += fresh.size();
        if (state->chunkedBytes > m_limits.maxBodyBytes)
            refuse(socket, 413, QStringLiteral("the body is larger than %1 bytes").arg(m_limits.maxBodyBytes));
        return;
    }
    if (state->headers.isEmpty())
        state->deadline = QDeadlineTimer(m_limits.headerTimeoutMs); // a request began: its headers are due
    state->headers += fresh;
    const qsizetype end = state->headers.indexOf("\r\n\r\n");
    // Too large whether they are still coming or came whole in one read.
    if ((end < 0 ? state->headers.size() : end) > m_limits.maxHeaderBytes)
        return refuse(socket, 431,
                      QStringLiteral("the request's headers are larger than %1 bytes").arg(m_limits.maxHeaderBytes));
    if (end < 0)
        return;
    const QByteArray headers = state->headers.left(end);
    const qint64 afterHeaders = state->headers.size() - end - 4;
    state->headers.clear();
    if (headers.count('\n') > m_limits.maxHeaderFields) // the request line plus one line per field
        return refuse(socket, 431, QStringLiteral("more than %1 header fields").arg(m_limits.maxHeaderFields));
    state->deadline = QDeadlineTimer(QDeadlineTimer::Forever); // the body and the answer take what they take
    bool lengthOk = true;
    const QByteArray lengthText = headerValue(headers, "Content-Length");
    const qint64 length = lengthText.isEmpty() ? 0 : lengthText.toLongLong(&lengthOk);
    state->chunked = headerValue(headers, "Transfer-Encoding").toLower().contains("chunked");
    if (!lengthOk || length < 0)
        return refuse(socket, 400, QStringLiteral("Content-Length is not a number"));
    if (length > m_limits.maxBodyBytes)
        return refuse(socket, 413, QStringLiteral("the body is larger than %1 bytes").arg(m_limits.maxBodyBytes));
    if (length > 0 || state->chunked) {
        const QByteArray authorization = headerValue(headers, "Authorization");
        QString why;
        if (const int status = m_mayUpload(authorization, &why); status != 0)
            return refuse(socket, status, why);
        // Held from now until the answer: Qt HttpServer keeps the whole body, and the service a copy of it.
        const qint64 held = state->chunked ? m_limits.maxBodyBytes : length;
        if (m_bodyBytesInFlight + held > m_limits.maxBodyBytesInFlight ||
            m_bodyBytesByToken.value(authorization) + held > m_limits.maxBodyBytes)
            return refuse(socket, 503,
                          QStringLiteral("too many bodies in flight (%1 bytes at once, %2 for one token): send "
                                         "it again shortly")
                              .arg(m_limits.maxBodyBytesInFlight)
                              .arg(m_limits.maxBodyBytes));
        release(state); // a pipelined request's earlier body, should one still be held
        state->heldBytes = held;
        state->holder = authorization;
        m_bodyBytesInFlight += held;
        m_bodyBytesByToken[authorization] += held;
    }
    state->bodyLeft = length - afterHeaders;
    state->chunkedBytes = afterHeaders;
    state->phase = state->chunked || state->bodyLeft > 0 ? State::Phase::Body : State::Phase::Taken;
}

void ConnectionGuard::refuse(QTcpSocket* socket, int status, const QString& why)
{
    State* state = m_states.value(socket);
    if (state)
        state->phase = State::Phase::Refused;
    static const QHash<int, QByteArray> reasons{{400, "Bad Request"},        {401, "Unauthorized"},
                                                {408, "Request Timeout"},    {403, "Forbidden"},
                                                {413, "Content Too Large"},  {431, "Request Header Fields Too Large"},
                                                {503, "Service Unavailable"}};
    const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("error"), why}}).toJson(QJsonDocument::Compact);
    socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reasons.value(status) +
                  (status == 503 ? "\r\nRetry-After: 1" : "") +
                  "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                  QByteArray::number(body.size()) + "\r\n\r\n" + body);
    socket->flush();
    // Read no more of what it sends: Qt's buffer stays small, the client's window closes.
    socket->setReadBufferSize(1);
    socket->disconnectFromHost();
    QTimer::singleShot(1000, socket, [socket] { socket->abort(); }); // a client that never stops sending
}

void ConnectionGuard::expire()
{
    // A client that holds no connection and owes no time is forgotten: a stream of made-up addresses or
    // tokens leaves nothing behind.
    for (auto it = m_shares.begin(); it != m_shares.end();) {
        const bool owes = it->creditMs + (nowMs() - it->refilledAt) * m_limits.clientShare < fullCreditMs();
        it = it->connections <= 0 && !owes ? m_shares.erase(it) : std::next(it);
    }
    QList<QTcpSocket*> late;
    for (auto it = m_states.constBegin(); it != m_states.constEnd(); ++it) {
        if (it.value()->phase == State::Phase::Headers && it.value()->deadline.hasExpired())
            late.append(it.key());
    }
    for (QTcpSocket* socket : late) {
        if (m_states.value(socket)->headers.isEmpty())
            socket->abort(); // idle: nothing to answer
        else
            refuse(socket, 408,
                   QStringLiteral("the request's headers did not arrive in %1 ms").arg(m_limits.headerTimeoutMs));
    }
}

void GuardedTcpServer::incomingConnection(qintptr descriptor)
{
    auto* socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    if (m_guard.admit(socket))
        addPendingConnection(socket);
}

} // namespace jikken
