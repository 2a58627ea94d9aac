#pragma once

#include "registry/ClientConfig.h"
#include "registry/JournalingRegistryClient.h"

#include <memory>
#include <optional>

namespace jikken {

/// A run that goes on here (`jikken train`, `jikken run`): its claimed folder, and the door its reports go
/// through — for a service, a journal in the folder that a dropped network or SSH tunnel loses nothing
/// from (delivered once the link is back); for a database, the registry itself.
class ReportedRun
{
public:
    ReportedRun(QString id, QString folder, RegistryClient& direct);
    ~ReportedRun(); ///< releases the folder

    /// Creates and claims the folder and opens the journal for a service. On failure the run is marked
    /// failed and the exit status comes back.
    std::optional<int> open(const ClientConfig& config);

    RegistryClient& registry() { return *m_registry; }

    /// Marks the run failed with `reason`, delivers what it can and says "ID failed: reason"; the exit status.
    int fail(const QString& reason);
    /// Gives the journal a while to reach the registry: true when the registry has every report, else a
    /// line said what waits where.
    bool deliver();

private:
    QString m_id;
    QString m_folder;
    RegistryClient* m_registry; ///< the journal for a service, else the registry itself
    std::unique_ptr<JournalingRegistryClient> m_journaled;
    bool m_claimed = false;
};

} // namespace jikken
