#pragma once

#include <QVector>

#include <utility>

namespace jikken::AxisTicks {

/// About `count` round values (1, 2, 2.5 or 5 × 10^k apart) within [low, high].
QVector<double> linear(double low, double high, int count);
/// [low, high] widened to the round values just past it, for about `count` ticks: at most one tick's
/// spacing of margin at either end (0–2.3 becomes 0–2.5, not 0–4).
std::pair<double, double> roundOut(double low, double high, int count);
/// The powers of ten around [low, high] (both above 0), at least one decade apart, and a hair past each
/// (log10(0.1) is a shade above -1, and QtCharts would not label 0.1): where a log axis has its labels.
std::pair<double, double> decadesAround(double low, double high);

} // namespace jikken::AxisTicks
