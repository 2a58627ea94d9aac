#pragma once

#include <QByteArray>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QTimer>

#include <functional>

namespace jikken {

/// A reverse SSH tunnel through which a host's companions reach a registry service on this computer:
/// `ssh -N -R 127.0.0.1:REMOTE:127.0.0.1:LOCAL HOST`, both ends on loopback. Once wanted, it is opened
/// again every few seconds whenever it drops or cannot open, without blocking the caller, until
/// `close()`; meanwhile the companions journal their reports and deliver them once it is back
/// (`JournalingRegistryClient`).
class RegistryTunnel : public QObject // no signals of its own: the core is built without moc
{
public:
    RegistryTunnel(QString host, quint16 localPort, quint16 remotePort, QObject* parent = nullptr);
    ~RegistryTunnel() override;

    enum class Opening {
        Open,
        PortTaken, ///< the host has the remote port in use: another port may do
        Failed,    ///< the host is unreachable or refused us: another port will not help
    };
    /// Opens the tunnel and waits until the host listens on the remote port (at dispatch, which needs it
    /// now). When it cannot, one line in `error`, and it is not kept trying. `abandoned`, looked at a few
    /// times a second, stops the wait early (the app is closing): `Failed`.
    Opening open(int timeoutMs, QString* error, const std::function<bool()>& abandoned = {});
    /// Opens the tunnel in the background and keeps it open (after the app restarts, for runs still going).
    void start();
    bool isOpen() const { return m_open; }
    void close();

    const QString& host() const { return m_host; }
    quint16 remotePort() const { return m_remotePort; }
    /// The registry as the host's companions see it.
    QString remoteUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_remotePort); }
    /// The ssh process (a test cuts it to see the tunnel come back).
    QProcess& process() { return m_ssh; }

    /// Told when the link drops (with ssh's reason) and when it is open again.
    void onDropped(std::function<void(const QString& why)> heard) { m_dropped = std::move(heard); }
    void onReopened(std::function<void()> heard) { m_reopened = std::move(heard); }

private:
    void launch();
    void onOutput();
    void onFinished();

    QString m_host;
    quint16 m_localPort;
    quint16 m_remotePort;
    QProcess m_ssh;
    QByteArray m_log; ///< what ssh said since it started
    QTimer m_retry;
    bool m_open = false;
    bool m_keep = false;    ///< wanted open: reopened after a drop or a failed try
    bool m_closing = false; ///< the process ends because we end it
    bool m_wasOpen = false; ///< opened once: the next opening is a reopening
    std::function<void(const QString&)> m_dropped;
    std::function<void()> m_reopened;
};

} // namespace jikken
