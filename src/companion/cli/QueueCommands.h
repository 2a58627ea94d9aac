#pragma once

#include "RegistryCommands.h"

namespace jikken {

class QueueClient;

/// `jikken queue`, `jikken sweep` and `jikken agent`: runs queued in the registry and started by agents
/// where a GPU (or a slot) is free.
void addQueueCommands(CLI::App& app, const RegistryLocation& registry, CommandAction& action);
/// Opens the registry — its database, or a service — and its queue for `work`; the exit code is work's.
int withQueue(const RegistryLocation& location, const std::function<int(RegistryClient&, QueueClient&)>& work);
/// `jikken agent` (AgentCommand.cpp).
void addAgentCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action);

} // namespace jikken
