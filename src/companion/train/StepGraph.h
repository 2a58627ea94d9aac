#pragma once

#include <QString>

#include <functional>
#include <memory>

namespace jikken {

/// A training step recorded once as a CUDA graph and replayed: the whole step (forward, loss, backward,
/// optimizer) goes to the GPU in one launch instead of hundreds, which is what a small network's step
/// waits on. A replay reads and writes the memory the recording did, so the caller copies each batch
/// into the tensors it recorded with, and the step may read nothing that changes on the host.
///
/// While alive it makes a side stream of the device current (CUDA cannot record the default stream), so
/// the steps before and between recordings run on the stream the replays do. Built where libtorch has
/// CUDA graphs (`JIKKEN_CUDA_GRAPHS`, cmake/JikkenCudaGraphs.cmake); elsewhere `problem` says why not and
/// nothing else may be called.
class StepGraph
{
public:
    /// Empty when this libtorch can record CUDA graphs, else why not.
    static QString problem();

    explicit StepGraph(int deviceIndex);
    ~StepGraph();
    StepGraph(const StepGraph&) = delete;
    StepGraph& operator=(const StepGraph&) = delete;

    /// Records `step` without running it (replay runs it); any step recorded before is forgotten. On a
    /// failure nothing is recorded and the stream can run steps as they are again.
    void record(const std::function<void()>& step);
    bool recorded() const;
    /// Runs the recorded step once.
    void replay();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace jikken
