#include "ApiInput.h"

#include <QJsonDocument>

namespace jikken::ApiInput {

std::optional<QJsonObject> jsonBody(const ApiRequest& request, ApiReply* reply)
{
    if (request.body.trimmed().isEmpty())
        return QJsonObject();
    if (!request.contentType.isEmpty() && !request.contentType.startsWith("application/json")) {
        *reply = ApiReply::error(415, QStringLiteral("send JSON (Content-Type: application/json)"));
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *reply = ApiReply::error(
            400, QStringLiteral("malformed JSON at byte %1: %2").arg(parseError.offset).arg(parseError.errorString()));
        return std::nullopt;
    }
    if (!document.isObject()) {
        *reply = ApiReply::error(400, QStringLiteral("the body must be a JSON object"));
        return std::nullopt;
    }
    return document.object();
}

std::optional<int> intParameter(const QUrlQuery& query, const char* name, int fallback, int low, int high,
                                ApiReply* reply)
{
    const QString key = QString::fromLatin1(name);
    if (!query.hasQueryItem(key))
        return fallback;
    bool ok = false;
    const int value = query.queryItemValue(key, QUrl::FullyDecoded).toInt(&ok);
    if (!ok || value < low || value > high) {
        *reply =
            ApiReply::error(400, QStringLiteral("%1 must be a whole number from %2 to %3").arg(key).arg(low).arg(high));
        return std::nullopt;
    }
    return value;
}

} // namespace jikken::ApiInput
