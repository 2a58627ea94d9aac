#pragma once

#include "series/ChartCurve.h"

#include <QComboBox>
#include <QWidget>

class QLabel;
class QSlider;

namespace jikken {

/// What a chart's x counts: steps, hours since a run's first point, wall time or epochs. The one picker of
/// the main window's chart and the viewer's figure.
class XAxisPicker : public QComboBox
{
    Q_OBJECT

public:
    explicit XAxisPicker(QWidget* parent = nullptr);

    XAxis axis() const;
    void setAxis(XAxis axis);
};

/// TensorBoard's smoothing (a debiased exponential moving average of weight 0 to 0.999), as TensorBoard
/// shows it: a slider in steps of 0.001 and the weight beside it. The main window's chart and the viewer's
/// figure smooth through this one control.
class SmoothingControl : public QWidget
{
    Q_OBJECT

public:
    explicit SmoothingControl(QWidget* parent = nullptr);

    double weight() const;
    /// Rounded to the slider's 0.001 steps, within 0 to 0.999.
    void setWeight(double weight);
    /// The slider itself (a test drags it as a user does).
    QSlider* slider() const { return m_slider; }

Q_SIGNALS:
    void weightChanged(double weight);

private:
    QSlider* m_slider;
    QLabel* m_value;
};

} // namespace jikken
