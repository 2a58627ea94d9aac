#include "JournalDelivery.h"

#include "Console.h"

namespace jikken::journal {

JournalingRegistryClient::Options options(bool heartbeats)
{
    JournalingRegistryClient::Options options;
    bool ok = false;
    const double seconds = qEnvironmentVariable("JIKKEN_HEARTBEAT_SECONDS").toDouble(&ok);
    options.heartbeatMs = !heartbeats ? 0 : ok && seconds > 0 ? static_cast<int>(seconds * 1000) : 15000;
    options.warn = [](const QString& line) { console::note(line); };
    return options;
}

bool deliver(JournalingRegistryClient& journaled, const QString& runDirectory)
{
    const qint64 left = journaled.finish(kDrainMs);
    if (left > 0) {
        console::note(QStringLiteral("warning: the registry did not take all of the run's reports (%1); %2 bytes "
                                     "wait in %3: send them with jikken sync %4")
                          .arg(journaled.lastProblem())
                          .arg(left)
                          .arg(journaled.journalPath(), console::shellQuote(runDirectory)));
        return false;
    }
    if (journaled.rejectedReports() > 0) {
        console::note(QStringLiteral("warning: the registry refused %1 of the run's reports (%2); they are kept in %3")
                          .arg(journaled.rejectedReports())
                          .arg(journaled.lastProblem(), journaled.rejectedPath()));
        return false;
    }
    return true;
}

} // namespace jikken::journal
