#include "RunFacts.h"

#include "dispatch/SessionScripts.h"
#include "registry/RunExport.h"
#include "spec/RunSpec.h"
#include "util/JsonText.h"

#include <QDir>
#include <QFile>
#include <QJsonObject>
#include <QLocale>

namespace jikken::RunFacts {

namespace {

QString localTime(const QDateTime& time)
{
    return time.isValid() ? time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) : QString();
}

/// A JSON value rounded for reading, and exact.
Fact number(const QString& key, const QJsonValue& value)
{
    return {key, JsonText::of(value, 6), JsonText::of(value, QLocale::FloatingPointShortest)};
}

void add(QVector<Fact>& facts, const QString& key, const QString& value)
{
    if (!value.isEmpty())
        facts.append({key, value, value});
}

} // namespace

QString duration(qint64 milliseconds)
{
    const qint64 seconds = std::max<qint64>(0, milliseconds / 1000);
    if (seconds < 60)
        return QStringLiteral("%1 s").arg(seconds);
    if (seconds < 3600)
        return QStringLiteral("%1 min").arg(seconds / 60);
    if (seconds < 86400)
        return QStringLiteral("%1 h %2 min").arg(seconds / 3600).arg(seconds % 3600 / 60);
    return QStringLiteral("%1 d %2 h").arg(seconds / 86400).arg(seconds % 86400 / 3600);
}

QVector<Section> of(const RunRecord& r, const QDateTime& now, const QString& outputTail)
{
    Section run{QStringLiteral("Run"), {}};
    add(run.facts, QStringLiteral("status"),
        toString(r.status) + (r.statusReason.isEmpty() ? QString() : QStringLiteral(": ") + r.statusReason));
    add(run.facts, QStringLiteral("method"), r.method);
    add(run.facts, QStringLiteral("model"), r.model);
    add(run.facts, QStringLiteral("dataset"), r.dataset);
    if (r.totalEpochs > 0 || r.step > 0)
        add(run.facts, QStringLiteral("progress"),
            QStringLiteral("epoch %1/%2, step %3").arg(r.epoch).arg(r.totalEpochs).arg(r.step));
    add(run.facts, QStringLiteral("created"), localTime(r.created));
    add(run.facts, QStringLiteral("started"), localTime(r.started));
    add(run.facts, QStringLiteral("finished"), localTime(r.finished));
    if (r.started.isValid()) {
        const QDateTime end = r.finished.isValid() ? r.finished : r.status == RunStatus::Running ? now : QDateTime();
        if (end.isValid())
            add(run.facts, QStringLiteral("duration"), duration(r.started.msecsTo(end)));
    }
    if (r.status == RunStatus::Running || r.status == RunStatus::Lost)
        add(run.facts, QStringLiteral("heartbeat"), localTime(r.heartbeat));

    Section hyperparameters{QStringLiteral("Hyperparameters"), {}};
    const QJsonObject applied = RunSpec::applicable(r.hparams);
    for (auto it = applied.begin(); it != applied.end(); ++it)
        hyperparameters.facts.append(number(it.key(), it.value()));

    Section results{QStringLiteral("Results"), {}};
    add(results.facts, QStringLiteral("test error"), RunExport::errorText(r.latestTestError));
    add(results.facts, QStringLiteral("best error"), RunExport::errorText(r.bestTestError));
    for (auto it = r.finalMetrics.begin(); it != r.finalMetrics.end(); ++it)
        results.facts.append(number(it.key(), it.value()));

    // The model files kept: each in a line, where it is and its sha256 on hover (`jikken pull` fetches it).
    Section checkpoints{QStringLiteral("Checkpoints"), {}};
    for (const CheckpointRecord& checkpoint : r.checkpoints) {
        if (checkpoint.kept)
            checkpoints.facts.append(
                {checkpoint.kind, Checkpoints::describe(checkpoint),
                 Checkpoints::location(checkpoint) + QStringLiteral("\nsha256 ") + checkpoint.sha256});
    }

    Section machine{QStringLiteral("Machine"), {}};
    add(machine.facts, QStringLiteral("host"), r.host);
    add(machine.facts, QStringLiteral("device"), r.device);
    for (auto it = r.versions.begin(); it != r.versions.end(); ++it) {
        if (it.key() != QLatin1String("packages"))
            add(machine.facts, it.key(), JsonText::of(it.value(), QLocale::FloatingPointShortest));
    }
    // A script's interpreter lists its packages (pip freeze): a count, every name on hover and when copied.
    if (const QStringList packages = RunExport::packagesOf(r); !packages.isEmpty())
        machine.facts.append(
            {QStringLiteral("packages"), QStringLiteral("%1 installed").arg(packages.size()), packages.join(u'\n')});

    Section reproduce{QStringLiteral("Reproduce"), {}};
    add(reproduce.facts, QStringLiteral("command"), r.command);
    add(reproduce.facts, QStringLiteral("git"),
        r.gitCommit.isEmpty() ? QString() : r.gitCommit + (r.gitDirty ? QStringLiteral(" (dirty)") : QString()));
    add(reproduce.facts, QStringLiteral("log dir"), r.logDir);

    Section output{QStringLiteral("Output"), {}};
    if (r.status == RunStatus::Failed || r.status == RunStatus::Diverged)
        add(output.facts, QStringLiteral("last lines"), outputTail);

    QVector<Section> sections;
    for (Section* section : {&run, &hyperparameters, &results, &checkpoints, &machine, &reproduce, &output}) {
        if (!section->facts.isEmpty())
            sections.append(std::move(*section));
    }
    return sections;
}

QString outputTail(const RunRecord& run, int lines)
{
    if ((run.status != RunStatus::Failed && run.status != RunStatus::Diverged) || run.logDir.isEmpty())
        return {};
    QFile file(QDir(run.logDir).filePath(QString::fromLatin1(SessionScripts::kOutputLog)));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    constexpr qint64 kTail = 8192; // a few lines; the whole log may be gigabytes
    file.seek(std::max<qint64>(0, file.size() - kTail));
    QStringList all = QString::fromUtf8(file.read(kTail)).split(u'\n', Qt::SkipEmptyParts);
    if (file.size() > kTail && !all.isEmpty())
        all.removeFirst(); // cut through by the seek
    return all.mid(std::max<qsizetype>(0, all.size() - lines)).join(u'\n');
}

} // namespace jikken::RunFacts
