#include "DatabaseUrl.h"

#include <QUrl>

namespace jikken {

bool DatabaseUrl::isPostgresql(const QString& text)
{
    return text.startsWith(QLatin1String("postgresql://")) || text.startsWith(QLatin1String("postgres://"));
}

std::optional<DatabaseUrl> DatabaseUrl::parse(const QString& text, QString* error)
{
    auto fail = [error](const QString& message) -> std::optional<DatabaseUrl> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    if (text.isEmpty())
        return fail(QStringLiteral("the database location is empty"));
    DatabaseUrl result;
    if (text.startsWith(QLatin1String("sqlite:"))) {
        result.path = text.mid(7);
        if (result.path.startsWith(QLatin1String("//")))
            result.path = result.path.mid(2);
        if (result.path.isEmpty())
            return fail(QStringLiteral("sqlite: needs a file path, e.g. sqlite:/srv/jikken/registry.sqlite"));
        return result;
    }
    if (!isPostgresql(text)) {
        if (text.contains(QLatin1String("://")))
            return fail(QStringLiteral("unsupported database URL \"%1\"; use a SQLite file path or "
                                       "postgresql://user@host:port/dbname")
                            .arg(text));
        result.path = text;
        return result;
    }
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return fail(QStringLiteral("malformed PostgreSQL URL (want postgresql://user:password@host:port/dbname): %1")
                        .arg(url.errorString().isEmpty() ? QStringLiteral("no host") : url.errorString()));
    if (url.hasQuery() || url.hasFragment())
        return fail(QStringLiteral("PostgreSQL URL options (?…) are not supported; give user, host, port and "
                                   "database only"));
    result.kind = Kind::Postgresql;
    result.host = url.host();
    result.port = url.port(5432);
    result.user = url.userName();
    result.password = url.password();
    result.databaseName = url.path().mid(1);
    if (result.databaseName.isEmpty())
        result.databaseName = result.user.isEmpty() ? QStringLiteral("postgres") : result.user;
    return result;
}

QString DatabaseUrl::display() const
{
    if (kind == Kind::Sqlite)
        return path;
    return QStringLiteral("postgresql://%1%2:%3/%4")
        .arg(user.isEmpty() ? QString() : user + u'@', host)
        .arg(port)
        .arg(databaseName);
}

QString DatabaseUrl::driverName() const
{
    return kind == Kind::Sqlite ? QStringLiteral("QSQLITE") : QStringLiteral("QPSQL");
}

} // namespace jikken
