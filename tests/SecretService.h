#pragma once

// A real Secret Service for the keychain tests: a private D-Bus session bus (dbus-daemon) with
// gnome-keyring-daemon on it, its login keyring unlocked with a throwaway password, all under a
// temporary folder. The test process then talks to it through DBUS_SESSION_BUS_ADDRESS.

#include "RequiredProgram.h"

#include <QDir>
#include <QProcess>
#include <QProcessEnvironment>
#include <QThread>

#include <csignal>

namespace jikken::testing {

class SecretService
{
public:
    bool start(const QString& directory, QString* error)
    {
        for (const auto& [program, package] : {std::pair{"dbus-daemon", "dbus-daemon"},
                                               std::pair{"gnome-keyring-daemon", "gnome-keyring"},
                                               std::pair{"secret-tool", "libsecret-tools"}}) {
            if (requireProgram(QString::fromLatin1(program), QString::fromLatin1(package), error).isEmpty())
                return false;
        }
        QDir().mkpath(directory + QStringLiteral("/data"));
        QDir().mkpath(directory + QStringLiteral("/run"));
        QFile::setPermissions(directory + QStringLiteral("/run"), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        m_environment = QProcessEnvironment::systemEnvironment();
        m_environment.insert(QStringLiteral("HOME"), directory);
        m_environment.insert(QStringLiteral("XDG_DATA_HOME"), directory + QStringLiteral("/data"));
        m_environment.insert(QStringLiteral("XDG_RUNTIME_DIR"), directory + QStringLiteral("/run"));

        m_bus.setProcessEnvironment(m_environment);
        m_bus.start(QStringLiteral("dbus-daemon"),
                    {QStringLiteral("--session"), QStringLiteral("--nofork"), QStringLiteral("--print-address=1")});
        if (!m_bus.waitForReadyRead(10000)) {
            *error = QStringLiteral("dbus-daemon did not start: ") + QString::fromUtf8(m_bus.readAllStandardError());
            return false;
        }
        m_address = QString::fromUtf8(m_bus.readLine()).trimmed();
        m_environment.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), m_address);

        // --unlock reads the login keyring's password on stdin and creates the keyring unlocked.
        m_keyring.setProcessEnvironment(m_environment);
        m_keyring.start(QStringLiteral("gnome-keyring-daemon"),
                        {QStringLiteral("--foreground"), QStringLiteral("--unlock"), QStringLiteral("--components=secrets")});
        if (!m_keyring.waitForStarted(10000)) {
            *error = QStringLiteral("gnome-keyring-daemon did not start: ") + m_keyring.errorString();
            return false;
        }
        m_keyring.write("throwaway-password");
        m_keyring.waitForBytesWritten(5000); // no event loop runs here to write it later
        m_keyring.closeWriteChannel();
        // Ready once a secret can be stored in the default collection (the login keyring, made from the
        // password on stdin, is exported on the bus a moment after its file is written).
        for (int attempt = 0; attempt < 100; ++attempt) {
            QProcess probe;
            probe.setProcessEnvironment(m_environment);
            probe.start(QStringLiteral("secret-tool"), {QStringLiteral("store"), QStringLiteral("--label=probe"),
                                                        QStringLiteral("probe"), QStringLiteral("ready")});
            probe.write("ready");
            probe.closeWriteChannel();
            probe.waitForFinished(5000);
            m_lastProbe = QString::fromUtf8(probe.readAllStandardError());
            if (probe.exitStatus() == QProcess::NormalExit && probe.exitCode() == 0)
                return true;
            QThread::msleep(100);
        }
        *error = QStringLiteral("gnome-keyring-daemon did not offer the Secret Service: %1 %2")
                     .arg(m_lastProbe, QString::fromUtf8(m_keyring.readAllStandardError()));
        return false;
    }

    ~SecretService()
    {
        // GLib's shared session-bus connection (libsecret's, behind QtKeychain) raises SIGTERM in this
        // process when its bus goes away (g_dbus_connection_set_exit_on_close). The test is done with the
        // keychain by now, so that signal is ignored from here on.
        std::signal(SIGTERM, SIG_IGN);
        for (QProcess* process : {&m_keyring, &m_bus}) {
            process->terminate();
            if (!process->waitForFinished(5000))
                process->kill();
        }
    }

    QString address() const { return m_address; }

    /// What `secret-tool lookup ATTRIBUTE VALUE…` finds: the stored secret, read past QtKeychain.
    QString lookup(const QStringList& attributes) const
    {
        QProcess process;
        process.setProcessEnvironment(m_environment);
        process.start(QStringLiteral("secret-tool"), QStringList{QStringLiteral("lookup")} + attributes);
        process.waitForFinished(10000);
        return QString::fromUtf8(process.readAllStandardOutput());
    }

private:
    QProcessEnvironment m_environment;
    QProcess m_bus;
    QProcess m_keyring;
    QString m_address;
    QString m_lastProbe;
};

} // namespace jikken::testing
