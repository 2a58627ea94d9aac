#include "ScalarFollower.h"

#include <QFileInfo>

namespace jikken {

ScalarFollower::ScalarFollower(QString logDir) : m_reader(logDir), m_logDir(std::move(logDir)) {}

QVector<ScalarPoint> ScalarFollower::poll(QStringList* warnings)
{
    QVector<ScalarPoint> points;
    if (!QFileInfo::exists(m_logDir) || !m_reader.poll(warnings, nullptr))
        return points;
    for (const auto& [name, run] : m_reader.runs()) {
        const QStringList& tags = run.scalars.tags();
        for (int i = 0; i < tags.size(); ++i) {
            const QString tag = name == QLatin1String(".") ? tags[i] : name + u'/' + tags[i];
            const ScalarSeries& series = run.scalars.series(i);
            int& sent = m_sent[tag];
            sent = std::min(sent, series.size()); // a restart dropped points: follow what replaces them
            for (int j = sent; j < series.size(); ++j)
                points.append({tag, series.steps[j], series.wallTimes[j], series.values[j]});
            sent = series.size();
        }
    }
    return points;
}

QJsonObject ScalarFollower::hyperparameters() const
{
    QJsonObject all;
    for (const auto& [name, run] : m_reader.runs()) {
        const QJsonObject& own = run.scalars.hyperparameters();
        for (auto it = own.begin(); it != own.end(); ++it)
            all.insert(it.key(), it.value());
    }
    return all;
}

} // namespace jikken
