#pragma once

#include <QVector>

namespace jikken::AxisTicks {

/// About `count` round values (1, 2 or 5 × 10^k apart) within [low, high].
QVector<double> linear(double low, double high, int count);

} // namespace jikken::AxisTicks
