#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace jikken {

/// One node's share of a data-parallel run, as `jikken train --nproc N [--gpus ...] [--nnodes M --node-rank R
/// --master HOST:PORT]` asks for it.
struct NodeLaunch
{
    int nodeRank = 0;
    int nproc = 1;
    int nnodes = 1;
    QStringList gpus;     ///< the CUDA device of each local rank ("0", "1", ...); empty: CPU ranks
    QString master;       ///< HOST:PORT of node 0's rendezvous; empty on one node
    QString registryPath; ///< the --registry the ranks are to use (rank 0 reports there)
    int threads = 0;      ///< CPU threads a rank (0: the cores shared out among the ranks)
};

/// What every rank of a run trains, put at the rendezvous by node 0's launcher.
struct RankPlan
{
    QString id;
    QJsonObject spec; ///< resolved: the file's fields with the flags'
    QString runDirectory;
    QString command; ///< the command that reproduces the run
    bool resuming = false;

    QByteArray toJson() const;
    static std::optional<RankPlan> fromJson(const QByteArray& json, QString* error);
};

/// The keys the launchers and the ranks share at the rendezvous.
namespace rendezvous_keys {
inline QString plan()
{
    return QStringLiteral("jikken/plan");
} ///< the run: JSON (RankPlan)
inline QString failure()
{
    return QStringLiteral("jikken/failure");
} ///< the first rank's end that failed the run
inline QString node(int nodeRank)
{
    return QStringLiteral("jikken/node/%1").arg(nodeRank);
} ///< its host, devices
} // namespace rendezvous_keys

class Rendezvous;

/// Every rank's device, for the run's record, from what each node's launcher put at the rendezvous (waiting
/// a minute at most for each): "4 ranks · gpu1: cuda:0 cuda:1 · gpu2: cuda:0 cuda:1".
QString describeWorld(Rendezvous& rendezvous, int nodes, int worldSize);

/// Starts this node's ranks of a data-parallel run (a process each, `jikken train --worker`) and watches
/// them, as torchrun's agent does. Node 0 hosts the rendezvous (a file on one node, a TCP store at
/// `--master` for several) and puts `plan` there; other nodes (no `plan`) join it and start as many ranks as
/// its spec's `nproc`.
/// Rank 0's lines pass through; the others' come tagged "[rank R]". A stop signal is handed to every rank
/// (they agree on a step and rank 0 checkpoints). A rank that fails is named at the rendezvous, where rank 0
/// reads it to fail the run; the node's other ranks get a grace period and are then killed. When rank 0
/// itself is lost without a word (killed), node 0 calls `rankZeroLost` with why. The exit status is rank 0's
/// on node 0, else 0 when every rank ended well.
int launchRanks(NodeLaunch launch, const std::optional<RankPlan>& plan,
                const std::function<void(const QString& why)>& rankZeroLost);

} // namespace jikken
