#pragma once

#include <QObject>
#include <QProcess>
#include <QString>
#include <QTimer>

#include <functional>

namespace jikken {

/// A reverse SSH tunnel through which a host's companions reach a registry service on this computer:
/// `ssh -N -R 127.0.0.1:REMOTE:127.0.0.1:LOCAL HOST`, both ends on loopback. When the link drops it is
/// opened again every few seconds until `close()`; meanwhile the companions journal their reports and
/// deliver them once it is back (`JournalingRegistryClient`).
class RegistryTunnel : public QObject // no signals of its own: the core is built without moc
{
public:
    RegistryTunnel(QString host, quint16 localPort, quint16 remotePort, QObject* parent = nullptr);
    ~RegistryTunnel() override;

    /// Opens the tunnel and waits until the host listens on the remote port. False and one line in
    /// `error` when it cannot (the host unreachable, the port taken there).
    bool open(int timeoutMs, QString* error);
    bool isOpen() const { return m_open; }
    void close();

    const QString& host() const { return m_host; }
    quint16 remotePort() const { return m_remotePort; }
    /// The registry as the host's companions see it.
    QString remoteUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_remotePort); }
    /// The ssh process (a test cuts it to see the tunnel come back).
    QProcess& process() { return m_ssh; }

    /// Told when the link drops (with ssh's reason) and when it is back.
    void onDropped(std::function<void(const QString& why)> heard) { m_dropped = std::move(heard); }
    void onReopened(std::function<void()> heard) { m_reopened = std::move(heard); }

private:
    void onFinished();

    QString m_host;
    quint16 m_localPort;
    quint16 m_remotePort;
    QProcess m_ssh;
    QTimer m_retry;
    bool m_open = false;
    bool m_closing = false;
    std::function<void(const QString&)> m_dropped;
    std::function<void()> m_reopened;
};

} // namespace jikken
