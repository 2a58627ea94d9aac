#pragma once

namespace jikken {

struct RunSpec;

/// How a run computes, as its spec's text fields (`precision`, `memory_format`, `cuda_graphs`, `optimizer_step`,
/// `cudnn_benchmark`) say it, read once into values the trainer switches on. The spec keeps the text: it is what
/// a spec file, a flag and a run's hyperparameters hold.
struct ComputeChoices
{
    enum class Precision { Fp32, Bf16, Fp16 };
    enum class MemoryFormat { Contiguous, ChannelsLast };
    enum class CudaGraphs { Auto, On, Off };
    /// All parameters at once (ATen's foreach kernels), one at a time (libtorch's own), or the first on CUDA.
    enum class OptimizerStep { Auto, MultiTensor, PerParameter };

    Precision precision = Precision::Fp32;
    MemoryFormat memoryFormat = MemoryFormat::Contiguous;
    CudaGraphs cudaGraphs = CudaGraphs::Off;
    OptimizerStep optimizerStep = OptimizerStep::Auto;
    bool cudnnBenchmark = false;

    /// The spec's choices. Its fields were checked against their allowed values when it was read; a value
    /// set past that check reads as the field's default.
    static ComputeChoices of(const RunSpec& spec);
};

} // namespace jikken
