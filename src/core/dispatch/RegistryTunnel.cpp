#include "RegistryTunnel.h"

#include "RemoteShell.h"

#include <QDeadlineTimer>

namespace jikken {

namespace {

constexpr int kRetryMs = 3000;

// The last line of ssh's log that says what went wrong, without its "debug1:" chatter.
QString sshProblem(const QByteArray& log)
{
    const QList<QByteArray> lines = log.trimmed().split('\n');
    for (auto it = lines.crbegin(); it != lines.crend(); ++it) {
        const QByteArray line = it->trimmed();
        if (!line.isEmpty() && !line.startsWith("debug") && !line.startsWith("OpenSSH") &&
            !line.startsWith("Transferred") && !line.startsWith("Authenticated"))
            return QString::fromLocal8Bit(line);
    }
    return QStringLiteral("ssh ended");
}

} // namespace

RegistryTunnel::RegistryTunnel(QString host, quint16 localPort, quint16 remotePort, QObject* parent)
    : QObject(parent), m_host(std::move(host)), m_localPort(localPort), m_remotePort(remotePort)
{
    m_retry.setSingleShot(true);
    m_retry.setInterval(kRetryMs);
    connect(&m_retry, &QTimer::timeout, this, [this] {
        QString error;
        if (open(30000, &error)) {
            if (m_reopened)
                m_reopened();
        } else {
            m_retry.start();
        }
    });
    connect(&m_ssh, &QProcess::finished, this, [this] { onFinished(); });
}

RegistryTunnel::~RegistryTunnel()
{
    close();
}

bool RegistryTunnel::open(int timeoutMs, QString* error)
{
    if (m_ssh.state() != QProcess::NotRunning)
        return m_open;
    m_open = false;
    m_closing = false;
    const RemoteShell shell(m_host);
    m_ssh.start(
        QStringLiteral("ssh"),
        shell.reverseForwardArguments(QStringLiteral("127.0.0.1:%1:127.0.0.1:%2").arg(m_remotePort).arg(m_localPort)));
    // ssh -v logs "remote forward success for: listen 127.0.0.1:PORT" once the host listens.
    QByteArray log;
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired() && m_ssh.state() != QProcess::NotRunning) {
        m_ssh.waitForReadyRead(static_cast<int>(qMin<qint64>(deadline.remainingTime(), 200)));
        log += m_ssh.readAllStandardError();
        if (log.contains("remote forward success")) {
            m_open = true;
            return true;
        }
    }
    log += m_ssh.readAllStandardError();
    m_closing = true; // a failed open is not a drop to retry from here
    m_ssh.kill();
    m_ssh.waitForFinished(2000);
    *error = log.contains("remote port forwarding failed")
                 ? QStringLiteral("%1: port %2 is taken there").arg(m_host).arg(m_remotePort)
                 : QStringLiteral("%1: the tunnel to the registry did not open: %2").arg(m_host, sshProblem(log));
    return false;
}

void RegistryTunnel::onFinished()
{
    const bool wasOpen = m_open;
    m_open = false;
    if (m_closing || !wasOpen)
        return;
    if (m_dropped)
        m_dropped(QStringLiteral("%1: the tunnel to the registry dropped: %2")
                      .arg(m_host, sshProblem(m_ssh.readAllStandardError())));
    m_retry.start();
}

void RegistryTunnel::close()
{
    m_closing = true;
    m_retry.stop();
    if (m_ssh.state() != QProcess::NotRunning) {
        m_ssh.terminate();
        if (!m_ssh.waitForFinished(2000))
            m_ssh.kill();
        m_ssh.waitForFinished(2000);
    }
    m_open = false;
}

} // namespace jikken
