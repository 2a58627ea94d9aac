#pragma once

#include "FigureOptions.h"

#include <QSize>
#include <QString>

#include <optional>

namespace jikken {

class FigureRenderer;
class RunLibrary;

/// A viewer figure into a file for a slide or a note: PNG (at twice the size by default, sharp on a
/// projector), SVG and PDF (vector; `size` in points), or the figure's data as CSV. The format follows
/// the file's suffix. Written atomically: a failed export leaves no half-written file.
namespace FigureExport {

enum class Format { Png, Svg, Pdf, Csv };

/// The format of `path` by its suffix; none (and the reason in `error`) for any other.
std::optional<Format> formatOf(const QString& path, QString* error);

/// The size slides want (16:9) when none is asked for.
inline QSize defaultSize()
{
    return {1280, 720};
}

bool write(const QString& path, FigureRenderer& renderer, const RunLibrary& library, const FigureOptions& options,
           QSize size, double pngScale, QString* error);

} // namespace FigureExport

} // namespace jikken
