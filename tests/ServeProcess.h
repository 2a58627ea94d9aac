#pragma once

// `jikken serve` as a child process for the tests: started on a registry database with a write token made
// by `jikken token create`, on a free loopback port (or a given one, to restart it in place).

#include "JikkenProcess.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QTcpServer>
#include <QThread>

#include <csignal>

namespace jikken::testing {

class ServeProcess
{
public:
    ServeProcess(const JikkenProcess& jikken, QString database) : m_jikken(jikken), m_database(std::move(database)) {}
    ~ServeProcess() { stop(SIGTERM); }

    QString makeToken(const QString& name, bool readOnly = false) const
    {
        QStringList arguments{QStringLiteral("--registry"), m_database,
                              QStringLiteral("token"),      QStringLiteral("create"),
                              QStringLiteral("--name"),     name};
        if (readOnly)
            arguments << QStringLiteral("--read-only");
        const Result result = m_jikken.run(arguments);
        return result.exitCode == 0 ? result.out.trimmed() : QString();
    }

    /// Starts the service; `port` 0 picks a free one the first time and keeps it for restarts.
    bool start(QString* error, const QStringList& extra = {})
    {
        if (m_port == 0) {
            QTcpServer probe;
            probe.listen(QHostAddress::LocalHost, 0);
            m_port = probe.serverPort();
        }
        m_process = std::make_unique<QProcess>();
        m_jikken.start(*m_process, QStringList{QStringLiteral("serve"), QStringLiteral("--db"), m_database,
                                               QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(m_port)} +
                                       extra);
        // Up once it says where it listens.
        QElapsedTimer timer;
        timer.start();
        while (!m_process->canReadLine() && m_process->state() != QProcess::NotRunning && timer.elapsed() < 30000)
            m_process->waitForReadyRead(100);
        const QString line = QString::fromUtf8(m_process->readLine());
        if (!line.contains(QStringLiteral("http://"))) {
            m_process->waitForFinished(1000);
            *error = QStringLiteral("jikken serve did not start: ") + line +
                     QString::fromUtf8(m_process->readAllStandardError());
            return false;
        }
        return true;
    }

    void stop(int signal)
    {
        if (!m_process || m_process->state() == QProcess::NotRunning)
            return;
        ::kill(static_cast<pid_t>(m_process->processId()), signal);
        m_process->waitForFinished(10000);
    }

    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }
    QProcess* process() { return m_process.get(); }

private:
    const JikkenProcess& m_jikken;
    QString m_database;
    quint16 m_port = 0;
    std::unique_ptr<QProcess> m_process;
};

} // namespace jikken::testing
