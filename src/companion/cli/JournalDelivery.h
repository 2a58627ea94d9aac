#pragma once

#include "registry/JournalingRegistryClient.h"

namespace jikken::journal {

/// At the end of a run, how long the journal may take to reach the registry.
constexpr int kDrainMs = 30000;

/// The journal's options for a run: heartbeats (every JIKKEN_HEARTBEAT_SECONDS, default 15 s) and a
/// refused token said once on stderr.
JournalingRegistryClient::Options options(bool heartbeats = true);

/// Gives the journal's sender up to kDrainMs to deliver what is left. True when all of it is in the
/// registry; otherwise says in one line what did not go (waiting: the service's problem and how to send
/// it later; refused: where those reports were kept) and returns false.
bool deliver(JournalingRegistryClient& journaled, const QString& runDirectory);

} // namespace jikken::journal
