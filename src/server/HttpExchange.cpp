#include "HttpExchange.h"

#include <QHostAddress>

namespace jikken::httpExchange {

QByteArray header(const QHttpServerRequest& request, const QByteArray& name)
{
    for (const auto& [key, value] : request.headers()) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

bool loopbackHost(const QHttpServerRequest& request)
{
    QByteArray host = header(request, "Host").trimmed().toLower();
    if (host.startsWith('[')) // [::1]:8470
        host = host.mid(1, host.indexOf(']') - 1);
    else if (host.count(':') == 1)
        host = host.left(host.indexOf(':'));
    if (host == "localhost")
        return true;
    const QHostAddress address(QString::fromLatin1(host));
    return !address.isNull() && address.isLoopback();
}

QByteArray cookie(const QHttpServerRequest& request, const QByteArray& name)
{
    for (const QByteArray& part : header(request, "Cookie").split(';')) {
        const QByteArray trimmed = part.trimmed();
        if (trimmed.startsWith(QByteArray(name + '=')))
            return trimmed.mid(name.size() + 1);
    }
    return {};
}

QByteArray methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get:
        return "GET";
    case QHttpServerRequest::Method::Put:
        return "PUT";
    case QHttpServerRequest::Method::Delete:
        return "DELETE";
    case QHttpServerRequest::Method::Post:
        return "POST";
    case QHttpServerRequest::Method::Head:
        return "HEAD";
    case QHttpServerRequest::Method::Options:
        return "OPTIONS";
    case QHttpServerRequest::Method::Patch:
        return "PATCH";
    default:
        return "OTHER";
    }
}

void send(QHttpServerResponder& responder, int status, const QByteArray& contentType, const QByteArray& body,
          const Headers& extra)
{
    responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(status));
    responder.writeHeader("Content-Type", contentType);
    responder.writeHeader("Content-Length", QByteArray::number(body.size()));
    responder.writeHeader("Cache-Control", "no-store");
    responder.writeHeader("X-Content-Type-Options", "nosniff");
    for (const auto& [key, value] : extra)
        responder.writeHeader(key, value);
    responder.writeBody(body);
}

void send(QHttpServerResponder& responder, const ApiReply& reply, const Headers& extra)
{
    send(responder, reply.status, reply.contentType, reply.body, extra);
}

} // namespace jikken::httpExchange
