#pragma once

#include <QHash>
#include <QList>
#include <QPointF>
#include <QString>

#include <optional>

namespace jikken::OutlierRange {

/// A y range that leaves one run's spike out, so the other curves keep their shape: the run whose
/// highest point is more than 10× the 99.9th percentile of every other run's points (a diverged loss's
/// 3,600 over curves under 2.3).
struct Clipped
{
    double high = 0;    ///< the top of the range: as high as the other runs reach
    QString run;        ///< the run that reaches above it
    double reaches = 0; ///< how high
};

/// Nothing when no run spikes so (or fewer than two runs are drawn, or the others are not positive).
std::optional<Clipped> highWithoutSpike(const QHash<QString, QList<QPointF>>& lines);

} // namespace jikken::OutlierRange
