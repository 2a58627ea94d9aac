// An agent's runs as Slurm batch jobs (AgentLaunchers.h): on a login node, Slurm is the scheduler; the
// agent hands it the queue's runs and follows their jobs.
#include "AgentLaunchers.h"

#include "dispatch/Dispatcher.h"
#include "dispatch/ShellQuote.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QHash>
#include <QProcess>
#include <QThread>

namespace jikken {

namespace {

constexpr int kSlurmTimeoutMs = 60000;

/// Where the host keeps a run's job ID, as `jikken dispatch` does for the runs it submits.
QString jobFile(const QString& id)
{
    return Dispatcher::dispatchDirectory(id) + QStringLiteral("/slurm-job");
}

class SlurmLauncher : public RunLauncher
{
public:
    explicit SlurmLauncher(QStringList sbatchOptions) : m_sbatchOptions(std::move(sbatchOptions)) {}

    QString start(const QueuedRun& run, const QStringList& arguments, const QString& folder, const QList<int>&) override
    {
        const QString id = run.id.toString();
        const QString script = QDir(folder).filePath(QStringLiteral("job.sh"));
        QFile file(script);
        if (!file.open(QIODevice::WriteOnly) ||
            file.write(QStringLiteral("#!/bin/sh\nexec %1\n")
                           .arg(ShellQuote::command(QStringList{QCoreApplication::applicationFilePath()} + arguments))
                           .toUtf8()) < 0)
            return QStringLiteral("cannot write %1").arg(script);
        file.close();
        file.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        QStringList sbatch{QStringLiteral("--parsable"), QStringLiteral("--job-name=") + id,
                           QStringLiteral("--output=") + QDir(folder).filePath(QStringLiteral("slurm.log"))};
        if (run.request.gpus > 0)
            sbatch << QStringLiteral("--gres=gpu:%1").arg(run.request.gpus);
        sbatch << m_sbatchOptions << script;
        QProcess submit;
        submit.start(QStringLiteral("sbatch"), sbatch);
        if (!submit.waitForFinished(kSlurmTimeoutMs) || submit.exitStatus() != QProcess::NormalExit ||
            submit.exitCode() != 0) {
            const QString said = QString::fromUtf8(submit.readAllStandardError()).trimmed().section(u'\n', -1);
            return QStringLiteral("sbatch refused it: %1").arg(said.isEmpty() ? submit.errorString() : said);
        }
        // --parsable prints "JOB" or "JOB;CLUSTER".
        const QString job = QString::fromUtf8(submit.readAllStandardOutput()).trimmed().section(u';', 0, 0);
        QDir().mkpath(Dispatcher::dispatchDirectory(id));
        QFile kept(jobFile(id));
        if (kept.open(QIODevice::WriteOnly))
            kept.write(job.toUtf8() + '\n');
        m_jobs.insert(id, job);
        return {};
    }

    QVector<EndedRun> reap() override
    {
        QVector<EndedRun> ended;
        if (m_jobs.isEmpty())
            return ended;
        const auto alive = jobsAlive();
        if (!alive) // Slurm did not answer: asked again at the next poll
            return ended;
        for (auto job = m_jobs.begin(); job != m_jobs.end();) {
            if (alive->contains(job.value())) {
                ++job;
                continue;
            }
            ended.append({job.key(), QStringLiteral("ended: slurm job %1 ended without its run saying how (its "
                                                    "output: slurm.log in the run's folder)")
                                         .arg(job.value())});
            job = m_jobs.erase(job);
        }
        return ended;
    }

    QStringList running() const override { return m_jobs.keys(); }
    QList<int> gpusHeld() const override { return {}; } // Slurm hands out the GPUs

    void wait(int ms) override { QThread::msleep(static_cast<unsigned long>(ms)); }

    QStringList adopt(const QVector<QueuedRun>& taken) override
    {
        const auto alive = jobsAlive();
        QStringList adopted;
        for (const QueuedRun& run : taken) {
            const QString id = run.id.toString();
            QFile kept(jobFile(id));
            if (!alive || !kept.open(QIODevice::ReadOnly))
                continue;
            const QString job = QString::fromUtf8(kept.readAll()).trimmed();
            if (alive->contains(job)) {
                m_jobs.insert(id, job);
                adopted << id;
            }
        }
        return adopted;
    }

    QString where(const QString& id) const override { return QStringLiteral("slurm job ") + m_jobs.value(id); }

private:
    /// This user's jobs Slurm still holds (pending, running, completing …); nothing when it does not answer.
    static std::optional<QSet<QString>> jobsAlive()
    {
        QProcess squeue;
        squeue.start(QStringLiteral("squeue"),
                     {QStringLiteral("--noheader"), QStringLiteral("--me"), QStringLiteral("--format=%i")});
        if (!squeue.waitForFinished(kSlurmTimeoutMs) || squeue.exitStatus() != QProcess::NormalExit ||
            squeue.exitCode() != 0)
            return std::nullopt;
        QSet<QString> jobs;
        for (const QByteArray& line : squeue.readAllStandardOutput().split('\n')) {
            if (!line.trimmed().isEmpty())
                jobs.insert(QString::fromUtf8(line.trimmed()));
        }
        return jobs;
    }

    QStringList m_sbatchOptions;
    QHash<QString, QString> m_jobs; ///< run ID -> Slurm job ID
};

} // namespace

std::unique_ptr<RunLauncher> makeSlurmLauncher(const QStringList& sbatchOptions)
{
    return std::make_unique<SlurmLauncher>(sbatchOptions);
}

} // namespace jikken
