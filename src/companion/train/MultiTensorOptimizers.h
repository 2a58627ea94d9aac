#pragma once

// libtorch's SGD, Adam and AdamW with the step done over all parameters at once (ATen's `_foreach_*`
// kernels: a handful of launches per step instead of several per parameter), as PyTorch's Python
// optimizers do with foreach=True. The state is the base optimizer's own (momentum buffers, moments,
// step counts), so checkpoints are interchangeable with the per-parameter optimizers'. Amsgrad, sparse
// gradients and parameters whose step counts differ take the base class's per-parameter step. On CUDA,
// Adam and AdamW take ATen's fused kernel (`_fused_adam_`: one launch for the whole group) where it
// takes the parameters.

#include <torch/torch.h>

#include <memory>
#include <vector>

namespace jikken {

class MultiTensorSGD : public torch::optim::SGD
{
public:
    using torch::optim::SGD::SGD;
    torch::Tensor step(LossClosure closure = nullptr) override;
};

/// Whether ATen's fused Adam kernel takes these parameters and gradients: one CUDA device, one floating
/// type, each gradient laid out as its parameter (the kernel walks them side by side). CUDA only in the
/// libtorch versions this builds against (1.13 and 2.x).
bool fusedAdamTakes(const std::vector<torch::Tensor>& parameters, const std::vector<torch::Tensor>& gradients);

class MultiTensorAdam : public torch::optim::Adam
{
public:
    using torch::optim::Adam::Adam;
    torch::Tensor step(LossClosure closure = nullptr) override;

private:
    bool m_fused = true; ///< false once the fused kernel refused the parameters: the foreach kernels step
};

class MultiTensorAdamW : public torch::optim::AdamW
{
public:
    using torch::optim::AdamW::AdamW;
    torch::Tensor step(LossClosure closure = nullptr) override;

private:
    bool m_fused = true;
};

} // namespace jikken
