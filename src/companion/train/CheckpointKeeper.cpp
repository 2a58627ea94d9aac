#include "CheckpointKeeper.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include <unistd.h>

namespace jikken {

namespace {

std::runtime_error failure(const QString& message)
{
    return std::runtime_error(message.toStdString());
}

} // namespace

CheckpointKeeper::CheckpointKeeper(const RunSpec& spec, QString runDirectory, QString host)
    : m_metric(spec.bestMetric), m_minimize(spec.bestMode != QLatin1String("max")),
      m_directory(std::move(runDirectory)), m_host(std::move(host))
{
    QString problem;
    const auto policy = KeepPolicy::parse(spec.keepCheckpoints, &problem);
    if (!policy)
        throw failure(problem);
    m_policy = *policy;
    QFile file(QDir(m_directory).filePath(recordsFileName()));
    if (!file.exists())
        return;
    if (!file.open(QIODevice::ReadOnly))
        throw failure(QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString()));
    const auto records = Checkpoints::fromJson(QJsonDocument::fromJson(file.readAll()).array(), &problem);
    if (!records)
        throw failure(QStringLiteral("%1: %2").arg(file.fileName(), problem));
    m_records = *records;
}

QString CheckpointKeeper::pathOf(const QString& file) const
{
    return QDir(m_directory).absoluteFilePath(file);
}

QVector<CheckpointRecord> CheckpointKeeper::saved(const QString& modelFile, qint64 step, int epoch,
                                                  std::optional<double> value, const QString& sha256, qint64 size)
{
    const CheckpointRecord made{QStringLiteral("last"), step, epoch,  m_metric, value, m_host,
                                pathOf(modelFile),      size, sha256, true};
    QVector<qsizetype> replaced; // released once what replaces them is whole
    for (qsizetype i = 0; i < m_records.size(); ++i) {
        if (m_records[i].kept && m_records[i].kind == QLatin1String("last"))
            replaced << i;
    }
    m_records.append(made);
    const auto better = [this](double a, double b) { return m_minimize ? a < b : a > b; };
    const CheckpointRecord* best = Checkpoints::best(m_records);
    if (m_policy.best && value && std::isfinite(*value) && (!best || !best->value || better(*value, *best->value))) {
        const qsizetype before = best ? m_records.indexOf(*best) : -1;
        keepAs(made, QStringLiteral("best"), QStringLiteral("best-%1.pt").arg(step));
        if (before >= 0)
            replaced << before;
    }
    if (m_policy.every > 0 && value && epoch > 0 && epoch % m_policy.every == 0)
        keepAs(made, QStringLiteral("every"), QStringLiteral("epoch-%1.pt").arg(epoch));
    for (qsizetype index : std::as_const(replaced))
        release(index);
    write();
    return m_records;
}

QVector<CheckpointRecord> CheckpointKeeper::finished(const QStringList& resumeFiles)
{
    if (m_policy.last)
        return m_records;
    for (qsizetype i = 0; i < m_records.size(); ++i) {
        if (m_records[i].kept && m_records[i].kind == QLatin1String("last"))
            release(i);
    }
    for (const QString& file : resumeFiles)
        QFile::remove(QDir(m_directory).filePath(file));
    write();
    return m_records;
}

void CheckpointKeeper::keepAs(const CheckpointRecord& last, const QString& kind, const QString& link)
{
    linkTo(QFileInfo(last.path).fileName(), link);
    CheckpointRecord kept = last;
    kept.kind = kind;
    kept.path = pathOf(link);
    m_records.append(kept);
}

void CheckpointKeeper::linkTo(const QString& target, const QString& link) const
{
    const QString linkPath = pathOf(link);
    const QString temporary = linkPath + QStringLiteral(".part");
    QFile::remove(temporary);
    // Under a temporary name, then renamed: a kill leaves the old file or the new, never half of one.
    if (::link(QFile::encodeName(pathOf(target)).constData(), QFile::encodeName(temporary).constData()) != 0 &&
        !QFile::copy(pathOf(target), temporary))
        throw failure(QStringLiteral("cannot keep %1 as %2").arg(target, link));
    if (std::rename(QFile::encodeName(temporary).constData(), QFile::encodeName(linkPath).constData()) != 0) {
        QFile::remove(temporary);
        throw failure(QStringLiteral("cannot keep %1 as %2").arg(target, link));
    }
}

void CheckpointKeeper::release(qsizetype index)
{
    CheckpointRecord& record = m_records[index];
    record.kept = false;
    for (const CheckpointRecord& other : std::as_const(m_records)) {
        if (other.kept && other.path == record.path)
            return; // the same file, kept as something else (resumed at the same step)
    }
    QFile::remove(record.path);
}

void CheckpointKeeper::write() const
{
    QSaveFile file(QDir(m_directory).filePath(recordsFileName()));
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(Checkpoints::toJson(m_records)).toJson()) < 0 ||
        !file.commit())
        throw failure(QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString()));
}

} // namespace jikken
