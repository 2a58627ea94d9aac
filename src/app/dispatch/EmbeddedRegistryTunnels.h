#pragma once

#include "dispatch/Dispatcher.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <map>
#include <memory>

namespace jikken {

class RegistryServer;
class RegistryTunnel;

/// Lets companions on other hosts reach the app's embedded registry (a SQLite file on this computer):
/// the registry service runs inside the app on loopback, and each host gets a reverse SSH tunnel to it,
/// opened at the first dispatch there and reopened whenever it drops. The companions' write token and
/// each host's port are kept in `~/.config/jikken/tunnels.json` (readable by the user only), so after the
/// app restarts the same address serves the runs still going, which deliver what they journaled meanwhile.
class EmbeddedRegistryTunnels : public QObject
{
    Q_OBJECT

public:
    EmbeddedRegistryTunnels(QString database, QObject* parent = nullptr);
    ~EmbeddedRegistryTunnels() override;

    /// The registry as `host`'s companions reach it, once its tunnel is open. Safe to call from any thread
    /// (dispatch runs on worker threads); the tunnels live on this object's thread.
    std::optional<Dispatcher::Route> route(const QString& host, QString* error);
    /// Reopens, in the background, the tunnels of these hosts where one was open before (the app
    /// restarted while runs went on there): their companions then deliver what they journaled meanwhile.
    void resume(const QStringList& hosts);
    /// The tunnel to `host`, if one was opened (a test cuts it).
    RegistryTunnel* tunnel(const QString& host) const;
    static QString settingsPath();

Q_SIGNALS:
    /// A tunnel dropped or came back: a line for the status bar.
    void news(const QString& line);

private:
    std::optional<Dispatcher::Route> routeHere(const QString& host, QString* error);
    bool startService(QString* error);
    void loadSettings();
    bool checkOrMakeToken(QString* error);
    RegistryTunnel* addTunnel(const QString& host, quint16 port);
    bool saveSettings(QString* error) const;

    QString m_database;
    std::unique_ptr<RegistryServer> m_server;
    QString m_token;
    std::map<QString, quint16> m_ports; ///< host -> its remote port, kept across restarts
    std::map<QString, std::unique_ptr<RegistryTunnel>> m_tunnels;
};

} // namespace jikken
