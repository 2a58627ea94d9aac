#pragma once

#include <QSqlDatabase>
#include <QString>

namespace jikken {

/// The registry's versioned schema. Each release appends migrations and never edits a shipped one, so a
/// database made by any earlier release is brought forward without losing data.
class RegistrySchema
{
public:
    static int latestVersion();
    /// Brings `db` to the latest version inside one write transaction, so processes that open a new
    /// database at the same moment migrate it exactly once.
    static bool migrate(QSqlDatabase& db, QString* error) { return migrate(db, latestVersion(), error); }
    /// Up to `version` only: tests build the databases older releases left behind.
    static bool migrate(QSqlDatabase& db, int version, QString* error);
};

} // namespace jikken
