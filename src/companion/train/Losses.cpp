#include "Losses.h"

#include <cmath>

namespace jikken {

Loss::Loss(const RunSpec& spec, const std::vector<int>& classCounts, torch::Device device)
    : m_kind(spec.method == QLatin1String("focalloss")         ? Kind::Focal
             : spec.method == QLatin1String("label-smoothing") ? Kind::LabelSmoothing
             : spec.method == QLatin1String("class-balanced")  ? Kind::ClassBalanced
                                                               : Kind::Softmax),
      m_focalGamma(spec.focalGamma), m_smoothing(spec.labelSmoothing)
{
    if (m_kind == Kind::ClassBalanced)
        m_weights = classBalancedWeights(classCounts, spec.classBalancedBeta).to(device);
}

torch::Tensor Loss::classBalancedWeights(const std::vector<int>& classCounts, double beta)
{
    std::vector<float> weights;
    double sum = 0;
    for (int count : classCounts) {
        const double effective = (1.0 - std::pow(beta, std::max(count, 1))) / (1.0 - beta);
        weights.push_back(static_cast<float>(1.0 / effective));
        sum += weights.back();
    }
    for (float& w : weights)
        w = static_cast<float>(w * static_cast<double>(weights.size()) / sum);
    return torch::tensor(weights);
}

torch::Tensor Loss::operator()(const torch::Tensor& logits, const torch::Tensor& targets) const
{
    const torch::Tensor logp = torch::log_softmax(logits, /*dim=*/1);
    const torch::Tensor logpTarget = logp.gather(1, targets.unsqueeze(1)).squeeze(1);
    switch (m_kind) {
    case Kind::Focal: // Lin et al. 2017: -(1 - p_t)^gamma log p_t
        return (-(1 - logpTarget.exp()).pow(m_focalGamma) * logpTarget).mean();
    case Kind::LabelSmoothing: // mix the target with the uniform distribution
        return ((1 - m_smoothing) * -logpTarget + m_smoothing * -logp.mean(1)).mean();
    case Kind::ClassBalanced: // Cui et al. 2019, softmax version: weighted mean as nll_loss takes it
        return torch::nn::functional::nll_loss(logp, targets,
                                               torch::nn::functional::NLLLossFuncOptions().weight(m_weights));
    case Kind::Softmax:
        break;
    }
    return -logpTarget.mean();
}

} // namespace jikken
