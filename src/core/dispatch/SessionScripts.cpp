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

} // namespace

QString checkTools(const HostSettings& host)
{
    const QString tool = host.slurm ? QStringLiteral("sbatch") : QStringLiteral("tmux");
    return QStringLiteral("command -v %1 >/dev/null 2>&1 || { echo %2 >&2; exit 3; }\n")
        .arg(tool, quote(QStringLiteral("%1 is not installed on %2").arg(tool, host.alias)));
}

QString start(const HostSettings& host, const QString& id, const QString& runScript, const QString& gpus)
{
    if (!host.slurm)
        return QStringLiteral("tmux new-session -d -s %1 -c \"$PWD\" \"${SHELL:-/bin/sh}\" -l %2\n")
            .arg(quote(id), quote(runScript));
    QStringList sbatch{QStringLiteral("sbatch"), QStringLiteral("--parsable"), QStringLiteral("--job-name=") + id,
                       QStringLiteral("--output=") + Dispatcher::dispatchDirectory(id) + QStringLiteral("/slurm.log")};
    if (!gpus.isEmpty())
        sbatch << QStringLiteral("--gres=gpu:") + gpus;
    sbatch << host.sbatchOptions << runScript;
    // --parsable prints "JOB" or "JOB;CLUSTER".
    return QStringLiteral("%1 | cut -d';' -f1 > %2\n").arg(ShellQuote::command(sbatch), file(id, "slurm-job"));
}

QString isAlive(const HostSettings& host, const QString& id)
{
    if (!host.slurm)
        return QStringLiteral("tmux has-session -t %1 2>/dev/null && exit 0\n").arg(quote(u'=' + id)) + lastWords(id);
    return readJob(id) +
           QStringLiteral("[ -n \"$job\" ] && [ -n \"$(squeue -h -j \"$job\" -o %T 2>/dev/null)\" ] && exit 0\n") +
           lastWords(id);
}

QString interrupt(const HostSettings& host, const QString& id)
{
    if (!host.slurm)
        return QStringLiteral("tmux has-session -t %1 2>/dev/null || exit %2\ntmux send-keys -t %3 C-c\n")
            .arg(quote(u'=' + id))
            .arg(kGone)
            .arg(quote(u'=' + id + u':')); // a pane target: the session's current window
    return readJob(id) +
           QStringLiteral(
               "state=$(squeue -h -j \"$job\" -o %T 2>/dev/null || true)\n[ -n \"$state\" ] || exit %1\n"
               "if [ \"$state\" = PENDING ]; then scancel \"$job\"; else scancel --full --signal=INT \"$job\"; fi\n")
               .arg(kGone);
}

QString kill(const HostSettings& host, const QString& id)
{
    if (!host.slurm)
        return QStringLiteral("tmux kill-session -t %1\n").arg(quote(u'=' + id));
    return readJob(id) + QStringLiteral("[ -z \"$job\" ] || scancel \"$job\"\n");
}

QString state(const HostSettings& host, const QString& id)
{
    if (!host.slurm)
        return QStringLiteral("if tmux has-session -t %1 2>/dev/null; then echo 'tmux session %2'; else echo 'no tmux "
                              "session'; fi\n")
            .arg(quote(u'=' + id), id);
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

} // namespace jikken::SessionScripts
