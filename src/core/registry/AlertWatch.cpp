#include "AlertWatch.h"

#include <QtMath>

#include <algorithm>
#include <cmath>
#include <limits>

namespace jikken {

namespace {

const QString kGpuUtilization = QStringLiteral("system/gpu_utilization");

double minutesBetween(const QDateTime& from, const QDateTime& to)
{
    return static_cast<double>(from.msecsTo(to)) / 60000.0;
}

QString number(double value)
{
    return QString::number(value, 'g', 6);
}

} // namespace

void AlertWatch::setRules(QVector<AlertRule> rules)
{
    m_rules = std::move(rules);
}

void AlertWatch::runningRuns(const QHash<QString, qint64>& steps, const QDateTime& now)
{
    for (auto it = m_runs.begin(); it != m_runs.end(); ++it) {
        if (it.value().running && !steps.contains(it.key())) {
            it.value().running = false;
            it.value().idleSince.clear(); // an ended run's GPU is not a run's idle GPU
        }
    }
    for (auto it = steps.cbegin(); it != steps.cend(); ++it) {
        RunState& state = m_runs[it.key()];
        if (!state.running) {
            state.running = true;
            state.stepSince = now; // its silence counts from when it is seen running
        }
        stepSeen(state, it.value(), now);
    }
}

void AlertWatch::stepSeen(RunState& state, qint64 step, const QDateTime& now)
{
    if (step > state.step) {
        state.step = step;
        state.stepSince = now;
    }
}

void AlertWatch::pointsSeen(const QString& run, const QVector<TaggedSeries>& batch, const QDateTime& now)
{
    RunState& state = m_runs[run];
    for (const TaggedSeries& tagged : batch) {
        if (!watched(tagged.tag)) {
            if (!tagged.series.isEmpty())
                stepSeen(state, *std::max_element(tagged.series.steps.cbegin(), tagged.series.steps.cend()), now);
            continue;
        }
        qint64 last = state.lastStep.value(tagged.tag, std::numeric_limits<qint64>::min());
        for (int i = 0; i < tagged.series.size(); ++i) {
            const qint64 step = tagged.series.steps[i];
            if (step <= last)
                continue;
            last = step;
            stepSeen(state, step, now);
            pointSeen(run, state, tagged.tag, step, tagged.series.values[i], now);
        }
        state.lastStep.insert(tagged.tag, last);
    }
}

bool AlertWatch::watched(const QString& tag) const
{
    return std::any_of(m_rules.cbegin(), m_rules.cend(), [&](const AlertRule& rule) {
        return rule.kind == AlertRule::Kind::GpuIdle ? tag == kGpuUtilization : tag == rule.metric;
    });
}

void AlertWatch::pointSeen(const QString& run, RunState& state, const QString& tag, qint64 step, double value,
                           const QDateTime& now)
{
    if (!std::isfinite(value))
        return; // a NaN is told as diverged
    for (const AlertRule& rule : std::as_const(m_rules)) {
        switch (rule.kind) {
        case AlertRule::Kind::Stalled:
            break;
        case AlertRule::Kind::GpuIdle:
            if (tag != kGpuUtilization)
                break;
            if (value >= rule.threshold)
                state.idleSince.remove(rule.name);
            else if (!state.idleSince.contains(rule.name))
                state.idleSince.insert(rule.name, now);
            break;
        case AlertRule::Kind::Crossing:
            if (tag == rule.metric && (rule.below ? value < rule.threshold : value > rule.threshold))
                fire(rule, run, QStringLiteral("%1 %2 at step %3").arg(tag, number(value)).arg(step));
            break;
        case AlertRule::Kind::NotImproving: {
            if (tag != rule.metric)
                break;
            Best& best = state.best[rule.name];
            if (!best.any || (rule.below ? value < best.value : value > best.value)) {
                best = {value, step, 0, true};
                break;
            }
            if (++best.since >= rule.epochs)
                fire(rule, run,
                     QStringLiteral("%1 no better than %2 (step %3) for %4 epochs")
                         .arg(tag, number(best.value))
                         .arg(best.step)
                         .arg(best.since));
            break;
        }
        }
    }
}

QVector<AlertWatch::Alert> AlertWatch::due(const QDateTime& now)
{
    for (auto it = m_runs.cbegin(); it != m_runs.cend(); ++it) {
        const RunState& state = it.value();
        if (!state.running)
            continue;
        for (const AlertRule& rule : std::as_const(m_rules)) {
            if (rule.kind == AlertRule::Kind::Stalled && minutesBetween(state.stepSince, now) >= rule.minutes)
                fire(rule, it.key(),
                     QStringLiteral("no new step for %1 min (at step %2)")
                         .arg(qFloor(minutesBetween(state.stepSince, now)))
                         .arg(state.step));
            if (rule.kind == AlertRule::Kind::GpuIdle && state.idleSince.contains(rule.name) &&
                minutesBetween(state.idleSince.value(rule.name), now) >= rule.minutes)
                fire(rule, it.key(),
                     QStringLiteral("%1 under %2% for %3 min")
                         .arg(kGpuUtilization, number(rule.threshold))
                         .arg(qFloor(minutesBetween(state.idleSince.value(rule.name), now))));
        }
    }
    return fired();
}

void AlertWatch::fire(const AlertRule& rule, const QString& run, const QString& what)
{
    const QString key = rule.name + u'\n' + run;
    if (m_fired.contains(key))
        return;
    m_fired.insert(key);
    m_due.append({run, rule.event(), QStringLiteral("%1 (rule %2: %3)").arg(what, rule.name, rule.describe())});
}

} // namespace jikken
