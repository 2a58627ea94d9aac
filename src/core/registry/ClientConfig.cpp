#include "ClientConfig.h"

#include "HttpRegistryClient.h"
#include "RegistryStore.h"
#include "TokenKeychain.h"
#include "util/PrivateFiles.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSslCertificate>
#include <QStandardPaths>

namespace jikken {

namespace {

// client.json's `"token_in": "keychain"`: the token is in the platform's keychain, not in the file.
const QString kTokenIn = QStringLiteral("token_in");
const QString kKeychain = QStringLiteral("keychain");

bool isServiceUrl(const QString& text)
{
    return text.startsWith(QLatin1String("http://")) || text.startsWith(QLatin1String("https://"));
}

} // namespace

std::optional<ClientConfig> ClientConfig::parse(const QString& registry, const QString& token, const QString& origin,
                                                QString* error)
{
    ClientConfig config;
    if (!isServiceUrl(registry)) {
        config.database = registry;
        return config;
    }
    const QUrl url(registry, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty()) {
        if (error)
            *error = QStringLiteral("%1: malformed registry URL \"%2\"").arg(origin, registry);
        return std::nullopt;
    }
    if (token.isEmpty()) {
        if (error)
            *error = QStringLiteral("%1 names the registry service %2 but no token; set JIKKEN_TOKEN (make one on the "
                                    "server with: jikken token create --name NAME)")
                         .arg(origin, registry);
        return std::nullopt;
    }
    // A lab's CA named but not there would silently leave the service untrusted (or, worse, trusted only
    // by the system's CAs): say so before the first request.
    const QString caFile = qEnvironmentVariable("JIKKEN_CA_CERT");
    if (!caFile.isEmpty() && QSslCertificate::fromPath(caFile, QSsl::Pem).isEmpty()) {
        if (error)
            *error = QStringLiteral("JIKKEN_CA_CERT names %1, which holds no PEM certificate (missing or unreadable)")
                         .arg(caFile);
        return std::nullopt;
    }
    config.service = url;
    config.token = token;
    return config;
}

QString ClientConfig::configFilePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           QStringLiteral("/jikken/client.json");
}

std::optional<ClientConfig> ClientConfig::resolve(const QString& commandLineRegistry, QString* error)
{
    const QString token = qEnvironmentVariable("JIKKEN_TOKEN");
    if (!commandLineRegistry.isEmpty())
        return parse(commandLineRegistry, token, QStringLiteral("--registry"), error);
    const QString fromEnvironment = qEnvironmentVariable("JIKKEN_REGISTRY");
    if (!fromEnvironment.isEmpty())
        return parse(fromEnvironment, token, QStringLiteral("JIKKEN_REGISTRY"), error);
    QFile file(configFilePath());
    if (file.exists()) {
        if (file.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther)) {
            if (error)
                *error = QStringLiteral("%1 holds a token but others may read it; chmod 600 it").arg(file.fileName());
            return std::nullopt;
        }
        QJsonParseError parseError;
        const QJsonDocument document =
            file.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(file.readAll(), &parseError) : QJsonDocument();
        const QJsonObject object = document.object();
        if (!document.isObject() || !object.value(QStringLiteral("registry")).isString()) {
            if (error)
                *error = QStringLiteral("%1: want {\"registry\": URL, \"token\": TOKEN}").arg(file.fileName());
            return std::nullopt;
        }
        const QString registry = object.value(QStringLiteral("registry")).toString();
        if (token.isEmpty() && object.value(kTokenIn).toString() == kKeychain) {
            QString problem;
            const auto fromKeychain = TokenKeychain::read(registry, &problem);
            if (!fromKeychain) {
                if (error)
                    *error = QStringLiteral("%1 keeps the token for %2 in the keychain, which cannot give it: %3; "
                                            "set JIKKEN_TOKEN, or save the registry settings again")
                                 .arg(file.fileName(), registry, problem);
                return std::nullopt;
            }
            return parse(registry, *fromKeychain, file.fileName(), error);
        }
        return parse(registry, token.isEmpty() ? object.value(QStringLiteral("token")).toString() : token,
                     file.fileName(), error);
    }
    ClientConfig config;
    config.database = RegistryStore::defaultDatabasePath();
    return config;
}

bool ClientConfig::save(QString* error, QString* note) const
{
    const QString path = configFilePath();
    if (!isService() && database == RegistryStore::defaultDatabasePath()) {
        if (QFile::exists(path) && !QFile::remove(path)) {
            if (error)
                *error = QStringLiteral("%1 cannot be removed").arg(path);
            return false;
        }
        return true;
    }
    QJsonObject object{{QStringLiteral("registry"), isService() ? service.toString() : database}};
    QString saidWhere;
    if (isService()) {
        QString noKeychain;
        if (TokenKeychain::write(service.toString(), token, &noKeychain)) {
            object.insert(kTokenIn, kKeychain);
            saidWhere = QStringLiteral("The token is in the keychain (service \"%1\", account %2).")
                            .arg(QString::fromLatin1(TokenKeychain::kService), service.toString());
        } else {
            object.insert(QStringLiteral("token"), token);
            saidWhere = QStringLiteral("%1: the token is kept in %2, readable by you only.").arg(noKeychain, path);
        }
    }
    if (!PrivateFiles::writeFile(path, QJsonDocument(object).toJson(), error))
        return false;
    if (note)
        *note = saidWhere;
    return true;
}

std::unique_ptr<RegistryClient> ClientConfig::connect(QString* error) const
{
    if (isService())
        return std::make_unique<HttpRegistryClient>(service, token);
    auto store = std::make_unique<RegistryStore>();
    if (!store->open(database, error))
        return nullptr;
    return store;
}

} // namespace jikken
