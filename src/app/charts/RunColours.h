#pragma once

#include <QColor>
#include <QString>
#include <QStringList>
#include <QVector>

namespace jikken {
struct RunRecord;
struct ViewerRun;
} // namespace jikken

namespace jikken::RunColours {

/// A run's colour, the same in the main chart, the small charts, the tables, the viewer and every export:
/// the one the registry keeps for it (dealt when it was made, or the user's choice); a run no registry
/// knows gets one from its name (RunColour::ofName).
QColor of(const RunRecord& run);
QColor of(const ViewerRun& run);
QColor ofName(const QString& name);

/// How lines of one colour are told apart: the first drawn in a colour is solid, the next of that colour
/// dashed, then dotted, … — a run never gets another colour because another has its own.
QVector<Qt::PenStyle> stylesTellingApart(const QVector<QColor>& coloursInOrder);

/// Colours for groups of runs on show together (colouring by method, model, a hyperparameter): the groups
/// shown at once get distinct colours, handed out in the order given, and each keeps its colour while no
/// other group on show has it.
void showGroups(const QStringList& groupsInOrder);
/// The group's colour: the one `showGroups` gave it, else a free one, given now and kept.
QColor ofGroup(const QString& group);

/// The opacity of a run's measured line beneath its smoothed one: there to be seen, not to compete.
constexpr double kMeasuredAlpha = 0.3;
/// The run's colour at kMeasuredAlpha over `background`, as an opaque colour: the same on a plain
/// background, and opaque lines take the raster engine's quick path (translucent ones cost a chart's
/// zoom 5 ms, a million-point figure 7 ms).
QColor faint(const QColor& colour, const QColor& background);

} // namespace jikken::RunColours
