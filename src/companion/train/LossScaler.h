#pragma once

#include <torch/torch.h>

namespace jikken {

/// Dynamic loss scaling for a float16 forward pass, as PyTorch's GradScaler does it: the loss is multiplied
/// by a large scale before backward so that small gradients do not vanish in float16, the gradients are
/// divided by it again before the optimizer steps, and a step whose gradients overflowed (inf or NaN) is
/// skipped and the scale halved; after `growthInterval` good steps in a row the scale doubles.
class LossScaler
{
public:
    struct Options
    {
        double initialScale = 65536.0; // 2^16, GradScaler's
        double growthFactor = 2.0;
        double backoffFactor = 0.5;
        int growthInterval = 2000;
    };

    LossScaler();
    explicit LossScaler(Options options);

    torch::Tensor scale(const torch::Tensor& loss) const { return loss * m_scale; }
    /// Unscales the optimizer's gradients and steps when they are all finite; then updates the scale.
    /// Whether it stepped. Reads one flag back from the device (GradScaler does the same).
    bool step(torch::optim::Optimizer& optimizer);

    double scaleValue() const { return m_scale; }
    /// A checkpoint's scale, resumed.
    void setScale(double scale) { m_scale = scale; }

private:
    Options m_options;
    double m_scale;
    int m_goodSteps = 0;
};

} // namespace jikken
