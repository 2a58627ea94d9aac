#pragma once

#include "registry/ClientConfig.h"

#include <QString>

#include <CLI/CLI.hpp>

#include <functional>
#include <optional>
#include <string>

namespace jikken {

/// A verb's work, run after parsing; returns the exit code.
using CommandAction = std::function<int()>;

/// Where the verbs find the registry: `--registry`, else JIKKEN_REGISTRY, the client config file or the
/// default SQLite file (see ClientConfig).
struct RegistryLocation
{
    std::string path;
    std::optional<ClientConfig> resolve(QString* error) const;
    /// A local database to work on directly (token and config verbs run where the database is).
    std::optional<QString> localDatabase(const char* verb, QString* error) const;
};

/// Connects to the registry and hands it to `work`; the exit code is work's, or a failure to connect.
int withRegistry(const RegistryLocation& location, const std::function<int(RegistryClient&)>& work);
/// The same, with where the registry is (for what passes it on, such as dispatch).
int withRegistry(const RegistryLocation& location,
                 const std::function<int(RegistryClient&, const ClientConfig&)>& work);

/// As withRegistry, for verbs about one model: a malformed ID is a usage error before the registry opens.
int withModel(const RegistryLocation& location, const std::string& idText,
              const std::function<int(RegistryClient&, const QString&)>& work);

class RegistryStore;
/// Opens the local database for the verbs that work on it directly (a service URL is a usage error).
int withLocalStore(const RegistryLocation& location, const char* verb, const std::function<int(RegistryStore&)>& work);

void addRegistryCommands(CLI::App& app, const RegistryLocation& registry, CommandAction& action);
void addEventsCommand(CLI::App& app, CommandAction& action);
void addTrainCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action);
void addServeCommands(CLI::App& app, const RegistryLocation& registry, CommandAction& action);
void addImportCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action);
void addRunCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action);
void addDispatchCommands(CLI::App& app, const RegistryLocation& registry, CommandAction& action);
/// `jikken pull ID [--best|--last|--step N] [DEST]`: a kept checkpoint fetched from where it is.
void addPullCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action);
/// `jikken export-model ID [--best|--last|--step N] --format torchscript OUT`: the network as TorchScript.
void addExportModelCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action);
/// `jikken alert add|ls|rm`: the alert rules file.
void addAlertCommand(CLI::App& app, CommandAction& action);

} // namespace jikken
