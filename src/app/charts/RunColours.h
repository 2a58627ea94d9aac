#pragma once

#include <QColor>
#include <QString>
#include <QStringList>

namespace jikken::RunColours {

/// Colours for what is on show together (runs, or groups of runs when colouring by method, model, …): the
/// keys shown at once get distinct colours, handed out in the order given, and each key keeps its colour
/// while no other key on show has it — so a run keeps its colour as others are selected around it, in the
/// chart, the tables and the exports alike. Twenty colours that stay readable on light and dark backgrounds.
void show(const QStringList& keysInOrder);

/// The key's colour: the one `show` gave it, else a free one, given now and kept.
QColor colour(const QString& key);

/// The opacity of a run's measured line beneath its smoothed one: there to be seen, not to compete.
constexpr double kMeasuredAlpha = 0.3;
/// The run's colour at kMeasuredAlpha over `background`, as an opaque colour: the same on a plain
/// background, and opaque lines take the raster engine's quick path (translucent ones cost a chart's
/// zoom 5 ms, a million-point figure 7 ms).
QColor faint(const QColor& colour, const QColor& background);

/// How many distinct colours there are before they repeat.
int paletteSize();

} // namespace jikken::RunColours
