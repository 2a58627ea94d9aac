#pragma once

#include <QString>

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

namespace jikken {

/// A verb's work, run after parsing; returns the exit code.
using CommandAction = std::function<int()>;

/// Where the verbs find the registry: `--registry FILE`, else the default SQLite file.
struct RegistryLocation
{
    std::string path;
    QString resolved() const;
};

void addRegistryCommands(CLI::App& app, const RegistryLocation& registry, CommandAction& action);
void addEventsCommand(CLI::App& app, CommandAction& action);
void addTrainCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action);

} // namespace jikken
