#pragma once

#include "RegistryCommands.h"

namespace jikken {

/// `jikken queue`, `jikken sweep` and `jikken agent`: runs queued in the registry and started by agents
/// where a GPU (or a slot) is free.
void addQueueCommands(CLI::App& app, const RegistryLocation& registry, CommandAction& action);
/// `jikken agent` (AgentCommand.cpp).
void addAgentCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action);

} // namespace jikken
