#include "CurveControls.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>

#include <algorithm>
#include <cmath>

namespace jikken {

namespace {

constexpr int kSteps = 1000; // the slider's value is the weight in thousandths, 0 to 999

} // namespace

XAxisPicker::XAxisPicker(QWidget* parent) : QComboBox(parent)
{
    addItem(tr("Step"), static_cast<int>(XAxis::Step));
    addItem(tr("Relative (hours)"), static_cast<int>(XAxis::RelativeTime));
    addItem(tr("Wall time"), static_cast<int>(XAxis::WallTime));
    addItem(tr("Epoch"), static_cast<int>(XAxis::Epoch));
    setToolTip(tr("What x counts: steps, hours since each run's first point, wall time or epochs"));
}

XAxis XAxisPicker::axis() const
{
    return static_cast<XAxis>(currentData().toInt());
}

void XAxisPicker::setAxis(XAxis axis)
{
    setCurrentIndex(findData(static_cast<int>(axis)));
}

SmoothingControl::SmoothingControl(QWidget* parent)
    : QWidget(parent), m_slider(new QSlider(Qt::Horizontal)), m_value(new QLabel)
{
    m_slider->setRange(0, kSteps - 1);
    m_slider->setValue(600); // TensorBoard's default 0.6
    m_slider->setMinimumWidth(100);
    setToolTip(tr("Smoothing as TensorBoard's: a debiased exponential moving average"));
    // As wide as its widest text, so the slider does not move as the weight changes.
    m_value->setMinimumWidth(m_value->fontMetrics().horizontalAdvance(QStringLiteral("0.000")));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Smoothing")));
    layout->addWidget(m_slider, 1);
    layout->addWidget(m_value);
    const auto show = [this] { m_value->setText(QString::number(weight(), 'f', 3)); };
    show();
    connect(m_slider, &QSlider::valueChanged, this, [this, show] {
        show();
        Q_EMIT weightChanged(weight());
    });
}

double SmoothingControl::weight() const
{
    return m_slider->value() / static_cast<double>(kSteps);
}

void SmoothingControl::setWeight(double weight)
{
    m_slider->setValue(static_cast<int>(std::lround(std::clamp(weight, 0.0, 0.999) * kSteps)));
}

} // namespace jikken
