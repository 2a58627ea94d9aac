#pragma once

#include "RankPlace.h"
#include "Rendezvous.h"

#include <torch/csrc/distributed/c10d/Work.hpp>
#include <torch/torch.h>

#include <chrono>
#include <memory>

namespace jikken {

/// The ranks of a data-parallel run as one c10d process group: NCCL between CUDA devices, Gloo between CPU
/// processes. Every collective is bounded by a timeout, so a rank that stops answering fails the others
/// instead of hanging them; a failure names the rank the launchers saw die, when they said so in time.
class RankGroup
{
public:
    using Pending = c10::intrusive_ptr<c10d::Work>;

    /// Meets the other ranks at `place.rendezvous`, on `device`'s kind of process group. Throws when this
    /// libtorch build has no process group for it, or the ranks do not all come.
    RankGroup(const RankPlace& place, const torch::Device& device);
    ~RankGroup();

    int rank() const { return m_place.rank; }
    int size() const { return m_place.worldSize; }

    /// Sums `tensor` over the ranks, in place, in the background.
    Pending sumLater(torch::Tensor& tensor);
    /// Waits for a collective; throws, naming the failed rank where known, if it failed.
    void wait(const Pending& pending);
    /// Sums `tensor` over the ranks, in place, and waits.
    void sum(torch::Tensor& tensor) { wait(sumLater(tensor)); }
    /// Copies rank 0's values of `tensors` into every rank's, in place.
    void broadcast(std::vector<torch::Tensor> tensors);

    /// The first line of `failure`, with what the launchers said of the rank that died.
    std::string explain(const std::exception& failure);

    struct Collectives;

private:
    RankPlace m_place;
    std::unique_ptr<Rendezvous> m_rendezvous;
    std::unique_ptr<Collectives> m_collectives;
};

} // namespace jikken
