#pragma once

#include <torch/torch.h>

namespace jikken::models {

/// A fully connected layer (parameters and initialisation of torch::nn::Linear) that computes on the CPU
/// as a 1x1 convolution. Debian's libtorch links the reference BLAS, where Linear's matrix product runs at
/// ~4 GFLOP/s; the same product through oneDNN's convolution, which every CPU libtorch has, runs 10-20x
/// faster (see bench/README.md). On CUDA it is a plain Linear.
struct DenseImpl : torch::nn::Module
{
    DenseImpl(int64_t in, int64_t out) : linear(register_module("linear", torch::nn::Linear(in, out))) {}

    torch::Tensor forward(const torch::Tensor& x)
    {
        if (!x.is_cpu())
            return linear(x);
        const auto& options = linear->options;
        const int64_t n = x.size(0);
        return torch::conv2d(x.reshape({n, options.in_features(), 1, 1}),
                             linear->weight.view({options.out_features(), options.in_features(), 1, 1}), linear->bias)
            .view({n, options.out_features()});
    }

    torch::nn::Linear linear;
};
TORCH_MODULE(Dense);

} // namespace jikken::models
