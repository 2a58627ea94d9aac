#include "LossScaler.h"

namespace jikken {

LossScaler::LossScaler() : LossScaler(Options()) {}

LossScaler::LossScaler(Options options) : m_options(options), m_scale(options.initialScale) {}

bool LossScaler::step(torch::optim::Optimizer& optimizer)
{
    std::vector<torch::Tensor> gradients;
    for (auto& group : optimizer.param_groups()) {
        for (auto& parameter : group.params()) {
            if (parameter.grad().defined())
                gradients.push_back(parameter.mutable_grad());
        }
    }
    bool finite = true;
    if (!gradients.empty()) {
        // Multi-tensor kernels on any device (libtorch 1.13's fused unscale-and-check is CUDA-only): a norm
        // is finite only when every element is.
        torch::NoGradGuard noGrad;
        at::_foreach_mul_(gradients, 1.0 / m_scale);
        finite = torch::stack(at::_foreach_norm(gradients)).isfinite().all().item<bool>();
    }
    if (finite) {
        optimizer.step();
        if (++m_goodSteps == m_options.growthInterval) {
            m_scale *= m_options.growthFactor;
            m_goodSteps = 0;
        }
    } else {
        m_scale *= m_options.backoffFactor;
        m_goodSteps = 0;
    }
    return finite;
}

} // namespace jikken
