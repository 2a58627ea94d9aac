#include "LogdirRuns.h"

#include "ids/ModelId.h"

#include <QDir>
#include <QFileInfo>

namespace jikken {

LogdirRuns::LogdirRuns(const QString& logDir) : m_logDir(QFileInfo(logDir).absoluteFilePath()), m_reader(m_logDir) {}

QString LogdirRuns::keyFor(const QString& logDir, const QString& runName)
{
    return ModelId::parse(runName) ? runName : logDir + u':' + runName;
}

LogdirRuns::Grouping LogdirRuns::groupOf(const QString& folder) const
{
    const QStringList parts = folder == QLatin1String(".") ? QStringList() : folder.split(u'/');
    for (int i = 0; i < parts.size(); ++i) {
        if (ModelId::parse(parts[i])) {
            const QStringList rest = parts.mid(i + 1);
            return {parts[i], rest.isEmpty() ? QString() : rest.join(u'/') + u'/'};
        }
    }
    // The logdir itself may be a model's folder (`--viewer logs/20190705_01_focalloss`).
    const QString own = QFileInfo(m_logDir).isDir() ? QFileInfo(m_logDir).fileName() : QString();
    if (ModelId::parse(own))
        return {own, parts.isEmpty() ? QString() : folder + u'/'};
    return {folder == QLatin1String(".") ? QFileInfo(m_logDir).fileName() : folder, QString()};
}

bool LogdirRuns::poll(QStringList* changed, QStringList* warnings, QString* error)
{
    if (!m_reader.poll(warnings, error))
        return false;
    // Every folder's bytes read so far, summed per viewer run: a run changed when its sum moved.
    QHash<QString, qint64> bytes;
    QHash<QString, QVector<const EventLogReader::Run*>> members;
    for (const auto& [folder, run] : m_reader.runs()) {
        const QString key = keyFor(m_logDir, groupOf(folder).run);
        for (const auto& file : run.files)
            bytes[key] += file->offset();
        members[key].append(&run);
    }
    for (auto it = members.cbegin(); it != members.cend(); ++it) {
        const QString stamp = QString::number(bytes.value(it.key()));
        if (m_stamps.value(it.key()) == stamp)
            continue;
        m_stamps.insert(it.key(), stamp);
        ViewerRun& shown = m_runs[it.key()];
        shown.key = it.key();
        shown.source = m_logDir;
        shown.scalars.clear();
        shown.scalarsAsLogged.clear();
        shown.images.clear();
        shown.texts.clear();
        shown.loggedHyperparameters = {};
        for (const EventLogReader::Run* member : it.value()) {
            const Grouping grouping = groupOf(member->name);
            shown.name = grouping.run;
            for (auto m = member->scalars.images().cbegin(); m != member->scalars.images().cend(); ++m)
                shown.images.insert(grouping.tagPrefix + m.key(), m.value());
            for (auto m = member->scalars.texts().cbegin(); m != member->scalars.texts().cend(); ++m)
                shown.texts.insert(grouping.tagPrefix + m.key(), m.value());
            const QJsonObject& hparams = member->scalars.hyperparameters();
            for (auto h = hparams.begin(); h != hparams.end(); ++h)
                shown.loggedHyperparameters.insert(h.key(), h.value());
            const QStringList& tags = member->scalars.tags();
            for (int t = 0; t < tags.size(); ++t) {
                const ScalarSeries& series = member->scalars.series(t);
                const QString tag = grouping.tagPrefix + tags[t];
                // Shared, not copied, when the steps already ascend (the usual case).
                if (series.isOrdered()) {
                    shown.scalars.insert(tag, series);
                } else {
                    shown.scalars.insert(tag, series.ordered());
                    shown.scalarsAsLogged.insert(tag, series);
                }
            }
        }
        if (changed)
            *changed << it.key();
    }
    return true;
}

} // namespace jikken
