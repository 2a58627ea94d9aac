#pragma once

#include <QString>

namespace jikken {

/// Where one process of a data-parallel run stands: its rank among all of them, how many there are, and
/// the rendezvous they meet at. The default is a run of one process, which meets no one.
struct RankPlace
{
    int rank = 0;
    int worldSize = 1;
    QString rendezvous; ///< "file:PATH" (one node) or "tcp:HOST:PORT" (the store on node 0), as Rendezvous reads it
    QString address;    ///< the address this rank's collectives listen on, one the other ranks reach

    bool isDistributed() const { return worldSize > 1; }
};

/// The c10d process groups this build can put ranks in: "Gloo", "NCCL", both, or "none".
QString rankProcessGroups();
/// Why ranks on CUDA devices (`cuda`) or CPU processes cannot train together in this build, or empty.
QString rankGroupProblem(bool cuda);

} // namespace jikken
