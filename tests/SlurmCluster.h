#pragma once

// A real one-node Slurm for the dispatch tests (Debian's slurm-wlm and munge): slurmctld and slurmd on
// free loopback ports with state, spool, pid and log files in a scratch folder, used through SLURM_CONF.

#include "RequiredProgram.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHostInfo>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTcpServer>
#include <QThread>

#include <csignal>

namespace jikken::testing {

class SlurmCluster
{
public:
    bool start(const QString& directory, QString* error)
    {
        m_dir = directory;
        if (requireProgram(QStringLiteral("munged"), QStringLiteral("munge"), error).isEmpty() ||
            requireProgram(QStringLiteral("slurmctld"), QStringLiteral("slurm-wlm"), error).isEmpty() ||
            requireProgram(QStringLiteral("slurmd"), QStringLiteral("slurm-wlm"), error).isEmpty() ||
            requireProgram(QStringLiteral("sbatch"), QStringLiteral("slurm-wlm"), error).isEmpty())
            return false;
        QDir().mkpath(directory + QStringLiteral("/state"));
        QDir().mkpath(directory + QStringLiteral("/spool"));
        // munge authenticates the daemons and the clients; Debian ships its key.
        QDir().mkpath(QStringLiteral("/run/munge"));
        run(QStringLiteral("chown"), {QStringLiteral("munge:munge"), QStringLiteral("/run/munge")}, nullptr);
        // A live munged only: one the last test stopped may linger as a zombie that nothing has reaped yet.
        if (!run(QStringLiteral("pgrep"),
                 {QStringLiteral("-x"), QStringLiteral("-r"), QStringLiteral("D,R,S"), QStringLiteral("munged")},
                 nullptr)) {
            if (!run(QStringLiteral("runuser"),
                     {QStringLiteral("-u"), QStringLiteral("munge"), QStringLiteral("--"),
                      QStringLiteral("/usr/sbin/munged"), QStringLiteral("--force")},
                     error))
                return false;
            m_startedMunge = true;
        }
        const QString host = QHostInfo::localHostName();
        QFile conf(path("slurm.conf"));
        conf.open(QIODevice::WriteOnly);
        conf.write(
            QStringLiteral("ClusterName=jikkentest\nSlurmctldHost=%1\nAuthType=auth/munge\nSlurmUser=root\n"
                           "SlurmctldPort=%2\nSlurmdPort=%3\nStateSaveLocation=%4/state\nSlurmdSpoolDir=%4/spool\n"
                           "SlurmctldPidFile=%4/slurmctld.pid\nSlurmdPidFile=%4/slurmd.pid\n"
                           "SlurmctldLogFile=%4/slurmctld.log\nSlurmdLogFile=%4/slurmd.log\n"
                           "ProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\nSchedulerType=sched/builtin\n"
                           "SelectType=select/cons_tres\nReturnToService=2\n"
                           "NodeName=%1 CPUs=2 RealMemory=2000 State=UNKNOWN\n"
                           "PartitionName=debug Nodes=%1 Default=YES MaxTime=INFINITE State=UP\n")
                .arg(host)
                .arg(freePort())
                .arg(freePort())
                .arg(directory)
                .toUtf8());
        conf.close();
        if (!run(QStringLiteral("slurmctld"), {}, error) || !run(QStringLiteral("slurmd"), {}, error))
            return false;
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 30000) {
            QProcess sinfo;
            sinfo.setProcessEnvironment(environment());
            sinfo.start(QStringLiteral("sinfo"), {QStringLiteral("-h"), QStringLiteral("-o"), QStringLiteral("%T")});
            sinfo.waitForFinished();
            if (sinfo.readAllStandardOutput().contains("idle"))
                return true;
            QThread::msleep(200);
        }
        *error = QStringLiteral("the Slurm node did not become idle; see %1").arg(path("slurmctld.log"));
        return false;
    }

    ~SlurmCluster()
    {
        for (const char* pid : {"slurmd.pid", "slurmctld.pid"})
            stop(path(pid));
        if (m_startedMunge)
            stop(QStringLiteral("/run/munge/munged.pid"));
    }

    QString configPath() const { return path("slurm.conf"); }

private:
    QString path(const char* name) const { return QDir(m_dir).filePath(QString::fromLatin1(name)); }

    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("SLURM_CONF"), configPath());
        return env;
    }

    static quint16 freePort()
    {
        QTcpServer probe;
        probe.listen(QHostAddress::Any, 0);
        return probe.serverPort();
    }

    /// Stops the daemon and waits until it is gone (or a zombie nobody reaps): the next test's cluster must
    /// not find this one's munged still there, and take it for its own.
    static void stop(const QString& pidFile)
    {
        QFile file(pidFile);
        if (!file.open(QIODevice::ReadOnly))
            return;
        const int pid = file.readAll().trimmed().toInt();
        if (pid <= 0 || ::kill(pid, SIGTERM) != 0)
            return;
        QElapsedTimer waited;
        waited.start();
        while (waited.elapsed() < 20000) {
            QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
            if (!stat.open(QIODevice::ReadOnly))
                return;
            const QByteArray fields = stat.readAll();
            const qsizetype afterName = fields.lastIndexOf(')');
            if (afterName < 0 || fields.mid(afterName + 2, 1) == "Z")
                return;
            QThread::msleep(50);
        }
    }

    bool run(const QString& program, const QStringList& arguments, QString* error) const
    {
        QProcess process;
        process.setProcessEnvironment(environment());
        process.start(program, arguments);
        const bool ok =
            process.waitForFinished(30000) && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
        if (!ok && error)
            *error = QStringLiteral("%1 failed: %2%3")
                         .arg(program, process.errorString(), QString::fromUtf8(process.readAllStandardError()));
        return ok;
    }

    QString m_dir;
    bool m_startedMunge = false;
};

} // namespace jikken::testing
