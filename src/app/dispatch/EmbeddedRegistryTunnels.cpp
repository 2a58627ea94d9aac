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
#include <QStandardPaths>
#include <QThread>

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

} // namespace

EmbeddedRegistryTunnels::EmbeddedRegistryTunnels(QString database, QObject* parent)
    : QObject(parent), m_database(QFileInfo(database).absoluteFilePath())
{
    loadSettings();
}

void EmbeddedRegistryTunnels::loadSettings()
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

void EmbeddedRegistryTunnels::resume(const QStringList& hosts)
{
    QString error;
    for (const QString& host : hosts) {
        if (tunnel(host) || !m_ports.count(host))
            continue;
        if (!startService(&error)) {
            Q_EMIT news(error);
            return;
        }
        addTunnel(host, m_ports[host])->start();
    }
}

RegistryTunnel* EmbeddedRegistryTunnels::addTunnel(const QString& host, quint16 port)
{
    auto tunnel = std::make_unique<RegistryTunnel>(host, m_server->port(), port, this);
    tunnel->onDropped([this](const QString& line) { Q_EMIT news(line); });
    tunnel->onReopened([this, host] { Q_EMIT news(tr("%1: the tunnel to the registry is open again").arg(host)); });
    RegistryTunnel* added = tunnel.get();
    m_tunnels[host] = std::move(tunnel);
    return added;
}

EmbeddedRegistryTunnels::~EmbeddedRegistryTunnels() = default;

QString EmbeddedRegistryTunnels::settingsPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           QStringLiteral("/jikken/tunnels.json");
}

RegistryTunnel* EmbeddedRegistryTunnels::tunnel(const QString& host) const
{
    const auto it = m_tunnels.find(host);
    return it == m_tunnels.end() ? nullptr : it->second.get();
}

std::optional<Dispatcher::Route> EmbeddedRegistryTunnels::route(const QString& host, QString* error)
{
    if (QThread::currentThread() == thread())
        return routeHere(host, error);
    std::optional<Dispatcher::Route> route;
    QString problem;
    QMetaObject::invokeMethod(
        this, [&] { route = routeHere(host, &problem); }, Qt::BlockingQueuedConnection);
    if (!route)
        *error = problem;
    return route;
}

bool EmbeddedRegistryTunnels::startService(QString* error)
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

bool EmbeddedRegistryTunnels::checkOrMakeToken(QString* error)
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

bool EmbeddedRegistryTunnels::saveSettings(QString* error) const
{
    QJsonObject ports;
    for (const auto& [host, port] : m_ports)
        ports.insert(host, port);
    const QByteArray text =
        QJsonDocument(QJsonObject{{QStringLiteral("token"), m_token}, {QStringLiteral("ports"), ports}}).toJson();
    return PrivateFiles::writeFile(settingsPath(), text, error);
}

std::optional<Dispatcher::Route> EmbeddedRegistryTunnels::routeHere(const QString& host, QString* error)
{
    if (!startService(error))
        return std::nullopt;
    RegistryTunnel* open = tunnel(host);
    if (!open) {
        quint16 port = m_ports.count(host) ? m_ports[host] : firstPortFor(host);
        QString why;
        for (int attempt = 0; attempt < kPortTries; ++attempt, port = static_cast<quint16>(port + 1)) {
            RegistryTunnel* candidate = addTunnel(host, port);
            if (candidate->open(kOpenTimeoutMs, &why)) {
                open = candidate;
                break;
            }
            m_tunnels.erase(host);
            if (!why.contains(QLatin1String("is taken")))
                break; // the host itself is the problem: another port will not help
        }
        if (!open) {
            *error = why;
            return std::nullopt;
        }
        if (m_ports[host] != port) {
            m_ports[host] = port;
            if (!saveSettings(error))
                return std::nullopt;
        }
    }
    // A tunnel that dropped is being reopened; the companion journals until it is back.
    return Dispatcher::Route{open->remoteUrl(), m_token};
}

} // namespace jikken
