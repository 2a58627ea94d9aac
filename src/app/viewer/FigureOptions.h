#pragma once

#include "series/ChartCurve.h"
#include "viewer/RunGroups.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace jikken {

/// What a viewer figure shows and how: the same description draws the window, a slide export and a
/// saved view of the presentation mode.
struct FigureOptions
{
    enum class Layout {
        Overlay, ///< one chart: every chosen tag of every chosen run
        Grid,    ///< small multiples: a chart per tag, x shared
    };

    QStringList runs; ///< run keys, in legend order
    QStringList tags;
    Layout layout = Layout::Grid;
    XAxis xAxis = XAxis::Step;
    double smoothing = 0.6; ///< TensorBoard's default slider weight
    bool logY = false;
    double fontScale = 1.0;
    std::optional<std::pair<double, double>> xRange; ///< a zoom; whole curves when empty
    std::optional<std::pair<double, double>> yRange; ///< y as given (a zoomed figure for a slide); else fitted
    QString title;                                   ///< above the figure; none when empty
    QString legend; ///< each run's legend entry (`ViewerRun::label`); empty: "{id} · {method}"
    /// Runs drawn as groups (when on): each group's mean against steps with a band, instead of each run.
    RunGroups::Grouping grouping;

    QJsonObject toJson() const;
    /// Unknown or mistyped fields are ignored: a saved view from a newer version still opens.
    static FigureOptions fromJson(const QJsonObject& json);
    static std::optional<XAxis> xAxisFromString(const QString& name);
    static QString toString(XAxis axis);
};

} // namespace jikken
