#pragma once

#include "CurveChart.h"
#include "CurveControls.h"
#include "ReadoutTip.h"
#include "series/ChartCurve.h"

#include "registry/RunRecord.h"

#include <QHash>
#include <QSet>
#include <QStringList>
#include <QWidget>

#include <functional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineSeries;
class QPushButton;
class QSettings;
class QTimer;

namespace jikken {

class GroupingControls;
class PlotView;
class SmallMultiples;
class RegistryReader;

/// The selected runs' curves of one tag, overlaid, one colour per run: TensorBoard's smoothing, x by step,
/// relative or wall time (a smoothed curve's measured values faintly beneath it), a log y axis, a read-out of the exact
/// values under the pointer, zoom and pan
/// (`PlotView`). Only the points in view, reduced to twice the plot's pixel width by min/max buckets (no
/// spike lost), reach QtCharts, so a zoom redraws at once whatever the series' length.
///
/// Everything is read through the RegistryReader: a run's curve first shows as an evenly sampled preview
/// and is replaced by every point once they are read. Curves read once are kept until their run changes.
class ChartPane : public QWidget
{
    Q_OBJECT

public:
    explicit ChartPane(RegistryReader& reader, QWidget* parent = nullptr);

    /// Shows these runs (the table's selection); their tags fill the tag picker.
    void showRuns(const QStringList& ids);
    /// Where the pane finds a shown run's record (the table has them all), for colouring by method, model,
    /// dataset or a hyperparameter.
    using RecordLookup = std::function<const RunRecord*(const QString& id)>;
    void setRecordLookup(RecordLookup lookup) { m_recordOf = std::move(lookup); }
    QComboBox* colourByBox() const { return m_colourBy; }
    /// Runs drawn one by one, or as groups (seeds of one setting): each group's mean with a band.
    GroupingControls* grouping() const { return m_grouping; }
    /// Draws the shown runs afresh over their whole extent (after a change of tag, axis or runs).
    void reload();
    /// These runs have new points (or a new colour): shown ones are read again (and drawn when read, in
    /// their colour), others forgotten.
    void markStale(const QStringList& ids);
    /// The smoothing, x axis and log scale, kept between sessions.
    void saveSettings(QSettings& settings) const;
    void restoreSettings(QSettings& settings);

    QComboBox* tagBox() const { return m_tag; }
    XAxisPicker* xAxisBox() const { return m_xAxis; }
    CurveChart* chart() const { return m_chart; }
    /// The runs the pane shows, in selection order.
    const QStringList& shownRuns() const { return m_ids; }
    /// What the lines are: the shown runs, or their groups' labels when grouped.
    const QStringList& lineKeys() const { return m_lineKeys; }
    PlotView* view() const { return m_view; }
    SmoothingControl* smoothing() const { return m_smoothing; }
    QCheckBox* logScale() const { return m_log; }
    QCheckBox* ignoreOutliers() const { return m_outliers; }
    /// Where the pane says what went wrong reading a run's tags or points.
    QLabel* readout() const { return m_readout; }
    /// The read-out beside the pointer over the plot.
    const ReadoutTip* readoutTip() const { return m_tip; }
    /// The key tags beside the main chart: train loss, test loss, accuracy, … that the runs have.
    const SmallMultiples* smallMultiples() const { return m_multiples; }
    /// The key tags shown small beside the main chart: those of kKeyTags the runs have, the main chart's
    /// own left out, at most three.
    QStringList keyTags() const;
    /// The faint measured lines drawn beneath the smoothed ones (none for curves drawn as measured).
    const LineLayer* measuredLines() const { return m_chart->measured(); }
    /// The curve drawn for this run and tag; nullptr when none was read.
    const ChartCurve* curve(const QString& id, const QString& tag) const;
    /// The curve of a line (`lineKeys`): its run's of the shown tag, or its group's mean.
    const ChartCurve* lineCurve(const QString& key) const;
    /// Every shown run's value at (about) `x`, as the read-out beside the pointer says it (TensorBoard's
    /// tooltip): the pointer's x, then a line a run, lowest first, those ended before x last.
    QString describeAll(double x) const;
    /// In a crowded chart (more lines than the legend names, drawn as one band): the run whose line is
    /// nearest the pointer at `value` (in the axes' units), on screen; empty with no line at that x.
    QString nearestRun(QPointF value) const;
    /// Whether a selection or curves have arrived that are not drawn yet (they are, a moment later), or
    /// curves are wanted that are not asked for yet.
    bool isDrawPending() const;
    /// How long after a curve arrives it is drawn, with those that arrive meanwhile.
    static constexpr int kArrivalsMs = 30;
    /// The most lines the legend names, and hovering tells apart; past it the lines are drawn as one band.
    static constexpr int kLegendLines = 20;

private:
    using CurveKey = QPair<QString, QString>; ///< (run, tag)
    /// A group's line, drawn instead of its runs' when grouping.
    struct GroupLine
    {
        QStringList runs;
        QColor colour;
        ChartCurve mean;
        QList<QPointF> band; ///< around the mean, in the x axis' units (none for a group of one run)
    };
    /// What x counts: the picker's choice, but steps for groups shown by time (a group's runs share steps).
    XAxis xAxis() const;
    /// The shown runs' groups, their lines not averaged yet; none when not grouping.
    void groupRuns();
    /// Each group's mean and band from its runs' curves (as drawn: smoothed where they are).
    void averageGroups();

    /// What decides a run's colour: the run itself, or the value it has of the "colour by" field
    /// ("method=focalloss"), so runs of one group share a colour.
    QString colourKey(const QString& id) const;
    /// The run's line colour: its own (RunColours::of), or its group's when colouring by a field.
    QColor colourOf(const QString& id) const;
    /// The pointer's x as the axis counts it: "step 3000", "epoch 7.00", "1.25 h", a time.
    QString xLabel(double x) const;
    /// What each of `runs` holds at (about) `x`, for the read-out.
    QVector<ReadoutTip::Line> readoutAt(double x, const QStringList& runs) const;
    /// The "colour by" choices for the shown runs: run, method, model, dataset, then their hyperparameters.
    void fillColourBy();
    /// On an empty chart, a line that says how to fill it.
    void showHint();
    /// Draws the key tags' small charts again from the curves (reading those not read yet).
    void refreshMultiples();
    int buckets() const;
    /// Asks for the curve unless it is read whole or being read: a preview (unless one is there), then
    /// every point.
    void ensureCurve(const QString& id, const QString& tag);
    /// Asks for a preview of the curve unless there is a curve (`again`: even then) or it is being read:
    /// what the small charts draw.
    void previewCurve(const QString& id, const QString& tag, bool again = false);
    /// Asks for every point of the curve (again), unless a read of it is under way.
    void readCurve(const QString& id, const QString& tag);
    /// Sends what was asked since the last pass of the event loop (`m_asks`), many runs a request.
    void askGathered();
    /// The runs' previews of `tags` (quick), and their tag lists for those of `tagsWanted`.
    void askPreviews(const QStringList& batch, const QStringList& tags, const QSet<QString>& tagsWanted);
    /// Every point of the runs' `tags`.
    void askWholes(const QStringList& batch, const QStringList& tags);
    /// The curve changed: asks for the points after its last (every point, for a curve not read whole
    /// yet); when a read of it is under way, asks after it, as that read may be older than the change.
    void readTail(const QString& id, const QString& tag);
    /// After a read of the curve: the one a change asked for meanwhile, if any.
    void readDeferred(const QString& id, const QString& tag);
    void curveRead(const QString& id, const QString& tag, ChartCurve curve);
    /// A curve that is drawn (or one of the small charts') changed: drawn with the others that arrive.
    void curveChanged(const QString& tag);
    /// Draws what arrived since the last draw.
    void drawArrivals();
    /// The tag the picker shows when the runs have it: the one chosen before, else the test error, the
    /// curve people look at first.
    QString preferredTag() const;
    /// Fills the tag picker with the shown runs' tags, keeping the chosen one.
    void showTags(const QStringList& tags);
    /// Gives a new curve the slider's smoothing and its run's steps per epoch.
    void prepare(const QString& id, ChartCurve& curve) const;
    /// The points of every line (and of the faint measured ones) in the x axis' current range, and their
    /// y extent.
    struct Drawn
    {
        QHash<QString, QList<QPointF>> lines; ///< by run
        QVector<LineLayer::Line> measured;
        double lowY = qInf(), highY = -qInf();
    };
    Drawn pointsInView() const;
    /// Hands the points to the lines (QtCharts) and the faint ones to the measured layer.
    void apply(Drawn drawn);
    /// Where the lines stopped being finite, and the points of the run Ignore outliers clipped that are
    /// above the y range.
    QVector<CurveMarks::Mark> marksOf(const Drawn& drawn) const;
    /// Refills the lines with the points in the x axis' current range (a zoom, a pan, new smoothing).
    void redraw();
    /// Sets the axes to the shown curves' whole extent and draws them: the points are made once, after x is
    /// set and before y is, as y holds what they reach.
    void fitAxes();
    void applySmoothing();
    /// QtCharts' light or dark theme after the palette (macOS dark mode), keeping each run's colour.
    void applyTheme();

protected:
    void changeEvent(QEvent* event) override;

private:
    RegistryReader& m_reader;
    QHash<CurveKey, ChartCurve> m_curves;
    QSet<CurveKey> m_pending;    ///< every point (or the points after the last) asked for
    QSet<CurveKey> m_readAgain;  ///< changed while a read was under way: read its tail after it
    QSet<CurveKey> m_previewing; ///< only a preview asked for (a small chart's)
    /// What was asked in this pass of the event loop, sent together (askGathered).
    struct Asks
    {
        QSet<QString> tagsOf;                   ///< runs whose tag lists are wanted
        QHash<QString, QSet<QString>> previews; ///< run -> tags whose previews are wanted
        QHash<QString, QSet<QString>> wholes;   ///< run -> tags whose every point is wanted
    };
    Asks m_asks;
    QHash<QString, QStringList> m_tagsOf; ///< the shown runs' tags, as they arrive (fewer: still asked for)
    QString m_wantedTag;                  ///< the tag shown before the selection changed
    bool m_chartStale = false;            ///< a curve of the shown tag arrived
    bool m_multiplesStale = false;        ///< a curve of a key tag arrived
    QStringList m_ids;
    QHash<QString, QLineSeries*> m_lines; ///< run (or group) -> its line in the chart, for the current tag
    QStringList m_lineKeys;               ///< the keys of m_lines, in legend order
    QHash<QString, GroupLine> m_groups;   ///< by label, when grouping
    bool m_zoomed = false;
    QComboBox* m_tag;
    XAxisPicker* m_xAxis;
    QComboBox* m_colourBy;
    GroupingControls* m_grouping;
    RecordLookup m_recordOf;
    SmoothingControl* m_smoothing;
    QCheckBox* m_log;
    QCheckBox* m_outliers; ///< a run's spike left out of the y range
    QString m_clippedRun;  ///< the run whose spike it left out, its points above the range marked
    QPushButton* m_reset;
    CurveChart* m_chart;
    PlotView* m_view;
    SmallMultiples* m_multiples;
    QLabel* m_readout;
    QTimer* m_drawSoon;   ///< draws the curves that arrived (drawArrivals)
    QTimer* m_reloadSoon; ///< draws a new selection's lines (reload)
    QTimer* m_askSoon;    ///< sends the asks gathered (askGathered)
    ReadoutTip* m_tip;
};

} // namespace jikken
