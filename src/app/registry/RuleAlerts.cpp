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
    struct Read
    {
        QHash<QString, QVector<TaggedSeries>> points; ///< by run
        QHash<QString, qint64> upTo;                  ///< by "run\ntag": the last step read
    };
    m_reader.ask(
        this, RegistryReader::Kind::Quick,
        [runs = m_running, tags, upTo = m_readUpTo](RegistryClient& registry, QString*) {
            Read read; // what it had read of the runs still running, and what it reads now
            for (const QString& run : runs) {
                for (const QString& tag : tags) {
                    const QString key = run + u'\n' + tag;
                    read.upTo.insert(key, upTo.value(key, -1));
                    QString ignored; // a run without the tag, or gone: nothing to judge
                    int total = 0;
                    // Only what came since the last look (a service sends no more than that).
                    auto fresh = registry.seriesAfter(run, tag, read.upTo.value(key), &total, &ignored);
                    if (!fresh || fresh->isEmpty())
                        continue;
                    read.upTo.insert(key, fresh->steps.last());
                    read.points[run].append({tag, std::move(*fresh)});
                }
            }
            return read;
        },
        [this](const Read& read, const QString&) {
            m_reading = false;
            m_readUpTo = read.upTo;
            const QDateTime at = now();
            for (auto it = read.points.cbegin(); it != read.points.cend(); ++it)
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
