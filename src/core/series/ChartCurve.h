#pragma once

#include "series/MinMaxPyramid.h"
#include "series/ScalarSeries.h"

#include <QList>
#include <QPointF>

namespace jikken {

/// What a chart's x axis counts.
enum class XAxis {
    Step,
    RelativeTime, ///< hours since the run's first point, as TensorBoard's "relative"
    WallTime,     ///< milliseconds since the epoch (a QDateTimeAxis)
    Epoch,        ///< training epochs: the step over the run's steps per epoch (`setStepsPerEpoch`)
};

/// One run's points of one tag, ready to draw at any zoom: the smoothed values (TensorBoard's EMA over
/// every point) and a min/max pyramid over them, so the points of any x range reduce to the plot's width
/// without scanning the series. Kept compact, as ten runs of a million points must fit in a laptop's
/// share: steps exactly (as 32-bit offsets from the first where they fit), values exactly, wall times as
/// float seconds after the first point (a quarter second apart after a month) and the smoothed values as
/// floats (what is drawn, finer than any pixel).
class ChartCurve
{
public:
    ChartCurve() = default;
    /// `complete`: the whole series, not a preview that a full read will replace.
    ChartCurve(ScalarSeries series, bool complete);

    /// Adds a growing series' new points (steps after the last, ascending), smoothed and placed in the
    /// pyramid with the rest: what a refresh of a running run reads instead of the whole series.
    void append(const ScalarSeries& tail);

    int size() const { return static_cast<int>(m_values.size()); }
    bool isEmpty() const { return m_values.isEmpty(); }
    bool isComplete() const { return m_complete; }
    qint64 step(int index) const
    {
        return m_wideSteps.isEmpty() ? m_firstStep + m_stepOffsets[index] : m_wideSteps[index];
    }
    double value(int index) const { return m_values[index]; }
    double wallTime(int index) const { return m_firstWallTime + m_wallOffsets[index]; }
    /// Where the curve stopped being finite: the first of the NaN or infinite values it ends with (a
    /// diverged run's loss), -1 when its last value is finite. A lone NaN it recovered from is not it.
    int nonFiniteFrom() const { return m_nonFiniteFrom; }

    /// A curve of fewer points than this is drawn as measured whatever the slider says: smoothing a
    /// six-point test error moves its values (0.128 shown as ~0.14), and evaluations are sparse.
    static constexpr int kFewestSmoothedPoints = 100;
    /// Smooths with TensorBoard's slider weight (0 leaves the values as they are); cheap when unchanged.
    void setSmoothing(double weight);
    /// Whether what is drawn differs from the values: a weight above 0 on a curve that is not sparse.
    bool isSmoothed() const { return m_weight > 0 && size() >= kFewestSmoothedPoints; }
    double smoothed(int index) const { return m_smoothed[index]; }

    /// How many steps make an epoch of this run, for x by epoch; without it an epoch axis shows steps.
    void setStepsPerEpoch(double steps) { m_stepsPerEpoch = steps > 0 ? steps : 1; }
    double stepsPerEpoch() const { return m_stepsPerEpoch; }

    double x(XAxis axis, int index) const;
    /// The smoothed points with x in [low, high] as min/max buckets (`buckets` across), with one point
    /// beyond either end so the line runs on to the plot's edges. `log`: leaves out values a log axis
    /// cannot place (zero or less); NaN and infinities are left out always. `measured`, where given,
    /// receives the measured values at the same points, drawn faintly beneath (TensorBoard's way: the
    /// smoothing never hides the data): every point where they are few, else a sample of two per bucket
    /// that shows the spread of the noise without a second pyramid.
    QList<QPointF> points(XAxis axis, double low, double high, int buckets, bool log,
                          QList<QPointF>* measured = nullptr) const;
    /// The index of the point whose x is nearest to `x`; -1 when empty.
    int nearest(XAxis axis, double x) const;

private:
    /// The first index whose x is not below `x` (x ascends with the index for steps, and for times when
    /// the clock never went back; otherwise 0 or the size, so every point stays in view).
    int lowerBound(XAxis axis, double x) const;
    /// Keeps `nonFiniteFrom` after values were added from index `from` on (looking at the new ones only).
    void findNonFiniteEnd(int from);

    qint64 m_firstStep = 0;
    QVector<quint32> m_stepOffsets; ///< step - m_firstStep, when every step is within 2^32 of the first
    QVector<qint64> m_wideSteps;    ///< else the steps themselves
    QVector<double> m_values;
    int m_nonFiniteFrom = -1;
    double m_firstWallTime = 0;
    QVector<float> m_wallOffsets; ///< seconds after m_firstWallTime
    bool m_complete = false;
    bool m_timeAscends = true;
    double m_stepsPerEpoch = 1;
    double m_weight = -1;
    QVector<float> m_smoothed;
    MinMaxPyramid<float> m_pyramid;
};

} // namespace jikken
