#pragma once

#include <QSqlDatabase>
#include <QString>

namespace jikken {

/// A write transaction that rolls back unless committed. On SQLite it takes the write lock at BEGIN
/// (BEGIN IMMEDIATE), so two writers never deadlock upgrading read locks; the busy timeout queues them.
class SqlTransaction
{
public:
    explicit SqlTransaction(QSqlDatabase& db);
    ~SqlTransaction();
    SqlTransaction(const SqlTransaction&) = delete;
    SqlTransaction& operator=(const SqlTransaction&) = delete;

    bool begin(QString* error);
    bool commit(QString* error);
    void rollback();

    /// Between the transactions of a long write (ScalarIngest's pieces): waits, at most `longestMs`, while a
    /// writer of this process is queued on SQLite's lock, so that it gets in before the next piece.
    static void letWaitingWritersIn(int longestMs);

private:
    QSqlDatabase& m_db;
    bool m_open = false;
};

} // namespace jikken
