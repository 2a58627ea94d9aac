#pragma once

#include <QJsonValue>
#include <QString>

namespace jikken::JsonText {

/// A JSON value as a table cell shows it: numbers with `digits` significant digits
/// (QLocale::FloatingPointShortest: the shortest text that reads back exactly), strings as they are,
/// booleans as true/false, arrays and objects as compact JSON; empty for null or undefined.
QString of(const QJsonValue& value, int digits);

} // namespace jikken::JsonText
