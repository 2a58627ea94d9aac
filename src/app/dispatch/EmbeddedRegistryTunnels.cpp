#include "EmbeddedRegistryTunnels.h"

#include "RegistryServer.h"
#include "dispatch/RegistryTunnel.h"
#include "registry/AccessTokens.h"
#include "util/PrivateFiles.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QStandardPaths>
#include <QThread>

#include <atomic>
#include <map>
#include <memory>

namespace jikken {

namespace {

constexpr int kOpenTimeoutMs = 20000;
constexpr int kPortTries = 8;

// A port on the host that another user's app is unlikely to hold: from this user and host's names.
quint16 firstPortFor(const QString& host)
{
    const QByteArray seed = (qEnvironmentVariable("USER") + u'@' + host).toUtf8();
    const QByteArray hash = QCryptographicHash::hash(seed, QCryptographicHash::Sha1);
    return static_cast<quint16>(20000 + (static_cast<quint8>(hash[0]) << 8 | static_cast<quint8>(hash[1])) % 20000);
}

// Runs `work` on `object`'s thread and waits for it (the caller is on another thread).
template <typename Work> void waitFor(QObject* object, Work work)
{
    QMetaObject::invokeMethod(object, std::move(work), Qt::BlockingQueuedConnection);
}

} // namespace

/// The service and the tunnels, on the service thread: everything here runs there.
class EmbeddedRegistryTunnels::Host : public QObject // no signals: news goes out through `m_news`
{
public:
    /// `closing` is set (on another thread) when the app closes: an opening under way stops.
    Host(QString database, std::function<void(const QString&)> news, const std::atomic<bool>* closing)
        : m_database(std::move(database)), m_news(std::move(news)), m_closing(closing)
    {
        loadSettings();
    }

    std::optional<Dispatcher::Route> route(const QString& host, QString* error);
    void resume(const QStringList& hosts);
    RegistryTunnel* tunnel(const QString& host) const
    {
        const auto it = m_tunnels.find(host);
        return it == m_tunnels.end() ? nullptr : it->second.get();
    }

private:
    bool startService(QString* error);
    void loadSettings();
    bool checkOrMakeToken(QString* error);
    /// Opens a tunnel to `host`, trying the next ports while the host has one taken.
    RegistryTunnel* openTunnel(const QString& host, QString* error);
    RegistryTunnel* addTunnel(const QString& host, quint16 port);
    bool saveSettings(QString* error) const;

    QString m_database;
    std::function<void(const QString&)> m_news;
    const std::atomic<bool>* m_closing;
    std::unique_ptr<RegistryServer> m_server;
    QString m_token;
    std::map<QString, quint16> m_ports; ///< host -> its remote port, kept across restarts
    std::map<QString, std::unique_ptr<RegistryTunnel>> m_tunnels;
};

struct EmbeddedRegistryTunnels::Gate
{
    QMutex mutex; ///< held while a route is asked of the host, and to close the gate
    Host* host = nullptr;
    std::atomic<bool> closing = false; ///< set before the gate closes: a route under way gives up

    std::optional<Dispatcher::Route> route(const QString& name, QString* error)
    {
        const QMutexLocker locked(&mutex);
        if (!host) {
            *error = tr("the registry's tunnels were closed");
            return std::nullopt;
        }
        Q_ASSERT(QThread::currentThread() != host->thread());
        std::optional<Dispatcher::Route> route;
        waitFor(host, [&] { route = host->route(name, error); });
        return route;
    }
};

EmbeddedRegistryTunnels::EmbeddedRegistryTunnels(QString database, QObject* parent)
    : QObject(parent), m_thread(new QThread(this)), m_gate(std::make_shared<Gate>())
{
    auto tell = [this](const QString& line) {
        QMetaObject::invokeMethod(
            this, [this, line] { Q_EMIT this->news(line); }, Qt::QueuedConnection);
    };
    m_host = new Host(QFileInfo(database).absoluteFilePath(), std::move(tell), &m_gate->closing);
    m_host->moveToThread(m_thread);
    m_gate->host = m_host;
    m_thread->setObjectName(QStringLiteral("registry tunnels"));
    m_thread->start();
}

EmbeddedRegistryTunnels::~EmbeddedRegistryTunnels()
{
    m_gate->closing = true; // a route under way stops opening its tunnel (an ssh login takes up to 20 s)
    {
        const QMutexLocker locked(&m_gate->mutex); // and is answered first
        m_gate->host = nullptr;
    }
    // The service and the tunnels end on their thread (ssh is stopped, the port closed), then the thread.
    waitFor(m_host, [host = m_host] { delete host; });
    m_thread->quit();
    m_thread->wait();
}

Dispatcher::Router EmbeddedRegistryTunnels::router() const
{
    return [gate = m_gate](const QString& host, QString* error) { return gate->route(host, error); };
}

void EmbeddedRegistryTunnels::resume(const QStringList& hosts)
{
    QMetaObject::invokeMethod(
        m_host, [host = m_host, hosts] { host->resume(hosts); }, Qt::QueuedConnection);
}

std::optional<EmbeddedRegistryTunnels::TunnelState> EmbeddedRegistryTunnels::tunnel(const QString& host) const
{
    std::optional<TunnelState> state;
    waitFor(m_host, [&] {
        if (const RegistryTunnel* tunnel = m_host->tunnel(host))
            state = TunnelState{tunnel->isOpen(), tunnel->remotePort()};
    });
    return state;
}

void EmbeddedRegistryTunnels::cut(const QString& host)
{
    waitFor(m_host, [&] {
        if (RegistryTunnel* tunnel = m_host->tunnel(host))
            tunnel->process().kill();
    });
}

QString EmbeddedRegistryTunnels::settingsPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           QStringLiteral("/jikken/tunnels.json");
}

void EmbeddedRegistryTunnels::Host::loadSettings()
{
    QFile file(settingsPath());
    if (!file.open(QIODevice::ReadOnly))
        return;
    const QJsonObject settings = QJsonDocument::fromJson(file.readAll()).object();
    const QJsonObject ports = settings.value(QStringLiteral("ports")).toObject();
    for (auto it = ports.begin(); it != ports.end(); ++it)
        m_ports[it.key()] = static_cast<quint16>(it.value().toInt());
    m_token = settings.value(QStringLiteral("token")).toString();
}

void EmbeddedRegistryTunnels::Host::resume(const QStringList& hosts)
{
    QString error;
    for (const QString& host : hosts) {
        if (tunnel(host) || !m_ports.count(host))
            continue;
        if (!startService(&error)) {
            m_news(error);
            return;
        }
        addTunnel(host, m_ports[host])->start();
    }
}

RegistryTunnel* EmbeddedRegistryTunnels::Host::addTunnel(const QString& host, quint16 port)
{
    auto tunnel = std::make_unique<RegistryTunnel>(host, m_server->port(), port, this);
    tunnel->onDropped(m_news);
    tunnel->onReopened([this, host] { m_news(tr("%1: the tunnel to the registry is open again").arg(host)); });
    RegistryTunnel* added = tunnel.get();
    m_tunnels[host] = std::move(tunnel);
    return added;
}

bool EmbeddedRegistryTunnels::Host::startService(QString* error)
{
    if (m_server)
        return true;
    ServerOptions options;
    options.database = m_database;
    options.port = 0; // any free port: only the tunnels know it
    auto server = std::make_unique<RegistryServer>(options);
    if (!server->start(error))
        return false;
    m_server = std::move(server);
    return checkOrMakeToken(error);
}

bool EmbeddedRegistryTunnels::Host::checkOrMakeToken(QString* error)
{
    AccessTokens tokens(m_server->store().database());
    if (!m_token.isEmpty() && tokens.verify(m_token)) // the saved token is this registry's, still valid
        return true;
    const QString name = QStringLiteral("app-tunnel-%1").arg(QDateTime::currentMSecsSinceEpoch());
    const auto token = tokens.create(name, false, error);
    if (!token)
        return false;
    m_token = *token;
    return saveSettings(error);
}

bool EmbeddedRegistryTunnels::Host::saveSettings(QString* error) const
{
    QJsonObject ports;
    for (const auto& [host, port] : m_ports)
        ports.insert(host, port);
    const QByteArray text =
        QJsonDocument(QJsonObject{{QStringLiteral("token"), m_token}, {QStringLiteral("ports"), ports}}).toJson();
    return PrivateFiles::writeFile(settingsPath(), text, error);
}

RegistryTunnel* EmbeddedRegistryTunnels::Host::openTunnel(const QString& host, QString* error)
{
    quint16 port = m_ports.count(host) ? m_ports[host] : firstPortFor(host);
    for (int attempt = 0; attempt < kPortTries; ++attempt, port = static_cast<quint16>(port + 1)) {
        RegistryTunnel* candidate = addTunnel(host, port);
        const RegistryTunnel::Opening opening =
            candidate->open(kOpenTimeoutMs, error, [closing = m_closing] { return closing->load(); });
        if (opening == RegistryTunnel::Opening::Open)
            return candidate;
        m_tunnels.erase(host);
        if (opening != RegistryTunnel::Opening::PortTaken)
            break; // the host itself is the problem: another port will not help
    }
    return nullptr;
}

std::optional<Dispatcher::Route> EmbeddedRegistryTunnels::Host::route(const QString& host, QString* error)
{
    if (!startService(error))
        return std::nullopt;
    RegistryTunnel* open = tunnel(host);
    if (!open) {
        open = openTunnel(host, error);
        if (!open)
            return std::nullopt;
        if (m_ports[host] != open->remotePort()) {
            m_ports[host] = open->remotePort();
            if (!saveSettings(error))
                return std::nullopt;
        }
    }
    // A tunnel that dropped is being reopened; the companion journals until it is back.
    return Dispatcher::Route{open->remoteUrl(), m_token};
}

} // namespace jikken
