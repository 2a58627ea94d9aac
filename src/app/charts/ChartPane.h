#pragma once

#include "series/ScalarSeries.h"

#include <QHash>
#include <QStringList>
#include <QWidget>

class QCheckBox;
class QChart;
class QChartView;
class QComboBox;
class QSlider;

namespace jikken {

class RegistryClient;

/// The selected runs' curves of one tag, overlaid, one colour per run: TensorBoard's smoothing, a log y
/// axis, zoom with the rubber band (right click or Escape resets). Each series is smoothed, then reduced
/// to twice the plot's pixel width (min/max buckets, so no spike is lost) before it reaches QtCharts.
/// Points read once are kept until their run changes, so smoothing, log scale and reselecting redraw
/// without reading the registry.
class ChartPane : public QWidget
{
    Q_OBJECT

public:
    ChartPane(RegistryClient& registry, QWidget* parent = nullptr);

    /// Shows these runs (the table's selection); their tags fill the tag picker.
    void showRuns(const QStringList& ids);
    /// Redraws the shown runs; points are read only for runs not read yet (for this tag) or marked stale.
    void reload();
    /// These runs have new points (the registry table saw them change): read them again when shown.
    void markStale(const QStringList& ids);

    QComboBox* tagBox() const { return m_tag; }
    QChart* chart() const { return m_chart; }
    QChartView* view() const { return m_view; }
    QSlider* smoothing() const { return m_smoothing; }
    QCheckBox* logScale() const { return m_log; }

private:
    const ScalarSeries& points(const QString& id, const QString& tag);

    RegistryClient& m_registry;
    QHash<QPair<QString, QString>, ScalarSeries> m_cache; ///< (run, tag) -> every point, as read
    QStringList m_ids;
    QComboBox* m_tag;
    QSlider* m_smoothing;
    QCheckBox* m_log;
    QChart* m_chart;
    QChartView* m_view;
};

} // namespace jikken
