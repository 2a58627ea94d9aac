#pragma once

#include "AlertRules.h"
#include "series/ScalarSeries.h"

#include <QDateTime>
#include <QHash>
#include <QSet>
#include <QString>
#include <QVector>

namespace jikken {

/// Which alert rules hold for which runs, from what the registry says of them; each rule is told once per
/// run, when its condition first holds. Times are the caller's (the service's clock, or a test's), so a
/// rule of an hour is tested without waiting one. Used by `jikken serve` and by a desktop on a local file.
class AlertWatch
{
public:
    struct Alert
    {
        QString run;
        QString event;  ///< the rule's kind: stalled, gpu_idle, crossing, not_improving
        QString detail; ///< "test/error 0.048 at step 940 (rule target: test/error below 0.05)"
    };

    void setRules(QVector<AlertRule> rules);
    const QVector<AlertRule>& rules() const { return m_rules; }

    /// The runs running at `now`, each with its latest step; every other run is not running.
    void runningRuns(const QHash<QString, qint64>& steps, const QDateTime& now);
    /// Points of a run stored at `now`, in step order per tag (a step seen before is not seen again).
    void pointsSeen(const QString& run, const QVector<TaggedSeries>& batch, const QDateTime& now);
    /// What came to hold since the last call (the timed rules judged at `now`), each rule and run once.
    QVector<Alert> due(const QDateTime& now);
    /// What the points seen since the last call made hold, the timed rules left to `due`: cheap enough for
    /// each batch of points a service stores.
    QVector<Alert> fired() { return std::exchange(m_due, {}); }

private:
    /// A not_improving rule's view of its metric in one run.
    struct Best
    {
        double value = 0;
        qint64 step = -1;
        int since = 0; ///< evaluations since the best
        bool any = false;
    };
    struct RunState
    {
        bool running = false;
        qint64 step = -1;
        QDateTime stepSince;                 ///< when `step` was first seen
        QHash<QString, QDateTime> idleSince; ///< by gpu_idle rule: since when utilization is under it
        QHash<QString, Best> best;           ///< by not_improving rule
        QHash<QString, qint64> lastStep;     ///< by tag: the last step seen, so a point sent again counts once
    };

    void stepSeen(RunState& state, qint64 step, const QDateTime& now);
    void pointSeen(const QString& run, RunState& state, const QString& tag, qint64 step, double value,
                   const QDateTime& now);
    void fire(const AlertRule& rule, const QString& run, const QString& what);
    /// Whether a rule reads the points of `tag` (every tag's points still count as progress).
    bool watched(const QString& tag) const;

    QVector<AlertRule> m_rules;
    QHash<QString, RunState> m_runs;
    QSet<QString> m_fired; ///< "rule\nrun"
    QVector<Alert> m_due;
};

} // namespace jikken
