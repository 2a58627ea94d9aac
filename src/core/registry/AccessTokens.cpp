#include "AccessTokens.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>

namespace jikken {

namespace {

constexpr int kSecretBytes = 32;
constexpr int kMaxNameLength = 64;

QString secretHash(const QString& secret)
{
    return QString::fromLatin1(QCryptographicHash::hash(secret.toUtf8(), QCryptographicHash::Sha256).toHex());
}

bool fail(QString* error, const QString& message)
{
    if (error)
        *error = message;
    return false;
}

AccessToken readToken(const QSqlQuery& query)
{
    AccessToken token;
    token.name = query.value(0).toString();
    token.readOnly = query.value(1).toInt() != 0;
    token.created = QDateTime::fromMSecsSinceEpoch(query.value(2).toLongLong(), Qt::UTC);
    if (!query.value(3).isNull())
        token.revoked = QDateTime::fromMSecsSinceEpoch(query.value(3).toLongLong(), Qt::UTC);
    return token;
}

} // namespace

std::optional<QString> AccessTokens::create(const QString& name, bool readOnly, QString* error)
{
    const bool nameOk =
        !name.isEmpty() && name.size() <= kMaxNameLength && std::all_of(name.begin(), name.end(), [](QChar c) {
            return c.isLetterOrNumber() || c == u'-' || c == u'_' || c == u'.' || c == u'@';
        });
    if (!nameOk) {
        fail(error, QStringLiteral("a token name is 1-%1 letters, digits, '-', '_', '.' or '@', not \"%2\"")
                        .arg(kMaxNameLength)
                        .arg(name));
        return std::nullopt;
    }
    // CSPRNG (getrandom) bytes, URL-safe so the secret fits a header, a cookie and a phone URL alike.
    QByteArray bytes(kSecretBytes, Qt::Uninitialized);
    QRandomGenerator::system()->generate(bytes.begin(), bytes.end());
    const QString secret = QStringLiteral("jk_") + QString::fromLatin1(bytes.toBase64(QByteArray::Base64UrlEncoding |
                                                                                      QByteArray::OmitTrailingEquals));
    QSqlQuery query(m_db);
    query.prepare(
        QStringLiteral("INSERT INTO access_tokens (name, secret_sha256, read_only, created_at) VALUES (?, ?, ?, ?)"));
    query.addBindValue(name);
    query.addBindValue(secretHash(secret));
    query.addBindValue(readOnly ? 1 : 0);
    query.addBindValue(QDateTime::currentMSecsSinceEpoch());
    if (!query.exec()) {
        QSqlQuery exists(m_db);
        exists.prepare(QStringLiteral("SELECT 1 FROM access_tokens WHERE name = ?"));
        exists.addBindValue(name);
        fail(error, exists.exec() && exists.next()
                        ? QStringLiteral("a token named \"%1\" exists already (names are never reused)").arg(name)
                        : QStringLiteral("registry: ") + query.lastError().text());
        return std::nullopt;
    }
    return secret;
}

bool AccessTokens::revoke(const QString& name, QString* error)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("UPDATE access_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL"));
    query.addBindValue(QDateTime::currentMSecsSinceEpoch());
    query.addBindValue(name);
    if (!query.exec())
        return fail(error, QStringLiteral("registry: ") + query.lastError().text());
    return query.numRowsAffected() == 1 || fail(error, QStringLiteral("no live token named \"%1\"").arg(name));
}

QVector<AccessToken> AccessTokens::list(QString* error) const
{
    QSqlQuery query(m_db);
    QVector<AccessToken> tokens;
    if (!query.exec(QStringLiteral("SELECT name, read_only, created_at, revoked_at FROM access_tokens ORDER BY "
                                   "created_at, name"))) {
        fail(error, QStringLiteral("registry: ") + query.lastError().text());
        return tokens;
    }
    while (query.next())
        tokens.append(readToken(query));
    return tokens;
}

std::optional<AccessToken> AccessTokens::verify(const QString& secret, QString* databaseError) const
{
    if (!secret.startsWith(QLatin1String("jk_")))
        return std::nullopt;
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT name, read_only, created_at, revoked_at FROM access_tokens WHERE "
                                 "secret_sha256 = ? AND revoked_at IS NULL"));
    query.addBindValue(secretHash(secret));
    if (!query.exec()) {
        fail(databaseError, QStringLiteral("registry: ") + query.lastError().text());
        return std::nullopt;
    }
    if (!query.next())
        return std::nullopt;
    return readToken(query);
}

} // namespace jikken
