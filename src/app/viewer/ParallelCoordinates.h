#pragma once

#include "viewer/ViewerRun.h"

#include <QColor>
#include <QWidget>

namespace jikken {

/// Parallel coordinates of the selected runs: an axis per hyperparameter that differs between them
/// (numbers to scale, other values as categories) and a last axis for a metric's final value; a line per
/// run in its colour, so which settings lead to the better runs shows at a glance.
class ParallelCoordinates : public QWidget
{
    Q_OBJECT

public:
    explicit ParallelCoordinates(QWidget* parent = nullptr);

    void setRuns(const QVector<const ViewerRun*>& runs, const QString& metricTag);
    /// The axes drawn, the metric last: what the test checks.
    const QStringList& axes() const { return m_axes; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    struct Axis
    {
        QString name;
        QStringList categories; ///< empty for a numeric axis
        double low = 0, high = 1;
    };
    QVector<Axis> m_layout;
    QStringList m_axes;
    QVector<QColor> m_colours;            ///< the runs' colours
    QVector<QVector<double>> m_positions; ///< per run, per axis: 0..1, NaN where unknown
};

} // namespace jikken
