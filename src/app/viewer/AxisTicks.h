#pragma once

#include "series/ChartCurve.h"

#include <QString>
#include <QVector>

namespace jikken::AxisTicks {

/// About `count` round values (1, 2 or 5 × 10^k apart) within [low, high].
QVector<double> linear(double low, double high, int count);
/// Ticks of a log axis whose range is given in log10 units: powers of ten, with 2 and 5 between them
/// when the range spans few decades; returned in log10 units too.
QVector<double> logarithmic(double low, double high, int count);

/// A tick's label: steps as 1.5k / 2M, relative time in hours, wall time as a date and time,
/// values with as few digits as tell the ticks apart (`spacing`).
QString xLabel(XAxis axis, double x, double spacing);
QString yLabel(double value, double spacing);

} // namespace jikken::AxisTicks
