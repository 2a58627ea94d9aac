#pragma once

#include <QDateTime>
#include <QSqlDatabase>
#include <QString>
#include <QVector>

#include <optional>

namespace jikken {

/// What a bearer token lets its holder do.
struct AccessToken
{
    QString name;
    bool readOnly = false;
    QDateTime created;
    QDateTime revoked; ///< invalid while the token works
};

/// The registry service's bearer tokens, kept in the registry database as SHA-256 hashes only: the secret
/// is shown once, when it is made. Tokens are 256 random bits, so a plain hash is as strong as a slow one.
class AccessTokens
{
public:
    explicit AccessTokens(QSqlDatabase db) : m_db(std::move(db)) {}

    /// Makes a token and returns its secret ("jk_…"); names are unique, also after revoking.
    std::optional<QString> create(const QString& name, bool readOnly, QString* error);
    bool revoke(const QString& name, QString* error);
    QVector<AccessToken> list(QString* error) const;
    /// The live token whose secret this is, if any. When the database cannot answer, std::nullopt with
    /// `databaseError` set: that is no verdict on the token.
    std::optional<AccessToken> verify(const QString& secret, QString* databaseError = nullptr) const;

private:
    QSqlDatabase m_db;
};

} // namespace jikken
