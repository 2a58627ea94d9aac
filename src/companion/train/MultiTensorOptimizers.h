#pragma once

// libtorch's SGD, Adam and AdamW with the step done over all parameters at once (ATen's `_foreach_*`
// kernels: a handful of launches per step instead of several per parameter), as PyTorch's Python
// optimizers do with foreach=True. The state is the base optimizer's own (momentum buffers, moments,
// step counts), so checkpoints are interchangeable with the per-parameter optimizers'. Amsgrad, sparse
// gradients and parameters whose step counts differ take the base class's per-parameter step.

#include <torch/torch.h>

#include <memory>

namespace jikken {

class MultiTensorSGD : public torch::optim::SGD
{
public:
    using torch::optim::SGD::SGD;
    torch::Tensor step(LossClosure closure = nullptr) override;
};

class MultiTensorAdam : public torch::optim::Adam
{
public:
    using torch::optim::Adam::Adam;
    torch::Tensor step(LossClosure closure = nullptr) override;
};

class MultiTensorAdamW : public torch::optim::AdamW
{
public:
    using torch::optim::AdamW::AdamW;
    torch::Tensor step(LossClosure closure = nullptr) override;
};

} // namespace jikken
