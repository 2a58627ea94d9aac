#include "SqlTransaction.h"

#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>

namespace jikken {

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
        ok = query.exec(QStringLiteral("BEGIN IMMEDIATE"));
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
