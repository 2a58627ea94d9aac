#pragma once

#include "spec/RunSpec.h"

#include <torch/torch.h>

#include <vector>

namespace jikken {

/// The training loss of a method: softmax (cross-entropy), focalloss, label-smoothing, class-balanced.
class Loss
{
public:
    Loss(const RunSpec& spec, const std::vector<int>& classCounts, torch::Device device);
    torch::Tensor operator()(const torch::Tensor& logits, const torch::Tensor& targets) const;

    /// Class-balanced weights (1 - beta) / (1 - beta^n_c), scaled to sum to the number of classes.
    static torch::Tensor classBalancedWeights(const std::vector<int>& classCounts, double beta);

private:
    enum class Kind { Softmax, Focal, LabelSmoothing, ClassBalanced } m_kind;
    double m_focalGamma;
    double m_smoothing;
    torch::Tensor m_weights;
};

} // namespace jikken
