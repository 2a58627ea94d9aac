#include "RuleAlerts.h"

#include "RegistryReader.h"

namespace jikken {

RuleAlerts::RuleAlerts(RegistryReader& reader, QString rulesPath, QObject* parent)
    : QObject(parent), m_reader(reader), m_file(std::move(rulesPath))
{
    reload();
    connect(&m_timer, &QTimer::timeout, this, &RuleAlerts::check);
    m_timer.start(kCheckMs);
}

void RuleAlerts::reload()
{
    QString error; // a bad file: the rules before it hold (`jikken alert` says what is wrong)
    if (const auto rules = m_file.changed(&error))
        m_watch.setRules(*rules);
}

QStringList RuleAlerts::watchedTags() const
{
    QStringList tags;
    for (const AlertRule& rule : m_watch.rules()) {
        if (rule.kind == AlertRule::Kind::GpuIdle)
            tags << QStringLiteral("system/gpu_utilization");
        else if (!rule.metric.isEmpty())
            tags << rule.metric;
    }
    tags.removeDuplicates();
    return tags;
}

void RuleAlerts::runsSeen(const QVector<RunRecord>& runs)
{
    reload();
    if (m_watch.rules().isEmpty())
        return;
    QHash<QString, qint64> steps;
    for (const RunRecord& run : runs)
        if (run.status == RunStatus::Running)
            steps.insert(run.id, run.step);
    m_running = steps.keys();
    m_watch.runningRuns(steps, now());
    tell();
}

void RuleAlerts::check()
{
    reload();
    const QStringList tags = watchedTags();
    if (m_watch.rules().isEmpty() || std::exchange(m_reading, true))
        return;
    using Points = QHash<QString, QVector<TaggedSeries>>;
    m_reader.ask(
        this, RegistryReader::Kind::Quick,
        [runs = m_running, tags](RegistryClient& registry, QString*) {
            Points points;
            for (const QString& run : runs) {
                for (const QString& tag : tags) {
                    QString ignored; // a run without the tag, or gone: nothing to judge
                    const auto read = registry.scalars(run, tag, &ignored);
                    if (!read || read->isEmpty())
                        continue;
                    TaggedSeries series{tag, {}};
                    for (const ScalarPoint& point : *read)
                        series.series.append(point.step, point.wallTime, point.value);
                    points[run].append(series);
                }
            }
            return points;
        },
        [this](const Points& points, const QString&) {
            m_reading = false;
            const QDateTime at = now();
            for (auto it = points.cbegin(); it != points.cend(); ++it)
                m_watch.pointsSeen(it.key(), it.value(), at);
            tell();
        });
}

void RuleAlerts::tell()
{
    for (const AlertWatch::Alert& alert : m_watch.due(now()))
        Q_EMIT ruleHolds(alert.run, QStringLiteral("%1 %2: %3").arg(alert.run, alert.event, alert.detail));
}

} // namespace jikken
