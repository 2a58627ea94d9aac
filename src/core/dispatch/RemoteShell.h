#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

class QProcess;

namespace jikken {

/// What a script run on a host gave back.
struct RemoteResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QString problem; ///< empty when the script ran (whatever its exit code); else one line saying why not
    bool ok() const { return problem.isEmpty() && exitCode == 0; }
    /// `problem`, or the script's own last line of stderr when it failed.
    QString failure() const;
};

/// Runs shell scripts on a host the way the user would: through the system `ssh` (so ~/.ssh/config,
/// agents, keys and ProxyJump work as in a terminal), or with `sh` right here for `localhost`. A script
/// travels on ssh's standard input to `sh -s` on the host, so no text of it is ever parsed by the remote
/// login shell; what a script says about user input is quoted by `ShellQuote`.
///
/// ssh runs with BatchMode (never a prompt), StrictHostKeyChecking=yes (an unknown host key is an
/// error that says how to add it, never accepted silently), and a shared master connection per host
/// (ControlPersist), so the second command to a host skips the handshake. `JIKKEN_SSH_CONFIG` names an
/// ssh config file to use instead of ~/.ssh/config.
class RemoteShell
{
public:
    explicit RemoteShell(QString host);

    static bool isLocal(const QString& host);
    const QString& host() const { return m_host; }

    /// Starts `script` on the host in `process` (not yet started); for running many hosts at once.
    void start(QProcess& process, const QString& script) const;
    /// Starts one command on the host with its standard input left open for the caller (a stream for
    /// `tar -x`); its words are quoted for the remote shell.
    void startCommand(QProcess& process, const QStringList& command) const;
    /// ssh's arguments for a connection of its own that only forwards a port of the host back here
    /// (`-N -R SPEC`): no shared master (a forward must not end with a master's idle time), keep-alives so a
    /// dead link is noticed within a minute, and `-v`, whose log says when the host listens.
    QStringList reverseForwardArguments(const QString& spec) const;
    /// Runs `script` and waits at most `timeoutMs`.
    RemoteResult run(const QString& script, int timeoutMs = 30000) const;
    /// Collects a finished (or timed-out) process started by `start`.
    RemoteResult collect(QProcess& process, bool finished) const;

    /// The command that opens an interactive terminal on the host running `remoteCommand` (ssh -t …).
    QStringList interactiveCommand(const QStringList& remoteCommand) const;
    /// The folder for ssh's shared-connection sockets: `jikken-ssh-UID` in the runtime (or temp) folder,
    /// made 700; empty when it cannot be made or is not this user's alone (then ssh shares no connection).
    static QString controlFolder();

private:
    /// `-F FILE` when JIKKEN_SSH_CONFIG names an ssh config to use instead of ~/.ssh/config.
    static QStringList configOption();
    /// `-F` (when set), BatchMode, StrictHostKeyChecking and a connect timeout: every ssh Jikken starts.
    static QStringList safetyOptions();
    QStringList sshOptions() const;

    QString m_host;
};

} // namespace jikken
