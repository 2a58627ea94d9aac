#pragma once

#include <QColor>
#include <QString>

namespace jikken::RunColours {

/// A run's colour, the same in every chart, table and export: picked from a palette that stays readable on
/// light and dark backgrounds, by the model ID.
QColor colour(const QString& id);

} // namespace jikken::RunColours
