#pragma once

// The HTTP side of the service's requests and answers, shared by RegistryServer's files: headers, cookies,
// the Host check, and writing an answer.

#include "RegistryApi.h"

#include <QByteArray>
#include <QHttpServerRequest>
#include <QHttpServerResponder>

#include <utility>
#include <vector>

namespace jikken::httpExchange {

/// A request header's value, its name in any case; empty when absent.
QByteArray header(const QHttpServerRequest& request, const QByteArray& name);
/// Whether the request names this machine in its Host header (localhost, 127.x, ::1, with any port). A
/// page elsewhere that rebinds its own name to 127.0.0.1 (DNS rebinding) sends its own name instead, so
/// open loopback reads stay with this machine's own programs.
bool loopbackHost(const QHttpServerRequest& request);
QByteArray cookie(const QHttpServerRequest& request, const QByteArray& name);
QByteArray methodName(QHttpServerRequest::Method method);

using Headers = std::vector<std::pair<QByteArray, QByteArray>>;
/// Writes a whole answer: never cached, never sniffed.
void send(QHttpServerResponder& responder, int status, const QByteArray& contentType, const QByteArray& body,
          const Headers& extra = {});
void send(QHttpServerResponder& responder, const ApiReply& reply, const Headers& extra = {});

} // namespace jikken::httpExchange
