#pragma once

#include <QString>

namespace jikken::RunColour {

/// A run's colour, kept in the registry as "#rrggbb" and used by every view: the main chart, the small
/// charts, the viewer, the exports and the phone page. A new run is dealt the next colour of a palette
/// ordered for distinctness (each as far as it can be from those before it, in CIELAB), so runs made close
/// together differ most: any 20 dealt in a row differ by CIE76 ΔE ≥ 24, any 12 by ≥ 31.
constexpr int kPaletteSize = 20;

/// The colour dealt to the registry's `n`-th run (from 0).
QString dealt(qint64 n);
/// For a run no registry knows (a bare logdir's folder) or one stored before colours were kept: a palette
/// colour chosen by its name alone, so it is the same in every view and every process.
QString ofName(const QString& name);
/// `text` as stored ("#rrggbb", lower case) when it names a colour that way ("#RRGGBB" too), else empty.
QString normalized(const QString& text);
/// Why `text` cannot be a run's colour, or empty.
QString error(const QString& text);

} // namespace jikken::RunColour
