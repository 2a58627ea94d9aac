// Dispatcher's agents: `jikken agent` started on a host in tmux over the same ssh as dispatch, reporting to
// the same registry as the runs dispatched there, and stopped again.
#include "Dispatcher.h"

#include "RemoteShell.h"
#include "SessionScripts.h"
#include "ShellQuote.h"

#include <QRegularExpression>

namespace jikken {

namespace {

using ShellQuote::quote;

constexpr int kExitAgentRuns = 5;
constexpr int kExitNoAgent = 6;

QString sessionOf(const QString& name)
{
    return QStringLiteral("jikken-agent-") + name;
}

QString agentFile(const QString& name, const char* suffix)
{
    return QStringLiteral(".jikken/agents/") + name + QString::fromLatin1(suffix);
}

bool fail(QString* error, const QString& message)
{
    if (error)
        *error = message;
    return false;
}

} // namespace

QString Dispatcher::agentNameError(const QString& name)
{
    static const QRegularExpression kName(QStringLiteral("^[A-Za-z0-9._-]{1,64}$"));
    return kName.match(name).hasMatch()
               ? QString()
               : QStringLiteral("an agent's name is 1 to 64 letters, digits, '.', '_' or '-', not \"%1\"").arg(name);
}

bool Dispatcher::startAgent(const HostSettings& host, const QString& name, const QStringList& arguments, QString* error)
{
    if (const QString problem = agentNameError(name); !problem.isEmpty())
        return fail(error, problem);
    const auto exports = registryExports(host, error);
    if (!exports)
        return false;
    const QString session = sessionOf(name);
    const QString script = agentFile(name, ".sh");
    QStringList flags = arguments;
    if (host.slurm && !flags.contains(QStringLiteral("--slurm"))) { // Slurm schedules there: runs go to sbatch
        flags << QStringLiteral("--slurm");
        for (const QString& option : host.sbatchOptions)
            flags << QStringLiteral("--sbatch-option=") + option;
    }
    // The agent's own script: the user's setup lines, then only quoted values; exec, so the session's
    // process is the agent (a signal to it reaches the agent, and its runs go with it).
    QString run = QStringLiteral("#!/bin/sh\n") + host.setup.join(u'\n') + u'\n';
    run += QStringLiteral("export JIKKEN_HOST=%1\n").arg(quote(host.alias));
    run += *exports + u'\n';
    run += QStringLiteral("exec >> %1 2>&1\n").arg(quote(agentFile(name, ".log")));
    run += QStringLiteral("exec %1\n")
               .arg(ShellQuote::command(QStringList{host.jikken, QStringLiteral("agent"), QStringLiteral("--name"),
                                                    name, QStringLiteral("--host"), host.alias} +
                                        flags));
    QString lines = QStringLiteral("set -e\n") + SessionScripts::prelude(host);
    lines += QStringLiteral("command -v tmux >/dev/null 2>&1 || { echo %1 >&2; exit 3; }\n")
                 .arg(quote(QStringLiteral("tmux is not installed on %1").arg(host.alias)));
    lines +=
        QStringLiteral("if tmux has-session -t %1 2>/dev/null; then echo %2 >&2; exit %3; fi\n")
            .arg(quote(u'=' + session),
                 quote(QStringLiteral("agent %1 runs on %2 already (tmux session %3)").arg(name, host.alias, session)))
            .arg(kExitAgentRuns);
    lines += QStringLiteral("umask 077\nmkdir -p .jikken/agents\n");
    lines += ShellQuote::hereDocument(script, run);
    lines += QStringLiteral("chmod 700 %1\n").arg(quote(script));
    lines += QStringLiteral("tmux new-session -d -s %1 -c \"$PWD\" \"${SHELL:-/bin/sh}\" -l %2\n")
                 .arg(quote(session), quote(script));
    const RemoteResult started = RemoteShell(host.alias).run(lines);
    return started.ok() || fail(error, started.failure());
}

bool Dispatcher::stopAgent(const HostSettings& host, const QString& name, QString* error)
{
    if (const QString problem = agentNameError(name); !problem.isEmpty())
        return fail(error, problem);
    const QString session = sessionOf(name);
    const RemoteResult stopped =
        RemoteShell(host.alias)
            .run(QStringLiteral("tmux kill-session -t %1 2>/dev/null || { echo %2 >&2; exit %3; }\n")
                     .arg(quote(u'=' + session), quote(QStringLiteral("no agent %1 runs on %2 (no tmux session %3)")
                                                           .arg(name, host.alias, session)))
                     .arg(kExitNoAgent));
    return stopped.ok() || fail(error, stopped.failure());
}

} // namespace jikken
