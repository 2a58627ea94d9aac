#pragma once

#include "series/ChartCurve.h"

#include <QHash>
#include <QString>

namespace jikken {

class RunLibrary;
struct ViewerRun;

/// The drawable curves of the viewer's runs: made when first drawn (smoothing and a min/max pyramid, so
/// any zoom of a million points draws in a few milliseconds) and dropped when their run changes.
class CurveStore
{
public:
    explicit CurveStore(const RunLibrary& library) : m_library(library) {}

    /// The run's curve of `tag`, smoothed by `weight`; null when the run has no such tag.
    const ChartCurve* curve(const QString& key, const QString& tag, double weight);
    /// Forget the curves of a run that changed.
    void forget(const QString& key);

    /// The curves of `tags` that `run` has, smoothed by `weight`: made on any thread (where the run was
    /// read), so that a hundred runs arriving cost the window's thread no smoothing and no pyramids.
    static QHash<QString, ChartCurve> make(const ViewerRun& run, const QStringList& tags, double weight);
    /// Curves `make` made from run `key` as the library holds it now.
    void take(const QString& key, const QHash<QString, ChartCurve>& curves);

private:
    const RunLibrary& m_library;
    QHash<QString, QHash<QString, ChartCurve>> m_curves; ///< run key -> tag -> curve
};

} // namespace jikken
