#pragma once

#include <ATen/Version.h>
#include <torch/torch.h>

#include <string>

namespace jikken::models {

/// Whether this libtorch multiplies matrices with the reference BLAS (its build settings say
/// BLAS_INFO=generic: Debian's libtorch), rather than MKL or OpenBLAS (PyPI's torch, pytorch.org's zips).
inline bool referenceBlas()
{
    static const bool reference = at::show_config().find("BLAS_INFO=generic") != std::string::npos;
    return reference;
}

/// A fully connected layer (parameters and initialisation of torch::nn::Linear) that computes as a 1x1
/// convolution on the CPU of a libtorch with the reference BLAS: there Linear's matrix product runs at
/// ~4 GFLOP/s, and the same product through oneDNN's convolution runs 10-20x faster (see bench/README.md).
/// With MKL (PyPI's torch) it is the other way round, ConvNet trained 1.6x faster as a Linear; on CUDA it is
/// a plain Linear too.
struct DenseImpl : torch::nn::Module
{
    DenseImpl(int64_t in, int64_t out) : linear(register_module("linear", torch::nn::Linear(in, out))) {}

    torch::Tensor forward(const torch::Tensor& x)
    {
        if (!x.is_cpu() || !referenceBlas())
            return linear(x);
        const auto& options = linear->options;
        // -1, not x.size(0): a traced export (ModelExport) takes any batch size.
        return torch::conv2d(x.reshape({-1, options.in_features(), 1, 1}),
                             linear->weight.view({options.out_features(), options.in_features(), 1, 1}), linear->bias)
            .view({-1, options.out_features()});
    }

    torch::nn::Linear linear;
};
TORCH_MODULE(Dense);

} // namespace jikken::models
