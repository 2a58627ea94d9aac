#pragma once

#include "series/ScalarSeries.h"

#include <QString>
#include <QVector>

#include <optional>

namespace jikken::Divergence {

/// Whether points of `tag` going NaN or infinite mean the run diverged: a loss (any tag that says "loss").
bool watches(const QString& tag);
/// How the batch shows the run diverged ("train/loss is nan at step 1200"), or empty: the first point of a
/// watched tag that is not finite.
QString inSeries(const QVector<TaggedSeries>& batch);
/// How a reported test error shows the run diverged ("test error inf"), or empty.
QString inTestError(std::optional<double> testError);

} // namespace jikken::Divergence
