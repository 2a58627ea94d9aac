#pragma once

#include "registry/RegistryClient.h"

#include <QString>
#include <QUrl>

#include <memory>
#include <optional>

namespace jikken {

/// Where the CLI and the companion find the registry, first match wins:
///  1. `--registry` on the command line: an http(s):// service URL, a SQLite file or a postgresql:// URL;
///  2. `JIKKEN_REGISTRY` (a service URL) with `JIKKEN_TOKEN`;
///  3. `~/.config/jikken/client.json`: `{"registry": URL, "token_in": "keychain"}` with the token in the
///     platform's keychain (TokenKeychain), or `{"registry": URL, "token": TOKEN}` where there is no
///     keychain (the file must then be private: mode 600);
///  4. the embedded SQLite file (`RegistryStore::defaultDatabasePath()`).
struct ClientConfig
{
    QString database; ///< a local database (SQLite path or PostgreSQL URL), when not a service
    QUrl service;     ///< a `jikken serve` URL
    QString token;

    bool isService() const { return service.isValid() && !service.isEmpty(); }
    /// Where the registry is, for messages: what the client's `location()` says.
    QString location() const { return isService() ? service.toString() : database; }
    /// `registry` as the user gave it: a service URL (which needs `token`), else a local database. Errors
    /// name `origin` (where the text came from).
    static std::optional<ClientConfig> parse(const QString& registry, const QString& token, const QString& origin,
                                             QString* error);
    static std::optional<ClientConfig> resolve(const QString& commandLineRegistry, QString* error);
    static QString configFilePath();
    /// Writes this choice to `configFilePath()` for the app and the CLI alike, readable by the user only,
    /// all at once or not at all; a service's token goes to the keychain where one works, else into the
    /// file. `note` (if given) says where the token went. The embedded default removes the file.
    bool save(QString* error, QString* note = nullptr) const;
    /// Opens the store, or makes the service's client (which connects on first use).
    std::unique_ptr<RegistryClient> connect(QString* error) const;
};

} // namespace jikken
