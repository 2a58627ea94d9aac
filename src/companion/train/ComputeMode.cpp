#include "ComputeMode.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace jikken {

namespace {

// libtorch 2.4 made autocast's switches per device type; 1.x had one pair per backend.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool autocastEnabled(c10::DeviceType device)
{
    return at::autocast::is_autocast_enabled(device);
}
void setAutocast(c10::DeviceType device, at::ScalarType type, bool enabled)
{
    at::autocast::set_autocast_dtype(device, type);
    at::autocast::set_autocast_enabled(device, enabled);
}
#else
bool autocastEnabled(c10::DeviceType device)
{
    return device == c10::DeviceType::CUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
}
void setAutocast(c10::DeviceType device, at::ScalarType type, bool enabled)
{
    if (device == c10::DeviceType::CUDA) {
        at::autocast::set_autocast_gpu_dtype(type);
        at::autocast::set_enabled(enabled);
    } else {
        at::autocast::set_autocast_cpu_dtype(type);
        at::autocast::set_cpu_enabled(enabled);
    }
}
#endif

std::optional<at::ScalarType> autocastType(ComputeChoices::Precision precision)
{
    switch (precision) {
    case ComputeChoices::Precision::Bf16:
        return at::kBFloat16;
    case ComputeChoices::Precision::Fp16:
        return at::kHalf;
    case ComputeChoices::Precision::Fp32:
        break;
    }
    return std::nullopt;
}

} // namespace

ComputeMode::ComputeMode(const RunSpec& spec, const torch::Device& device)
    : m_choices(ComputeChoices::of(spec)), m_device(device), m_autocast(autocastType(m_choices.precision)),
      m_channelsLast(m_choices.memoryFormat == ComputeChoices::MemoryFormat::ChannelsLast)
{
    if (m_choices.cudnnBenchmark)
        at::globalContext().setBenchmarkCuDNN(true);
}

void ComputeMode::prepare(torch::nn::Module& model) const
{
    if (!m_channelsLast)
        return;
    torch::NoGradGuard noGrad;
    for (torch::Tensor& parameter : model.parameters()) {
        if (parameter.dim() == 4)
            parameter.set_data(parameter.contiguous(at::MemoryFormat::ChannelsLast));
    }
}

torch::Tensor ComputeMode::input(const torch::Tensor& images) const
{
    return m_channelsLast && images.dim() == 4 ? images.contiguous(at::MemoryFormat::ChannelsLast) : images;
}

ComputeMode::Autocast::Autocast(c10::DeviceType device, std::optional<at::ScalarType> type)
    : m_device(device), m_type(type), m_was(type && autocastEnabled(device))
{
    if (m_type)
        setAutocast(m_device, *m_type, true);
}

ComputeMode::Autocast::~Autocast()
{
    if (!m_type)
        return;
    setAutocast(m_device, *m_type, m_was);
    if (!m_was)
        at::autocast::clear_cache(); // casts of the weights made for this pass
}

} // namespace jikken
