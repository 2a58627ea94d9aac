#pragma once

#include "dispatch/Dispatcher.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

class QThread;

namespace jikken {

/// Lets companions on other hosts reach the app's embedded registry (a SQLite file on this computer):
/// the registry service runs inside the app on loopback, and each host gets a reverse SSH tunnel to it,
/// opened at the first dispatch there and reopened whenever it drops. The companions' write token and
/// each host's port are kept in `~/.config/jikken/tunnels.json` (readable by the user only), so after the
/// app restarts the same address serves the runs still going, which deliver what they journaled meanwhile.
///
/// The service and the tunnels live on a thread of their own: opening a tunnel waits for ssh to log in
/// (seconds over a slow link, and again for each port tried), and the service answers every report the
/// companions send; neither may hold up the window.
class EmbeddedRegistryTunnels : public QObject
{
    Q_OBJECT

public:
    EmbeddedRegistryTunnels(QString database, QObject* parent = nullptr);
    ~EmbeddedRegistryTunnels() override;

    /// For a dispatcher: the registry as a host's companions reach it, once its tunnel is open. It waits
    /// for that, so call it from a worker thread (dispatch runs on one); called after these tunnels are
    /// gone, it says they were closed (their destructor waits for a route under way).
    Dispatcher::Router router() const;
    /// Reopens, in the background, the tunnels of these hosts where one was open before (the app
    /// restarted while runs went on there): their companions then deliver what they journaled meanwhile.
    void resume(const QStringList& hosts);

    struct TunnelState
    {
        bool open = false;
        quint16 remotePort = 0;
    };
    /// The tunnel to `host`, if one was made (for tests, as every accessor below).
    std::optional<TunnelState> tunnel(const QString& host) const;
    /// Cuts the tunnel to `host` as a dropped link would.
    void cut(const QString& host);
    /// The thread the service and the tunnels live on.
    QThread* serviceThread() const { return m_thread; }
    static QString settingsPath();

Q_SIGNALS:
    /// A tunnel dropped or came back: a line for the status bar.
    void news(const QString& line);

private:
    class Host;
    struct Gate;
    QThread* m_thread;
    Host* m_host;                 ///< lives on m_thread
    std::shared_ptr<Gate> m_gate; ///< the way to m_host from worker threads, closed before it goes
};

} // namespace jikken
