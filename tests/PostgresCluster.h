#pragma once

// A throwaway PostgreSQL cluster for the tests that run against both registry backends: initdb in a scratch
// folder, a free loopback port, trust authentication for one user, stopped and removed by the destructor.
// As root (CI), the server runs as the `postgres` user, since PostgreSQL refuses to run as root.

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTemporaryDir>

#include <unistd.h>

namespace jikken::testing {

class PostgresCluster
{
public:
    static QString binDirectory()
    {
        const QString fromEnvironment = qEnvironmentVariable("JIKKEN_POSTGRES_BIN");
        if (!fromEnvironment.isEmpty())
            return fromEnvironment;
        for (int version = 17; version >= 13; --version) {
            const QString dir = QStringLiteral("/usr/lib/postgresql/%1/bin").arg(version);
            if (QFile::exists(dir + QStringLiteral("/initdb")))
                return dir;
        }
        return {};
    }

    /// Starts the cluster; on failure `error` says why (the test then fails: PostgreSQL is a CI dependency).
    bool start(QString* error)
    {
        const QString bin = binDirectory();
        if (bin.isEmpty())
            return fail(error, QStringLiteral("this test needs initdb and pg_ctl, which are not installed (Debian package "
                                              "postgresql; scripts/setup-debian.sh --tests installs it)"));
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        m_port = probe.serverPort();
        probe.close();
        m_data = m_dir.filePath(QStringLiteral("data"));
        if (geteuid() == 0 && !run({QStringLiteral("chown"), QStringLiteral("postgres:postgres"), m_dir.path()}, error))
            return false;
        if (!runAsOwner({bin + QStringLiteral("/initdb"), QStringLiteral("-D"), m_data, QStringLiteral("-A"),
                         QStringLiteral("trust"), QStringLiteral("-U"), QStringLiteral("jikken"),
                         QStringLiteral("--no-sync")},
                        error))
            return false;
        // fsync stays on: benchmarks on this cluster measure what a real one would do.
        const QString options = QStringLiteral("-p %1 -k %2 -c listen_addresses=127.0.0.1 -c max_connections=200")
                                    .arg(m_port)
                                    .arg(m_dir.path());
        m_options = options;
        return resume(error);
    }

    /// `pg_ctl stop -m MODE` (fast: what an upgrade or a restart by the admin does): every connection drops.
    bool pause(QString* error, const QString& mode = QStringLiteral("fast"))
    {
        m_running = !runAsOwner({binDirectory() + QStringLiteral("/pg_ctl"), QStringLiteral("-D"), m_data,
                                 QStringLiteral("-m"), mode, QStringLiteral("-w"), QStringLiteral("stop")},
                                error);
        return !m_running;
    }

    /// Starts the cluster again after `pause`, on the same port.
    bool resume(QString* error)
    {
        m_running = runAsOwner({binDirectory() + QStringLiteral("/pg_ctl"), QStringLiteral("-D"), m_data,
                                QStringLiteral("-o"), m_options, QStringLiteral("-l"),
                                m_dir.filePath(QStringLiteral("log")), QStringLiteral("-w"), QStringLiteral("start")},
                               error);
        return m_running;
    }

    ~PostgresCluster()
    {
        if (m_running)
            runAsOwner({binDirectory() + QStringLiteral("/pg_ctl"), QStringLiteral("-D"), m_data, QStringLiteral("-m"),
                        QStringLiteral("immediate"), QStringLiteral("-w"), QStringLiteral("stop")},
                       nullptr);
    }

    QString url(const QString& database = QStringLiteral("postgres")) const
    {
        return QStringLiteral("postgresql://jikken@127.0.0.1:%1/%2").arg(m_port).arg(database);
    }

    /// A new empty database on the cluster, for one test.
    QString createDatabase(QString* error)
    {
        const QString name = QStringLiteral("t%1").arg(++m_databases);
        const QString connection = QStringLiteral("jikken-test-admin");
        bool ok = false;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
            db.setHostName(QStringLiteral("127.0.0.1"));
            db.setPort(m_port);
            db.setUserName(QStringLiteral("jikken"));
            db.setDatabaseName(QStringLiteral("postgres"));
            ok = db.open();
            QSqlQuery query(db);
            ok = ok && query.exec(QStringLiteral("CREATE DATABASE ") + name);
            if (!ok && error)
                *error = db.lastError().text() + query.lastError().text();
            db.close();
        }
        QSqlDatabase::removeDatabase(connection);
        return ok ? url(name) : QString();
    }

private:
    static bool fail(QString* error, const QString& message)
    {
        if (error)
            *error = message;
        return false;
    }

    bool run(const QStringList& command, QString* error)
    {
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(command.first(), command.mid(1));
        if (!process.waitForFinished(60000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
            return fail(error, command.first() + QStringLiteral(" failed: ") +
                                   QString::fromLocal8Bit(process.readAll()).right(400));
        return true;
    }

    bool runAsOwner(QStringList command, QString* error)
    {
        if (geteuid() == 0)
            command = QStringList{QStringLiteral("runuser"), QStringLiteral("-u"), QStringLiteral("postgres"),
                                  QStringLiteral("--")} +
                      command;
        return run(command, error);
    }

    QTemporaryDir m_dir;
    QString m_data;
    quint16 m_port = 0;
    bool m_running = false;
    int m_databases = 0;
    QString m_options;
};

} // namespace jikken::testing
