#pragma once

#include "viewer/RunGroups.h"
#include "viewer/ViewerRun.h"

#include <QStringList>
#include <QVector>

class QTableWidget;

namespace jikken::ComparisonTables {

/// A row per run: final and best value of each tag, and the final value's difference to the baseline
/// run's (better differences in green, worse in red, by the tag's direction).
void fillSummary(QTableWidget* table, const QVector<const ViewerRun*>& runs, const QStringList& tags,
                 const QString& baseline);

/// A row per group of runs (RunGroups): how many runs, and each tag's final and best as mean ± std.
void fillGroupSummary(QTableWidget* table, const QVector<RunGroups::Group>& groups, const QStringList& tags);

/// A row per hyperparameter, a column per run; rows whose values differ between the runs are highlighted
/// and come first.
void fillHyperparameters(QTableWidget* table, const QVector<const ViewerRun*>& runs);

} // namespace jikken::ComparisonTables
