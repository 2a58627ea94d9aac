#pragma once

#include <QString>

namespace jikken {

/// What the companion was built with: libtorch's version, the CUDA and cuDNN that libtorch was built
/// against (its own build settings, not this machine's toolkit), and which of the GPU paths this build has.
/// `jikken --version` prints it, so that a server's companion says what it can do before a run needs it.
struct LibtorchBuild
{
    QString libtorch;
    QString cuda;            ///< empty for a CPU libtorch
    QString cudnn;           ///< empty without cuDNN
    bool cudaGraphs = false; ///< StepGraph's calls compiled in (JIKKEN_CUDA_GRAPHS)
    bool fusedAdam = false;  ///< ATen's fused Adam kernel for CUDA parameters
    bool nccl = false;       ///< libtorch has NCCL (multi-GPU collectives)
    QString rankGroups;      ///< the process groups data-parallel ranks can use here ("Gloo", "NCCL", "none")

    static LibtorchBuild current();
    /// Reads libtorch's "Build settings: KEY=VALUE, …" line (`at::show_config()`), the part that says CUDA.
    static LibtorchBuild fromConfig(const QString& config);
    /// Two lines: "libtorch 2.11.0, CUDA 13.0, cuDNN 9.19.0" and "CUDA graphs: yes, fused Adam: yes, NCCL: yes".
    QString describe() const;
};

} // namespace jikken
