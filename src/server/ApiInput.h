#pragma once

#include "RegistryApi.h"

#include <QJsonObject>
#include <QUrlQuery>

#include <optional>

namespace jikken::ApiInput {

/// A request's body as a JSON object (an empty body is `{}`); nothing, with `reply` saying why (415 for
/// another content type, 400 for malformed JSON or another JSON value), when it is not one.
std::optional<QJsonObject> jsonBody(const ApiRequest& request, ApiReply* reply);
/// A query parameter that must be a whole number in [low, high]; absent gives `fallback`.
std::optional<int> intParameter(const QUrlQuery& query, const char* name, int fallback, int low, int high,
                                ApiReply* reply);

} // namespace jikken::ApiInput
