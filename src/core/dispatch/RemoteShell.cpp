#include "RemoteShell.h"

#include "ShellQuote.h"

#include "util/PrivateFiles.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QProcess>

#include <unistd.h>

namespace jikken {

namespace {

constexpr int kConnectTimeoutSeconds = 10;
constexpr int kSshFailed = 255; // ssh's own exit status when it could not run the command

QString lastLine(const QByteArray& text)
{
    const QStringList lines = QString::fromUtf8(text).trimmed().split(u'\n');
    return lines.isEmpty() ? QString() : lines.last().trimmed();
}

// ssh's stderr, as one line a person can act on.
QString sshProblem(const QString& host, const QByteArray& err)
{
    const QString text = QString::fromUtf8(err);
    if (text.contains(QLatin1String("Host key verification failed")) ||
        text.contains(QLatin1String("No ED25519 host key is known")) ||
        text.contains(QLatin1String("host key is known")))
        return QStringLiteral("%1: its SSH host key is not known, and Jikken never accepts one silently; check it and "
                              "add it (ssh %1 once in a terminal, or ssh-keyscan into known_hosts)")
            .arg(host);
    if (text.contains(QLatin1String("REMOTE HOST IDENTIFICATION HAS CHANGED")))
        return QStringLiteral("%1: its SSH host key has CHANGED since it was added to known_hosts; refusing to connect")
            .arg(host);
    if (text.contains(QLatin1String("Permission denied")))
        return QStringLiteral("%1: SSH authentication failed (no key or agent that the host accepts): %2")
            .arg(host, lastLine(err));
    if (text.contains(QLatin1String("Could not resolve hostname")))
        return QStringLiteral("%1: unknown host (not in ~/.ssh/config and not resolvable)").arg(host);
    if (text.contains(QLatin1String("Connection refused")) || text.contains(QLatin1String("timed out")) ||
        text.contains(QLatin1String("No route to host")))
        return QStringLiteral("%1: unreachable: %2").arg(host, lastLine(err));
    return QStringLiteral("%1: ssh failed: %2").arg(host, lastLine(err));
}

} // namespace

QString RemoteResult::failure() const
{
    if (!problem.isEmpty())
        return problem;
    const QString said = lastLine(err);
    return said.isEmpty() ? QStringLiteral("exit status %1").arg(exitCode) : said;
}

RemoteShell::RemoteShell(QString host) : m_host(std::move(host)) {}

bool RemoteShell::isLocal(const QString& host)
{
    return host == QLatin1String("localhost");
}

QStringList RemoteShell::configOption()
{
    const QString config = qEnvironmentVariable("JIKKEN_SSH_CONFIG");
    return config.isEmpty() ? QStringList() : QStringList{QStringLiteral("-F"), config};
}

QStringList RemoteShell::safetyOptions()
{
    // Never a prompt, never an unknown host key accepted, never a hang on a host that does not answer.
    return configOption() << QStringLiteral("-o") << QStringLiteral("BatchMode=yes") << QStringLiteral("-o")
                          << QStringLiteral("StrictHostKeyChecking=yes") << QStringLiteral("-o")
                          << QStringLiteral("ConnectTimeout=%1").arg(kConnectTimeoutSeconds);
}

QString RemoteShell::controlFolder()
{
    // The runtime folder (/run/user/UID) is the user's already; the temp folder is everyone's, so the
    // sockets go one level down, in a folder made 700 and checked: ours, a real folder, closed to others.
    QString base = qEnvironmentVariable("XDG_RUNTIME_DIR");
    if (base.isEmpty())
        base = QDir::tempPath();
    const QString folder = base + QStringLiteral("/jikken-ssh-%1").arg(::getuid());
    if (!PrivateFiles::makeFolder(folder, nullptr))
        return {};
    const QFileInfo info(folder);
    const auto others = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup |
                        QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
    if (info.isSymLink() || !info.isDir() || info.ownerId() != ::getuid() || (info.permissions() & others))
        return {};
    return folder;
}

QStringList RemoteShell::sshOptions() const
{
    QStringList options = safetyOptions();
    // One master connection per host alias, kept a minute: the next command needs no new handshake. The
    // socket lives in a folder of this user's alone; %C hashes address, port and user, and the alias is in
    // the name too, so an alias never rides a connection another alias (with other known_hosts) opened to
    // the same address. Without such a folder, no shared connection: a socket another user could have
    // made must never carry our commands.
    const QString sockets = controlFolder();
    if (sockets.isEmpty())
        return options << QStringLiteral("-o") << QStringLiteral("ControlMaster=no") << QStringLiteral("-o")
                       << QStringLiteral("ControlPath=none");
    options << QStringLiteral("-o") << QStringLiteral("ControlMaster=auto") << QStringLiteral("-o")
            << QStringLiteral("ControlPath=%1/jikken-ssh-%2-%C")
                   .arg(sockets,
                        QString::fromLatin1(
                            QCryptographicHash::hash(m_host.toUtf8(), QCryptographicHash::Sha1).toHex().left(8)))
            << QStringLiteral("-o") << QStringLiteral("ControlPersist=60");
    return options;
}

void RemoteShell::start(QProcess& process, const QString& script) const
{
    if (isLocal(m_host)) {
        process.setWorkingDirectory(QDir::homePath()); // as an ssh login would start
        process.start(QStringLiteral("sh"), {QStringLiteral("-s")});
    } else {
        // "--" ends the options: a host alias cannot be taken for one.
        process.start(QStringLiteral("ssh"), sshOptions() << QStringLiteral("--") << m_host << QStringLiteral("sh -s"));
    }
    process.write(script.toUtf8());
    process.closeWriteChannel();
}

QStringList RemoteShell::reverseForwardArguments(const QString& spec) const
{
    return safetyOptions() << QStringLiteral("-v") << QStringLiteral("-N") << QStringLiteral("-o")
                           << QStringLiteral("ControlPath=none") << QStringLiteral("-o")
                           << QStringLiteral("ExitOnForwardFailure=yes") << QStringLiteral("-o")
                           << QStringLiteral("ServerAliveInterval=15") << QStringLiteral("-o")
                           << QStringLiteral("ServerAliveCountMax=3") << QStringLiteral("-R") << spec
                           << QStringLiteral("--") << m_host;
}

void RemoteShell::startCommand(QProcess& process, const QStringList& command) const
{
    if (isLocal(m_host)) {
        process.setWorkingDirectory(QDir::homePath());
        process.start(command.first(), command.mid(1));
    } else {
        process.start(QStringLiteral("ssh"), sshOptions()
                                                 << QStringLiteral("--") << m_host << ShellQuote::command(command));
    }
}

RemoteResult RemoteShell::collect(QProcess& process, bool finished) const
{
    RemoteResult result;
    if (!finished) {
        process.kill();
        process.waitForFinished(2000);
        result.problem = QStringLiteral("%1: no answer in time").arg(m_host);
        return result;
    }
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    if (process.exitStatus() != QProcess::NormalExit || process.error() == QProcess::FailedToStart) {
        result.problem = QStringLiteral("%1: %2").arg(m_host, process.errorString());
        return result;
    }
    result.exitCode = process.exitCode();
    if (!isLocal(m_host) && result.exitCode == kSshFailed)
        result.problem = sshProblem(m_host, result.err);
    return result;
}

RemoteResult RemoteShell::run(const QString& script, int timeoutMs) const
{
    QProcess process;
    start(process, script);
    if (!process.waitForStarted(timeoutMs)) {
        RemoteResult result;
        result.problem =
            QStringLiteral("%1: cannot start %2: %3")
                .arg(m_host, isLocal(m_host) ? QStringLiteral("sh") : QStringLiteral("ssh"), process.errorString());
        return result;
    }
    return collect(process, process.waitForFinished(timeoutMs));
}

QStringList RemoteShell::interactiveCommand(const QStringList& remoteCommand) const
{
    if (isLocal(m_host))
        return remoteCommand;
    QStringList command = QStringList{QStringLiteral("ssh")} + configOption();
    // ssh joins the remote words with spaces for the remote shell: each is quoted first.
    command << QStringLiteral("-t") << QStringLiteral("--") << m_host << ShellQuote::command(remoteCommand);
    return command;
}

} // namespace jikken
