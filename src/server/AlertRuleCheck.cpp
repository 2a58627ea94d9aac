#include "AlertRuleCheck.h"

#include <cstdio>

namespace jikken {

AlertRuleCheck::AlertRuleCheck(RegistryStore& store, RunAlerts& alerts, QString rulesPath, RegistryStore::Clock clock,
                               QObject* parent)
    : QObject(parent), m_store(store), m_alerts(alerts), m_file(std::move(rulesPath)), m_clock(std::move(clock))
{
    connect(&m_timer, &QTimer::timeout, this, &AlertRuleCheck::check);
}

bool AlertRuleCheck::start(int intervalMs, QString* error)
{
    if (m_file.path().isEmpty())
        return true;
    const std::optional<QVector<AlertRule>> rules = m_file.changed(error);
    if (!rules)
        return false;
    m_watch.setRules(*rules);
    m_timer.start(intervalMs);
    return true;
}

QDateTime AlertRuleCheck::now() const
{
    return m_clock ? m_clock() : QDateTime::currentDateTimeUtc();
}

void AlertRuleCheck::pointsStored(const QString& run, const QVector<TaggedSeries>& batch)
{
    if (m_watch.rules().isEmpty())
        return;
    m_watch.pointsSeen(run, batch, now());
    tell(m_watch.fired()); // the timed rules wait for the next check: not every stored batch visits every run
}

void AlertRuleCheck::reload()
{
    QString error;
    const std::optional<QVector<AlertRule>> rules = m_file.changed(&error);
    if (!error.isEmpty() && error != m_badFile)
        std::fprintf(stderr, "jikken serve: %s; the rules before it still hold\n", qPrintable(error));
    m_badFile = error;
    if (rules)
        m_watch.setRules(*rules);
}

void AlertRuleCheck::check()
{
    reload();
    if (m_watch.rules().isEmpty())
        return;
    RunFilter running;
    running.status = RunStatus::Running;
    QString error;
    const std::optional<QVector<RunRecord>> runs = m_store.runs(running, &error);
    if (!runs)
        return; // the database is away: the next check sees the runs
    QHash<QString, qint64> steps;
    for (const RunRecord& run : *runs)
        steps.insert(run.id, run.step);
    const QDateTime at = now();
    m_watch.runningRuns(steps, at);
    tell(m_watch.due(at));
}

void AlertRuleCheck::tell(const QVector<AlertWatch::Alert>& alerts)
{
    for (const AlertWatch::Alert& alert : alerts)
        m_alerts.ruleHolds(alert.event, alert.run, alert.detail);
}

} // namespace jikken
