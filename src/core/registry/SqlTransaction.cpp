#include "SqlTransaction.h"

#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>

#include <QDeadlineTimer>
#include <QThread>

#include <atomic>

namespace jikken {

namespace {

std::atomic<int> g_sqliteWritersWaiting{0};

} // namespace

void SqlTransaction::letWaitingWritersIn(int longestMs)
{
    // SQLite's busy handler sleeps and polls, so a thread that commits and begins again at once keeps the
    // lock from a writer that is sleeping on it; this gap lets the sleeper in.
    const QDeadlineTimer deadline(longestMs);
    while (g_sqliteWritersWaiting.load() > 0 && !deadline.hasExpired())
        QThread::msleep(1);
}

SqlTransaction::SqlTransaction(QSqlDatabase& db) : m_db(db) {}

SqlTransaction::~SqlTransaction()
{
    rollback();
}

bool SqlTransaction::begin(QString* error)
{
    bool ok = false;
    QString message;
    if (m_db.driverName() == QLatin1String("QSQLITE")) {
        QSqlQuery query(m_db);
        ++g_sqliteWritersWaiting;
        ok = query.exec(QStringLiteral("BEGIN IMMEDIATE"));
        --g_sqliteWritersWaiting;
        message = query.lastError().text();
    } else {
        ok = m_db.transaction();
        message = m_db.lastError().text();
    }
    if (!ok && error)
        *error = QStringLiteral("registry: cannot begin a transaction: ") + message;
    m_open = ok;
    return ok;
}

bool SqlTransaction::commit(QString* error)
{
    if (!m_open)
        return false;
    m_open = false;
    if (m_db.commit())
        return true;
    if (error)
        *error = QStringLiteral("registry: commit failed: ") + m_db.lastError().text();
    m_db.rollback();
    return false;
}

void SqlTransaction::rollback()
{
    if (m_open)
        m_db.rollback();
    m_open = false;
}

} // namespace jikken
