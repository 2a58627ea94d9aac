#pragma once

// The registry database a test runs against, chosen by JIKKEN_TEST_BACKEND (sqlite, the default, or
// postgresql): CTest runs each registry suite once per backend (add_jikken_test(... BACKENDS)).

#include "PostgresCluster.h"
#include "registry/DatabaseUrl.h"

#include <QHash>
#include <QSqlDatabase>
#include <QTemporaryDir>

#include <memory>

namespace jikken::testing {

class RegistryBackend
{
public:
    static bool isPostgresql() { return qEnvironmentVariable("JIKKEN_TEST_BACKEND") == QLatin1String("postgresql"); }
    static QString name() { return isPostgresql() ? QStringLiteral("postgresql") : QStringLiteral("sqlite"); }

    bool start(QString* error)
    {
        if (!isPostgresql())
            return true;
        m_cluster = std::make_unique<PostgresCluster>();
        return m_cluster->start(error);
    }

    /// The location of a fresh registry database called `name` (the same one on every call with that name).
    QString database(const QString& name, QString* error = nullptr)
    {
        if (m_databases.contains(name))
            return m_databases.value(name);
        const QString location =
            m_cluster ? m_cluster->createDatabase(error) : m_dir.filePath(name + QStringLiteral(".sqlite"));
        m_databases.insert(name, location);
        return location;
    }

    /// A plain Qt SQL connection to a registry database, to look under the store.
    static QSqlDatabase openRaw(const QString& location, const QString& connectionName)
    {
        const auto url = DatabaseUrl::parse(location, nullptr);
        QSqlDatabase db = QSqlDatabase::addDatabase(url->driverName(), connectionName);
        if (url->kind == DatabaseUrl::Kind::Sqlite) {
            db.setDatabaseName(url->path);
        } else {
            db.setHostName(url->host);
            db.setPort(url->port);
            db.setUserName(url->user);
            db.setDatabaseName(url->databaseName);
        }
        db.open();
        return db;
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<PostgresCluster> m_cluster;

public:
    /// The PostgreSQL cluster behind the registry (none on SQLite).
    PostgresCluster* cluster() const { return m_cluster.get(); }
    QHash<QString, QString> m_databases;
};

} // namespace jikken::testing
