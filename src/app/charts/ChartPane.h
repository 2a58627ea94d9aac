#pragma once

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
class ChartPane : public QWidget
{
    Q_OBJECT

public:
    ChartPane(RegistryClient& registry, QWidget* parent = nullptr);

    /// Shows these runs (the table's selection); their tags fill the tag picker.
    void showRuns(const QStringList& ids);
    /// Reads the shown runs' points again (the window's refresh).
    void reload();

    QComboBox* tagBox() const { return m_tag; }
    QChart* chart() const { return m_chart; }
    QChartView* view() const { return m_view; }
    QSlider* smoothing() const { return m_smoothing; }
    QCheckBox* logScale() const { return m_log; }

private:
    RegistryClient& m_registry;
    QStringList m_ids;
    QComboBox* m_tag;
    QSlider* m_smoothing;
    QCheckBox* m_log;
    QChart* m_chart;
    QChartView* m_view;
};

} // namespace jikken
