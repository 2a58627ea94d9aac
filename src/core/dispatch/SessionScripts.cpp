#include "SessionScripts.h"

#include "Dispatcher.h"
#include "ShellQuote.h"

namespace jikken::SessionScripts {

namespace {

using ShellQuote::quote;

QString file(const QString& id, const char* name)
{
    return quote(Dispatcher::dispatchDirectory(id) + u'/' + QString::fromLatin1(name));
}

// The job ID, read from the run's folder into $job (empty when it was never submitted).
QString readJob(const QString& id)
{
    return QStringLiteral("job=$(cat %1 2>/dev/null || true)\n").arg(file(id, "slurm-job"));
}

QString lastWords(const QString& id)
{
    return QStringLiteral("tail -n 5 %1 2>/dev/null\nexit %2\n").arg(file(id, "output.log")).arg(kGone);
}

QString hasSession(const QString& id)
{
    return QStringLiteral("tmux has-session -t %1 2>/dev/null").arg(quote(u'=' + id));
}

// A run started from a terminal: its trainer's process ID, read from the run folder into $pid, and $ours
// set when that process is still a jikken (a stale file's number may belong to another program by now;
// ps names it "jikken" on Linux, by its path on macOS).
QString readPid(const QString& runFolder)
{
    return QStringLiteral("pid=$(cat %1 2>/dev/null || true)\nours=\n"
                          "[ -n \"$pid\" ] && case \"$(ps -p \"$pid\" -o comm= 2>/dev/null)\" in jikken | */jikken) "
                          "ours=1 ;; esac\n")
        .arg(quote(runFolder + u'/' + QString::fromLatin1(kPidFile)));
}

} // namespace

QString prelude(const HostSettings& host)
{
    QString folder = host.workDir;
    if (folder == QLatin1String("~"))
        folder.clear();
    else if (folder.startsWith(QLatin1String("~/")))
        folder = folder.mid(2);
    return host.quietSetup() + (folder.isEmpty() ? QString() : QStringLiteral("cd %1\n").arg(quote(folder)));
}

QString checkTools(const HostSettings& host)
{
    const QString tool = host.slurm ? QStringLiteral("sbatch") : QStringLiteral("tmux");
    return QStringLiteral("command -v %1 >/dev/null 2>&1 || { echo %2 >&2; exit 3; }\n")
        .arg(tool, quote(QStringLiteral("%1 is not installed on %2").arg(tool, host.alias)));
}

QString start(const HostSettings& host, const QString& id, const QString& runScript, const QString& gpus, int nodes)
{
    if (!host.slurm)
        return QStringLiteral("tmux new-session -d -s %1 -c \"$PWD\" \"${SHELL:-/bin/sh}\" -l %2\n")
            .arg(quote(id), quote(runScript));
    QStringList sbatch{QStringLiteral("sbatch"), QStringLiteral("--parsable"), QStringLiteral("--job-name=") + id,
                       QStringLiteral("--output=") + Dispatcher::dispatchDirectory(id) + QStringLiteral("/slurm.log")};
    if (!gpus.isEmpty())
        sbatch << QStringLiteral("--gres=gpu:") + gpus;
    if (nodes > 0)
        sbatch << QStringLiteral("--nodes=%1").arg(nodes) << QStringLiteral("--ntasks-per-node=1");
    sbatch << host.sbatchOptions << runScript;
    // --parsable prints "JOB" or "JOB;CLUSTER".
    return QStringLiteral("%1 | cut -d';' -f1 > %2\n").arg(ShellQuote::command(sbatch), file(id, "slurm-job"));
}

QString isAlive(const HostSettings& host, const QString& id, const QString& runFolder)
{
    if (!host.slurm && runFolder.isEmpty())
        return hasSession(id) + QStringLiteral(" && exit 0\n") + lastWords(id);
    if (!host.slurm)
        return hasSession(id) + QStringLiteral(" && exit 0\n") + readPid(runFolder) +
               QStringLiteral("[ -n \"$ours\" ] && exit 0\n") + lastWords(id);
    return readJob(id) +
           QStringLiteral("[ -n \"$job\" ] && [ -n \"$(squeue -h -j \"$job\" -o %T 2>/dev/null)\" ] && exit 0\n") +
           lastWords(id);
}

QString interrupt(const HostSettings& host, const QString& id, const QString& runFolder)
{
    if (!host.slurm)
        return QStringLiteral("if %1; then tmux send-keys -t %2 C-c; exit 0; fi\n%3[ -n \"$ours\" ] || exit %4\n"
                              "kill -INT \"$pid\"\n")
            .arg(hasSession(id), quote(u'=' + id + u':'), // a pane target: the session's current window
                 runFolder.isEmpty() ? QStringLiteral("ours=\n") : readPid(runFolder))
            .arg(kGone);
    return readJob(id) +
           QStringLiteral(
               "state=$(squeue -h -j \"$job\" -o %T 2>/dev/null || true)\n[ -n \"$state\" ] || exit %1\n"
               "if [ \"$state\" = PENDING ]; then scancel \"$job\"; else scancel --full --signal=INT \"$job\"; fi\n")
               .arg(kGone);
}

QString kill(const HostSettings& host, const QString& id, const QString& runFolder)
{
    if (!host.slurm && runFolder.isEmpty())
        return QStringLiteral("tmux kill-session -t %1\n").arg(quote(u'=' + id));
    if (!host.slurm)
        return QStringLiteral(
                   "if %1; then tmux kill-session -t %2; exit; fi\n%3[ -z \"$ours\" ] || kill -KILL \"$pid\"\n")
            .arg(hasSession(id), quote(u'=' + id), readPid(runFolder));
    return readJob(id) + QStringLiteral("[ -z \"$job\" ] || scancel \"$job\"\n");
}

QString state(const HostSettings& host, const QString& id, const QString& runFolder)
{
    if (!host.slurm)
        return QStringLiteral(
                   "if %1; then echo %2; else\n%3if [ -n \"$ours\" ]; then echo \"process $pid, started from a "
                   "terminal\"; else echo 'no tmux session'; fi; fi\n")
            .arg(hasSession(id), quote(QStringLiteral("tmux session ") + id),
                 runFolder.isEmpty() ? QStringLiteral("ours=\n") : readPid(runFolder));
    return readJob(id) +
           QStringLiteral("echo \"slurm job $job: $(squeue -h -j \"$job\" -o %T 2>/dev/null || true)\"\n");
}

QStringList attach(const HostSettings& host, const QString& id)
{
    if (!host.slurm)
        return {QStringLiteral("tmux"), QStringLiteral("attach-session"), QStringLiteral("-t"), u'=' + id};
    QString folder = host.workDir.isEmpty() || host.workDir == QLatin1String("~") ? QStringLiteral(".") : host.workDir;
    if (folder.startsWith(QLatin1String("~/")))
        folder = folder.mid(2); // the terminal starts in the home folder
    return {QStringLiteral("tail"), QStringLiteral("-n"), QStringLiteral("200"), QStringLiteral("-f"),
            folder + u'/' + Dispatcher::dispatchDirectory(id) + QStringLiteral("/output.log")};
}

QStringList follow(const QString& runFolder)
{
    return {QStringLiteral("tail"), QStringLiteral("-n"), QStringLiteral("200"), QStringLiteral("-f"),
            runFolder + u'/' + QString::fromLatin1(kOutputLog)};
}

} // namespace jikken::SessionScripts
