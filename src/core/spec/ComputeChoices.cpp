#include "ComputeChoices.h"

#include "RunSpec.h"

#include <utility>

namespace jikken {

namespace {

template <typename Value>
Value named(const QString& text, std::initializer_list<std::pair<const char*, Value>> names, Value otherwise)
{
    for (const auto& [name, value] : names) {
        if (text == QLatin1String(name))
            return value;
    }
    return otherwise;
}

} // namespace

ComputeChoices ComputeChoices::of(const RunSpec& spec)
{
    ComputeChoices choices;
    choices.precision = named(spec.precision, {{"bf16", Precision::Bf16}, {"fp16", Precision::Fp16}}, Precision::Fp32);
    choices.memoryFormat =
        named(spec.memoryFormat, {{"channels-last", MemoryFormat::ChannelsLast}}, MemoryFormat::Contiguous);
    choices.cudaGraphs = named(spec.cudaGraphs, {{"auto", CudaGraphs::Auto}, {"on", CudaGraphs::On}}, CudaGraphs::Off);
    choices.optimizerStep =
        named(spec.optimizerStep,
              {{"multi-tensor", OptimizerStep::MultiTensor}, {"per-parameter", OptimizerStep::PerParameter}},
              OptimizerStep::Auto);
    choices.cudnnBenchmark = spec.cudnnBenchmark == QLatin1String("on");
    return choices;
}

} // namespace jikken
