#pragma once

#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

namespace jikken {

/// How Jikken uses one host. The host itself (address, user, port, ProxyJump, keys) is OpenSSH's business:
/// an alias of ~/.ssh/config, or `localhost` (no SSH at all).
struct HostSettings
{
    QString alias;
    QString jikken = QStringLiteral("jikken"); ///< the companion on that host: a path, or a name on its PATH
    QString workDir;           ///< where runs start (logs/<id> goes under it); relative to the home folder; empty: home
    QString dataRoot;          ///< the spec's data root when the spec names none
    QStringList setup;         ///< the user's own shell lines run first (conda activate, module load …)
    int maxRuns = 0;           ///< Jikken runs at once on the host; 0: one per GPU (one on a CPU host)
    bool slurm = false;        ///< a Slurm login node: runs go through sbatch, not tmux
    QStringList sbatchOptions; ///< more sbatch options for its runs (--partition=gpu, --time=2-00:00:00 …)

    /// The setup lines as a script's first lines, their chatter dropped (it would spoil what the script
    /// prints); the environment they set stays for the lines after.
    QString quietSetup() const;
};

/// The hosts Jikken knows: every concrete `Host` alias of the ssh config (Include followed, patterns
/// skipped) and `localhost`, with the settings `~/.config/jikken/hosts.json` gives them:
/// `{"hosts": {"gpu1": {"jikken": "/opt/jikken/bin/jikken", "workdir": "exp", "data_root": "/data",
///  "setup": ["conda activate torch"], "max_runs": 4}, "login1": {"scheduler": "slurm", "sbatch":
///  ["--partition=gpu"]}}}`. Hosts only in hosts.json count too.
namespace HostCatalog {

QString settingsPath();
/// The ssh config read: `JIKKEN_SSH_CONFIG`, else ~/.ssh/config.
QString sshConfigPath();
QStringList sshAliases(const QString& configPath);
std::optional<QVector<HostSettings>> load(QString* error);
std::optional<HostSettings> find(const QString& alias, QString* error);

} // namespace HostCatalog

} // namespace jikken
