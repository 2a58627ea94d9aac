#pragma once

#include "MultiTensorOptimizers.h"
#include "StepGraph.h"

#include <torch/torch.h>

#include <cstdio>
#include <functional>

namespace jikken {

/// The training step as `cuda_graphs` has it: run as it is for the first steps (the warm-up: cuDNN's
/// choices, the optimizer's state, the allocator's blocks), then recorded once in a CUDA graph with the
/// batch's indices copied into a tensor of its own, and replayed for every full batch after. A batch of
/// another size (an epoch's last) runs as it is; a new learning rate, a constant in the recorded
/// kernels, records the step again.
class RecordedSteps
{
public:
    using Step = std::function<void(const torch::Tensor& index)>;

    /// `required`: a failure to record fails the run (`cuda_graphs: on`), else steps run as they are.
    RecordedSteps(int deviceIndex, int64_t batchSize, RecordableStep& optimizer, bool required)
        : m_graph(deviceIndex), m_batchSize(batchSize), m_optimizer(optimizer), m_required(required)
    {
    }

    /// One step on the training images at `index` with learning rate `lr`: `step` run, recorded or replayed.
    void take(const torch::Tensor& index, double lr, const Step& step)
    {
        const bool full = index.size(0) == m_batchSize;
        if (full && m_graph.recorded() && lr == m_recordedLr) {
            m_index.copy_(index);
            m_graph.replay();
            ++m_uncounted;
            return;
        }
        settle();
        if (!full || m_givenUp || m_warmSteps < kWarmUpSteps || !recordable()) {
            step(index);
            m_warmSteps += full ? 1 : 0;
            return;
        }
        m_index = index.clone(); // outside the recording: its memory is not the graph's to reuse
        try {
            m_graph.record([&] { step(m_index); });
        } catch (const std::exception& error) {
            if (m_required)
                throw;
            std::fprintf(stderr,
                         "jikken: the training step could not be recorded in a CUDA graph; steps run as "
                         "they are: %s\n",
                         error.what());
            m_givenUp = true;
            step(index);
            return;
        }
        m_recordedLr = lr;
        m_graph.replay(); // recording ran nothing: this is the step
    }

    /// Counts the replayed steps in the optimizer's state: before it is saved, or steps as it is.
    void settle()
    {
        if (m_uncounted > 0)
            m_optimizer.countReplayedSteps(m_uncounted);
        m_uncounted = 0;
    }

private:
    static constexpr int kWarmUpSteps = 3;

    /// Whether the optimizer's step can be recorded; says once why not where it cannot.
    bool recordable()
    {
        if (m_optimizer.stepRecordable())
            return true;
        std::fprintf(stderr, "jikken: the optimizer's step reads numbers off the host (it did not take the "
                             "multi-tensor or fused kernels), so it cannot be recorded in a CUDA graph; steps "
                             "run as they are\n");
        m_givenUp = true;
        return false;
    }

    StepGraph m_graph;
    const int64_t m_batchSize;
    RecordableStep& m_optimizer;
    const bool m_required;
    torch::Tensor m_index;   ///< the batch's indices, as the recorded step reads them
    double m_recordedLr = 0; ///< the learning rate in the recorded kernels
    int m_warmSteps = 0;     ///< full batches run as they are so far
    int64_t m_uncounted = 0; ///< replays not yet counted in the optimizer's state
    bool m_givenUp = false;
};

} // namespace jikken
