#pragma once

#include "ViewerRun.h"
#include "series/ChartCurve.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

namespace jikken {

/// Runs that differ only by what the grouping leaves out (their seeds, by default) taken together: a curve
/// per group as the mean of its runs with a band around it, and the numbers a paper's table gives — mean ±
/// standard deviation per group, and a pivot of two fields.
namespace RunGroups {

/// Every hyperparameter any of the runs has, sorted.
QStringList hyperparameterNames(const QVector<const ViewerRun*>& runs);
/// What a grouping goes by when the user has not said: every hyperparameter whose value differs among
/// the runs, but `seed`, so that the seeds of one setting fall together.
QStringList defaultFields(const QVector<const ViewerRun*>& runs);

struct Group
{
    QString label;                  ///< the fields' values, "lr=0.01 optimizer=sgd"; "all" for no field
    QVector<const ViewerRun*> runs; ///< in the order given
};
/// The runs grouped by their values of `fields` (a hyperparameter, or method, model, dataset), the groups
/// in the order their first runs come.
QVector<Group> group(const QVector<const ViewerRun*>& runs, const QStringList& fields);

enum class Spread {
    MinMax, ///< from the lowest run's value to the highest's
    StdDev, ///< the mean ± one sample standard deviation
};

/// How a chart groups its runs: not at all, by every setting but the seed, or by chosen fields; and the
/// band it draws around each group's mean. The main window's chart and the viewer's figures share it.
struct Grouping
{
    bool on = false;
    QStringList fields; ///< the fields a group shares; empty: every setting but the seed (`defaultFields`)
    Spread spread = Spread::MinMax;

    /// The groups `runs` fall into.
    QVector<Group> of(const QVector<const ViewerRun*>& runs) const;
    /// "mean of each group's runs, band min–max": what a chart with this grouping says it draws.
    QString caption() const;
    /// {"by": [fields], "band": "minmax"|"std"}; an empty object when off.
    QJsonObject toJson() const;
    /// On when `json` is an object; a band it does not know is min–max.
    static Grouping fromJson(const QJsonValue& json);
};

/// The mean, the sample standard deviation (n − 1; 0 for one value) and how many values.
struct Stat
{
    double mean = 0;
    double std = 0;
    int n = 0;
};
/// Of the finite values; none when there is none.
std::optional<Stat> stat(const QVector<double>& values);
/// "0.1234 ± 0.005678" (4 significant digits each; the mean alone for one value).
QString format(const Stat& stat);

/// A group's curve of one tag: at each step a run of the group logged (finite), the mean of the values its
/// runs logged there and the band around it, and how many runs that was.
struct Band
{
    QVector<qint64> steps;
    QVector<double> mean;
    QVector<double> low;
    QVector<double> high;
    QVector<int> count;

    /// The means as a series (no wall times), to be drawn as a line.
    ScalarSeries meanSeries() const;
    /// The area around the mean, as a polygon for `LineLayer::Kind::Band`: the low side forward, the high
    /// side back, about `points` points each way. On a log axis (`logY`), which places no value at or
    /// under zero, a low side there is held at the smallest positive value the band shows.
    QList<QPointF> outline(int points, bool logY) const;
};
/// Gathers the values a group's runs logged, step by step, into a `Band`: whatever holds the runs' points
/// (a viewer's runs, a chart's curves) adds them one at a time.
class BandBuilder
{
public:
    /// A non-finite value is left out.
    void add(qint64 step, double value);
    Band band(Spread spread) const;

private:
    QMap<qint64, QVector<double>> m_atStep; // ascending steps
};
Band band(const Group& group, const QString& tag, Spread spread);
/// The band of a chart's curves as drawn (smoothed where they are): at each step they logged, where they
/// hold at most `exactPoints` points together; past that, each curve's value at `samples` steps evenly
/// across the curves' extent (where it has points), so a group of long curves costs what its plot shows.
Band band(const QVector<const ChartCurve*>& curves, Spread spread, int samples, int exactPoints = 100'000);

/// A group's final and best values of a tag (each run's last finite one, its best by the tag's direction),
/// as mean ± std over its runs.
struct Summary
{
    std::optional<Stat> final;
    std::optional<Stat> best;
};
Summary summarize(const Group& group, const QString& tag);
/// The Summary tab's table as Markdown: a row per group, final and best per tag as mean ± std, and n.
QString toMarkdown(const QVector<Group>& groups, const QStringList& tags);

/// Rows by one field's values, columns by another's, each cell a tag's final value as mean ± std over the
/// runs there: the table of a paper's results.
struct Pivot
{
    QString rowField;
    QString columnField;
    QString tag;
    QStringList rows;
    QStringList columns;
    QVector<QVector<std::optional<Stat>>> cells; ///< [row][column]
};
Pivot pivot(const QVector<const ViewerRun*>& runs, const QString& rowField, const QString& columnField,
            const QString& tag);
QString toMarkdown(const Pivot& pivot);
/// A LaTeX `tabular` (no package beyond LaTeX itself), the text escaped: for a paper or the meeting's notes.
QString toLatex(const Pivot& pivot);

} // namespace RunGroups

} // namespace jikken
