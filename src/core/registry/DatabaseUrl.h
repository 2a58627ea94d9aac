#pragma once

#include <QString>

#include <optional>

namespace jikken {

/// Where a registry database lives: a SQLite file (a plain path or `sqlite:PATH`) or a PostgreSQL
/// database (`postgresql://user:password@host:port/dbname`, libpq's URL form without query options).
struct DatabaseUrl
{
    enum class Kind { Sqlite, Postgresql };
    Kind kind = Kind::Sqlite;
    QString path; ///< SQLite file
    QString host;
    int port = 5432;
    QString user;
    QString password;
    QString databaseName;

    static std::optional<DatabaseUrl> parse(const QString& text, QString* error);
    /// Whether `text` names a PostgreSQL database (`postgresql://` or libpq's other spelling, `postgres://`).
    static bool isPostgresql(const QString& text);
    /// For messages and logs: the path, or the URL without its password.
    QString display() const;
    /// Qt SQL driver name: QSQLITE or QPSQL.
    QString driverName() const;
};

} // namespace jikken
