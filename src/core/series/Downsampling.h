#pragma once

#include "series/ScalarSeries.h"

#include <QString>

#include <optional>

namespace jikken {

/// Fewer points that draw the same curve, for charts as wide as a screen and for the phone.
namespace Downsampling {

enum class Method {
    Lttb,   ///< Largest-Triangle-Three-Buckets (Steinarsson 2013): the shape, as the eye sees it
    MinMax, ///< each bucket's lowest and highest point: every spike survives
};

std::optional<Method> methodFromString(const QString& name);

/// Indices (ascending) of about `maxPoints` points of `series` (at least 3 for LTTB, 4 for min/max), chosen by
/// `method`. Both keep the first and last point and the series' global minimum and maximum (the best test error
/// must not vanish from a plot); that may cost two points more. A series that already fits comes back whole.
QVector<int> select(const ScalarSeries& series, int maxPoints, Method method);

inline ScalarSeries downsample(const ScalarSeries& series, int maxPoints, Method method)
{
    return series.pick(select(series, maxPoints, method));
}

} // namespace Downsampling

} // namespace jikken
