#pragma once

#include <QSqlDatabase>
#include <QSqlDriver>
#include <QVariant>

#include <sqlite3.h>

namespace jikken {

/// SQLite's own connection under a Qt connection (nullptr for other drivers): the bulk paths step one
/// prepared statement through the C API, as binding through QVariant costs more than the row itself.
inline sqlite3* sqliteHandle(const QSqlDatabase& db)
{
    const QVariant handle = db.driver()->handle();
    return handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0
               ? *static_cast<sqlite3* const*>(handle.constData())
               : nullptr;
}

} // namespace jikken
