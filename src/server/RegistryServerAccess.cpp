// RegistryServer: who may do what (bearer tokens, the phone page's cookie, open loopback reads), and the
// phone page itself.
#include "RegistryServer.h"

#include "HttpExchange.h"

#include <QFile>

namespace jikken {

using namespace httpExchange;

namespace {
constexpr int kTokenCacheMs = 2000; // a revoked token stops working within this
constexpr const char* kCookieName = "jikken_token";
} // namespace

RegistryServer::Access RegistryServer::authorize(const QHttpServerRequest& request, QByteArray* tokenFromQuery,
                                                 QString* why, QByteArray* caller)
{
    const bool write = RegistryApi::isWrite(methodName(request.method()));
    QByteArray secret;
    const QByteArray authorization = header(request, "Authorization");
    if (authorization.startsWith("Bearer ")) {
        secret = authorization.mid(7).trimmed();
    } else if (!write) {
        // Browsers (the phone page) carry the token in a cookie, or once in the URL. Writes never accept
        // either: a cookie rides along on requests another site makes.
        secret = cookie(request, kCookieName);
        const QByteArray fromQuery =
            request.query().queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded).toUtf8();
        if (!fromQuery.isEmpty()) {
            secret = fromQuery;
            *tokenFromQuery = fromQuery;
        }
    }
    if (caller)
        *caller = secret.isEmpty() ? QByteArray("address " + request.remoteAddress().toString().toUtf8())
                                   : QByteArray("token " + secret);
    if (secret.isEmpty()) {
        if (!write && m_options.openLoopbackReads && request.remoteAddress().isLoopback() && loopbackHost(request))
            return Access::Read;
        *why = QStringLiteral(
            "a bearer token is required (Authorization: Bearer TOKEN; make one with jikken token create)");
        return Access::Denied;
    }
    QString databaseError;
    const std::optional<AccessToken>* token = liveToken(secret, &databaseError);
    if (!token) {
        // No verdict on the token: the client retries, and the database connection is looked at.
        *why = QStringLiteral("the registry's database is not answering: ") + databaseError;
        return Access::Unavailable;
    }
    if (!*token) {
        *why = QStringLiteral("the token is not valid (unknown or revoked)");
        return Access::Denied;
    }
    return (*token)->readOnly ? Access::Read : Access::Write;
}

const std::optional<AccessToken>* RegistryServer::liveToken(const QByteArray& secret, QString* databaseError)
{
    auto cached = m_tokenCache.find(secret);
    if (cached == m_tokenCache.end() || cached->fresh.hasExpired()) {
        auto token = m_tokens->verify(QString::fromUtf8(secret), databaseError);
        if (!databaseError->isEmpty())
            return nullptr;
        if (m_tokenCache.size() > 10000)
            m_tokenCache.clear();
        cached = m_tokenCache.insert(secret, {std::move(token), QDeadlineTimer(kTokenCacheMs)});
    }
    return &cached->token;
}

int RegistryServer::mayUpload(const QByteArray& authorization, QString* why)
{
    // The same verdict as `authorize`, from the headers alone; a database that cannot answer lets the body
    // come (the request then gets its 503 from the usual path).
    if (!authorization.startsWith("Bearer ")) {
        *why = QStringLiteral("a bearer token is required to send a body (Authorization: Bearer TOKEN)");
        return 401;
    }
    QString databaseError;
    const std::optional<AccessToken>* token = liveToken(authorization.mid(7).trimmed(), &databaseError);
    if (!token)
        return 0;
    if (!*token) {
        *why = QStringLiteral("the token is not valid (unknown or revoked)");
        return 401;
    }
    // Every request with a body writes (reads are GETs): a read-only token's body is refused unread.
    if ((*token)->readOnly) {
        *why = QStringLiteral("this token is read-only");
        return 403;
    }
    return 0;
}

ApiReply RegistryServer::refusal(Access access, const QString& why)
{
    if (access != Access::Unavailable)
        return ApiReply::error(401, why);
    reconnectIfLost();
    return ApiReply::error(503, why);
}

void RegistryServer::answerPageRequest(const QHttpServerRequest& request, const QByteArray& method,
                                       QHttpServerResponder& responder)
{
    if (method != "GET") {
        send(responder, ApiReply::error(405, QStringLiteral("the page is read-only")));
        return;
    }
    // The page itself holds no data; its requests are authorized one by one. A token in its URL is checked
    // here and kept as a cookie, so a bookmark on the phone works.
    QByteArray tokenFromQuery;
    if (request.query().hasQueryItem(QStringLiteral("token"))) {
        QString why;
        const Access access = authorize(request, &tokenFromQuery, &why);
        if (access == Access::Denied || access == Access::Unavailable) {
            send(responder, refusal(access, why));
            return;
        }
        // The cookie lives on the phone and in its history: only a token that cannot write goes there.
        if (access == Access::Write && !tokenFromQuery.isEmpty()) {
            send(responder, ApiReply::error(403, QStringLiteral("the phone page takes a read-only token "
                                                                "(jikken token create --name phone --read-only)")));
            return;
        }
    }
    servePhonePage(responder, tokenFromQuery);
}

void RegistryServer::servePhonePage(QHttpServerResponder& responder, const QByteArray& token)
{
    QFile page(QStringLiteral(":/jikken/phone/index.html"));
    page.open(QIODevice::ReadOnly);
    Headers headers{{"Content-Security-Policy",
                     "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
                     "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"},
                    {"Referrer-Policy", "no-referrer"}};
    if (!token.isEmpty())
        headers.push_back({"Set-Cookie", QByteArray(kCookieName) + '=' + token +
                                             "; Path=/; Max-Age=31536000; HttpOnly; SameSite=Strict" +
                                             (m_tls ? "; Secure" : "")});
    send(responder, 200, "text/html; charset=utf-8", page.readAll(), headers);
}

} // namespace jikken
