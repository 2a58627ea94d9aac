#pragma once

// A real OpenSSH server for the dispatch tests: Debian's sshd on a free loopback port with throwaway host
// and client keys, and a client ssh config that names it (`JIKKEN_SSH_CONFIG`). Two aliases reach it:
// one whose known_hosts holds its key, and one whose known_hosts is empty (an unknown host key).

#include "RequiredProgram.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <csignal>

namespace jikken::testing {

class SshServer
{
public:
    /// Starts sshd in `directory`; `known` (aliases whose known_hosts hold its key) and `stranger` become
    /// aliases of the client config.
    bool start(const QString& directory, const QStringList& known, const QString& stranger, QString* error,
               const QString& user = QStringLiteral("root"))
    {
        m_dir = directory;
        if (requireProgram(QStringLiteral("sshd"), QStringLiteral("openssh-server"), error).isEmpty() ||
            requireProgram(QStringLiteral("ssh"), QStringLiteral("openssh-client"), error).isEmpty() ||
            requireProgram(QStringLiteral("tmux"), QStringLiteral("tmux"), error).isEmpty())
            return false;
        QDir().mkpath(directory);
        QDir().mkpath(QStringLiteral("/run/sshd")); // privilege separation needs it
        for (const char* key : {"hostkey", "clientkey"}) {
            if (!run(QStringLiteral("ssh-keygen"),
                     {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("ed25519"), QStringLiteral("-N"),
                      QString(), QStringLiteral("-f"), path(key)},
                     error))
                return false;
        }
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        m_port = probe.serverPort();
        probe.close();
        write("sshd_config", QStringLiteral("Port %1\nListenAddress 127.0.0.1\nHostKey %2\nAuthorizedKeysFile %3\n"
                                            "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                                            "PermitRootLogin prohibit-password\nPidFile %4\nUsePAM no\nStrictModes no\n"
                                            "MaxSessions 50\nMaxStartups 50:30:100\n")
                                 .arg(m_port)
                                 .arg(path("hostkey"), path("clientkey.pub"), path("sshd.pid")));
        QFile hostKey(path("hostkey.pub"));
        hostKey.open(QIODevice::ReadOnly);
        const QByteArray key = hostKey.readAll().split(' ').mid(0, 2).join(' ');
        write("known_hosts", QStringLiteral("[127.0.0.1]:%1 %2\n").arg(m_port).arg(QString::fromLatin1(key)));
        write("empty_known_hosts", QString());
        const QString common = QStringLiteral("  HostName 127.0.0.1\n  Port %1\n  User %2\n  IdentityFile %3\n"
                                              "  IdentitiesOnly yes\n")
                                   .arg(m_port)
                                   .arg(user, path("clientkey"));
        QString config;
        for (const QString& alias : known)
            config += QStringLiteral("Host %1\n%2  UserKnownHostsFile %3\n\n").arg(alias, common, path("known_hosts"));
        config +=
            QStringLiteral("Host %1\n%2  UserKnownHostsFile %3\n").arg(stranger, common, path("empty_known_hosts"));
        write("ssh_config", config);
        if (!run(QStringLiteral("/usr/sbin/sshd"),
                 {QStringLiteral("-f"), path("sshd_config"), QStringLiteral("-E"), path("sshd.log")}, error))
            return false;
        // Up once it accepts connections.
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 10000) {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, m_port);
            if (socket.waitForConnected(200))
                return true;
            QThread::msleep(50);
        }
        *error = QStringLiteral("sshd did not listen on %1").arg(m_port);
        return false;
    }

    ~SshServer()
    {
        QFile pid(path("sshd.pid"));
        if (pid.open(QIODevice::ReadOnly)) {
            const int process = pid.readAll().trimmed().toInt();
            if (process > 0)
                ::kill(process, SIGTERM);
        }
    }

    QString configPath() const { return path("ssh_config"); }
    quint16 port() const { return m_port; }

private:
    QString path(const char* name) const { return QDir(m_dir).filePath(QString::fromLatin1(name)); }

    void write(const char* name, const QString& text) const
    {
        QFile file(path(name));
        file.open(QIODevice::WriteOnly);
        file.write(text.toUtf8());
    }

    static bool run(const QString& program, const QStringList& arguments, QString* error)
    {
        QProcess process;
        process.start(program, arguments);
        if (!process.waitForFinished(30000) || process.exitCode() != 0) {
            *error = QStringLiteral("%1 failed: %2%3")
                         .arg(program, process.errorString(), QString::fromUtf8(process.readAllStandardError()));
            return false;
        }
        return true;
    }

    QString m_dir;
    quint16 m_port = 0;
};

} // namespace jikken::testing
