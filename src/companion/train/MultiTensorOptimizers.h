#pragma once

// libtorch's SGD, Adam and AdamW with the step done over all parameters at once (ATen's `_foreach_*`
// kernels: a handful of launches per step instead of several per parameter), as PyTorch's Python
// optimizers do with foreach=True. The state is the base optimizer's own (momentum buffers, moments,
// step counts), so checkpoints are interchangeable with the per-parameter optimizers'. Amsgrad, sparse
// gradients and parameters whose step counts differ take the base class's per-parameter step. On CUDA,
// Adam and AdamW take ATen's fused kernel (`_fused_adam_`: one launch for the whole group) where it
// takes the parameters.
//
// Each can say whether its next step can be recorded in a CUDA graph (`RecordableStep`, for StepGraph):
// a replay runs the kernels recorded, with the numbers they had then, so only a step that reads nothing
// off the host that changes from one step to the next can be. SGD's multi-tensor step is such a step once
// its momentum buffers are there; Adam's is the fused kernel's, whose step count lives on the device.

#include <torch/torch.h>

#include <memory>
#include <vector>

namespace jikken {

/// What recording an optimizer's step in a CUDA graph asks of it.
class RecordableStep
{
public:
    virtual ~RecordableStep() = default;
    /// Whether a step taken as the last one was can be recorded and replayed.
    virtual bool stepRecordable() const = 0;
    /// Counts `steps` replayed steps in the step counts the host keeps (what a checkpoint saves), which a
    /// replay does not run the code to count.
    virtual void countReplayedSteps(int64_t steps) = 0;
};

class MultiTensorSGD : public torch::optim::SGD, public RecordableStep
{
public:
    using torch::optim::SGD::SGD;
    torch::Tensor step(LossClosure closure = nullptr) override;
    bool stepRecordable() const override { return m_lastStepMultiTensor; }
    void countReplayedSteps(int64_t) override {} // SGD counts no steps

private:
    bool m_lastStepMultiTensor = false; ///< then every momentum buffer is there: nothing left to create
};

/// How an Adam uses ATen's fused kernel: whether the kernel still takes the parameters, and the step
/// count it reads, one per parameter group, kept on the device and counted up there (so that a replayed
/// step counts too, and no step sends a number from the host).
struct FusedAdamSteps
{
    bool usable = true; ///< false once the kernel refused the parameters: the foreach kernels step
    bool lastStepFused = false;
    struct Count
    {
        torch::Tensor onDevice; ///< float, as the kernel reads it
        int64_t holds = 0;      ///< the count it holds
    };
    std::vector<Count> counts; ///< per group
};

/// Whether ATen's fused Adam kernel takes these parameters and gradients: one CUDA device, one floating
/// type, each gradient laid out as its parameter (the kernel walks them side by side). CUDA only in the
/// libtorch versions this builds against (1.13 and 2.x).
bool fusedAdamTakes(const std::vector<torch::Tensor>& parameters, const std::vector<torch::Tensor>& gradients);

class MultiTensorAdam : public torch::optim::Adam, public RecordableStep
{
public:
    using torch::optim::Adam::Adam;
    torch::Tensor step(LossClosure closure = nullptr) override;
    bool stepRecordable() const override { return m_fused.lastStepFused; }
    void countReplayedSteps(int64_t steps) override;

private:
    FusedAdamSteps m_fused;
};

class MultiTensorAdamW : public torch::optim::AdamW, public RecordableStep
{
public:
    using torch::optim::AdamW::AdamW;
    torch::Tensor step(LossClosure closure = nullptr) override;
    bool stepRecordable() const override { return m_fused.lastStepFused; }
    void countReplayedSteps(int64_t steps) override;

private:
    FusedAdamSteps m_fused;
};

} // namespace jikken
