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
    m_ssh.setProcessChannelMode(QProcess::MergedChannels); // -N: all it says is its log
    m_retry.setSingleShot(true);
    m_retry.setInterval(kRetryMs);
    connect(&m_retry, &QTimer::timeout, this, [this] { launch(); });
    connect(&m_ssh, &QProcess::readyRead, this, [this] { onOutput(); });
    connect(&m_ssh, &QProcess::finished, this, [this] { onFinished(); });
}

RegistryTunnel::~RegistryTunnel()
{
    close();
}

void RegistryTunnel::launch()
{
    if (m_ssh.state() != QProcess::NotRunning)
        return;
    m_log.clear();
    m_closing = false;
    const RemoteShell shell(m_host);
    m_ssh.start(
        QStringLiteral("ssh"),
        shell.reverseForwardArguments(QStringLiteral("127.0.0.1:%1:127.0.0.1:%2").arg(m_remotePort).arg(m_localPort)));
}

void RegistryTunnel::onOutput()
{
    m_log += m_ssh.readAll();
    // ssh -v logs "remote forward success for: listen 127.0.0.1:PORT" once the host listens.
    if (m_open || !m_log.contains("remote forward success"))
        return;
    m_open = true;
    m_log.clear(); // keep-alive chatter from here on; only what follows a drop matters
    if (m_wasOpen && m_reopened)
        m_reopened();
    m_wasOpen = true;
}

RegistryTunnel::Opening RegistryTunnel::open(int timeoutMs, QString* error, const std::function<bool()>& abandoned)
{
    if (m_open)
        return Opening::Open;
    launch();
    const QDeadlineTimer deadline(timeoutMs);
    bool given = false;
    while (!m_open && !deadline.hasExpired() && m_ssh.state() != QProcess::NotRunning &&
           !(given = abandoned && abandoned()))
        m_ssh.waitForReadyRead(static_cast<int>(qMin<qint64>(deadline.remainingTime(), 200)));
    if (m_open) {
        m_keep = true;
        return Opening::Open;
    }
    m_closing = true; // a failed open is the caller's to report, not a drop to retry
    m_ssh.kill();
    m_ssh.waitForFinished(2000);
    m_log += m_ssh.readAll();
    if (given) {
        *error = QStringLiteral("%1: the tunnel to the registry was given up while opening").arg(m_host);
        return Opening::Failed;
    }
    // ssh has no exit status of its own for a refused forward (255, as for any failure): its log says.
    if (m_log.contains("remote port forwarding failed")) {
        *error = QStringLiteral("%1: port %2 is taken there").arg(m_host).arg(m_remotePort);
        return Opening::PortTaken;
    }
    *error = QStringLiteral("%1: the tunnel to the registry did not open: %2").arg(m_host, sshProblem(m_log));
    return Opening::Failed;
}

void RegistryTunnel::start()
{
    m_keep = true;
    launch();
}

void RegistryTunnel::onFinished()
{
    m_log += m_ssh.readAll();
    const bool wasOpen = m_open;
    m_open = false;
    if (m_closing || !m_keep)
        return;
    if (wasOpen && m_dropped)
        m_dropped(QStringLiteral("%1: the tunnel to the registry dropped: %2").arg(m_host, sshProblem(m_log)));
    m_retry.start(); // a drop, or a try that did not open: again in a moment, never blocking
}

void RegistryTunnel::close()
{
    m_keep = false;
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
