#pragma once

#include "spec/ComputeChoices.h"
#include "spec/RunSpec.h"

#include <torch/torch.h>

namespace jikken {

/// How the trainer computes, as the spec asks: the forward pass under autocast in bfloat16 or float16
/// (`precision: bf16|fp16`; weights, gradients and the optimizer stay float32), tensors in channels-last
/// layout (`memory_format: channels-last`, what cuDNN's fastest convolutions want), and cuDNN's
/// benchmark mode (`cudnn_benchmark: on`: it times its algorithms once per shape and keeps the fastest).
class ComputeMode
{
public:
    ComputeMode(const RunSpec& spec, const torch::Device& device);

    /// The spec's compute fields as values, read once: what the optimizer and the training loop switch on too.
    const ComputeChoices& choices() const { return m_choices; }

    /// Puts the model's 4-D weights in the layout asked for.
    void prepare(torch::nn::Module& model) const;
    /// A batch of images in the layout asked for.
    torch::Tensor input(const torch::Tensor& images) const;

    /// Autocast on the run's device while alive (when the precision asks for it); the logits of a forward
    /// pass inside it are float32 again through `logits`.
    class Autocast
    {
    public:
        /// Autocast in `type` (none: off).
        Autocast(c10::DeviceType device, std::optional<at::ScalarType> type);
        ~Autocast();
        Autocast(const Autocast&) = delete;
        Autocast& operator=(const Autocast&) = delete;

    private:
        c10::DeviceType m_device;
        std::optional<at::ScalarType> m_type;
        bool m_was;
    };
    Autocast autocast() const { return Autocast(m_device.type(), m_autocast); }
    /// Whether the gradients need loss scaling (float16's range is too narrow for small ones).
    bool scalesLoss() const { return m_autocast == at::kHalf; }
    /// Logits as the loss wants them: float32.
    static torch::Tensor logits(const torch::Tensor& output) { return output.to(torch::kFloat); }

private:
    ComputeChoices m_choices;
    torch::Device m_device;
    std::optional<at::ScalarType> m_autocast;
    bool m_channelsLast = false;
};

} // namespace jikken
