#include "MultiTensorOptimizers.h"

#include <cmath>
#include <cstdio>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace jikken {

namespace {

/// The key of a parameter's state in `Optimizer::state_`: its TensorImpl's address, as text in libtorch
/// 1.x, the address itself in 2.x.
template <typename Key> Key stateKey(const torch::Tensor& parameter)
{
    if constexpr (std::is_same_v<Key, std::string>) {
        std::ostringstream text; // as c10::guts::to_string writes a pointer
        text << parameter.unsafeGetTensorImpl();
        return text.str();
    } else {
        return static_cast<Key>(parameter.unsafeGetTensorImpl());
    }
}

template <typename States> auto keyOf(const States&, const torch::Tensor& parameter)
{
    return stateKey<typename States::key_type>(parameter);
}

/// The parameters of a group that have a gradient, and those gradients.
void withGradients(const torch::optim::OptimizerParamGroup& group, std::vector<torch::Tensor>* parameters,
                   std::vector<torch::Tensor>* gradients)
{
    for (const torch::Tensor& parameter : group.params()) {
        if (parameter.grad().defined()) {
            parameters->push_back(parameter);
            gradients->push_back(parameter.grad());
        }
    }
}

/// Whether every group can take the multi-tensor step: no loss closure (gradients already there), no
/// sparse gradient, and (for Adam) no amsgrad and one step count among the parameters that step, so
/// one bias correction serves them all.
template <typename Options, typename State, typename States>
bool takesMultiTensorStep(const std::vector<torch::optim::OptimizerParamGroup>& groups, const States& states,
                          bool closure)
{
    if (closure)
        return false;
    for (const auto& group : groups) {
        if constexpr (!std::is_void_v<Options>) {
            if (static_cast<const Options&>(group.options()).amsgrad())
                return false;
        }
        [[maybe_unused]] std::optional<int64_t> steps;
        for (const torch::Tensor& parameter : group.params()) {
            if (!parameter.grad().defined())
                continue;
            if (parameter.grad().is_sparse())
                return false;
            if constexpr (!std::is_void_v<State>) {
                const auto it = states.find(keyOf(states, parameter));
                const int64_t step = it == states.end() ? 0 : static_cast<const State&>(*it->second).step();
                if (steps && *steps != step)
                    return false;
                steps = step;
            }
        }
    }
    return true;
}

/// The step count the fused kernel reads for group `group`, on the device, counted up to `step` there: a
/// tensor filled from the host only where it is new or behind (a resumed run, steps the foreach kernels
/// took), never in a step recorded in a CUDA graph, whose counts are kept up (countReplayedSteps).
torch::Tensor deviceStepCount(FusedAdamSteps& fused, size_t group, int64_t step, const torch::Device& device)
{
    if (fused.counts.size() <= group)
        fused.counts.resize(group + 1);
    FusedAdamSteps::Count& count = fused.counts[group];
    if (!count.onDevice.defined() || count.holds != step - 1)
        count.onDevice =
            torch::full({}, static_cast<double>(step - 1), torch::TensorOptions().dtype(torch::kFloat).device(device));
    count.onDevice.add_(1);
    count.holds = step;
    return count.onDevice;
}

/// Adam's step in one fused kernel (weight decay as Adam's, added to the gradients; AdamW's is done
/// before), each parameter's step count read from `count`. False, and nothing changed, when the kernel
/// refuses the tensors: the caller steps without it.
bool fusedAdamStep(const std::vector<torch::Tensor>& parameters, const std::vector<torch::Tensor>& gradients,
                   const std::vector<torch::Tensor>& averages, const std::vector<torch::Tensor>& squares,
                   const torch::Tensor& count, const torch::optim::AdamOptions& options)
{
    try {
        at::_fused_adam_(parameters, gradients, averages, squares, {},
                         std::vector<torch::Tensor>(parameters.size(), count), options.lr(),
                         std::get<0>(options.betas()), std::get<1>(options.betas()), options.weight_decay(),
                         options.eps(), false, false);
        return true;
    } catch (const c10::Error& error) {
        std::fprintf(stderr, "jikken: the fused Adam kernel refused the parameters; stepping without it: %s\n",
                     error.what_without_backtrace());
        return false;
    }
}

/// One Adam or AdamW step over a group, the moments updated in place; `decoupled`: AdamW's weight decay
/// (the parameters shrink) instead of Adam's (the gradients grow). Fused where the kernel takes the
/// parameters, while `fused.usable` holds; a refusal clears it. True when the fused kernel stepped.
template <typename Options, typename State, typename States>
bool adamStep(torch::optim::OptimizerParamGroup& group, size_t groupIndex, States& states, bool decoupled,
              FusedAdamSteps& fused)
{
    const auto& options = static_cast<const Options&>(group.options());
    std::vector<torch::Tensor> parameters, gradients;
    withGradients(group, &parameters, &gradients);
    if (parameters.empty())
        return true; // nothing stepped, nothing read off the host
    std::vector<torch::Tensor> averages, squares;
    int64_t step = 0;
    for (const torch::Tensor& parameter : parameters) {
        auto& state = states[keyOf(states, parameter)];
        if (!state) {
            auto fresh = std::make_unique<State>();
            fresh->step(0);
            fresh->exp_avg(torch::zeros_like(parameter, torch::MemoryFormat::Preserve));
            fresh->exp_avg_sq(torch::zeros_like(parameter, torch::MemoryFormat::Preserve));
            state = std::move(fresh);
        }
        auto& moments = static_cast<State&>(*state);
        step = moments.step() + 1; // the same for all (takesMultiTensorStep)
        moments.step(step);
        averages.push_back(moments.exp_avg());
        squares.push_back(moments.exp_avg_sq());
    }
    if (fused.usable && fusedAdamTakes(parameters, gradients)) {
        if (decoupled && options.weight_decay() != 0)
            at::_foreach_mul_(parameters, 1 - options.lr() * options.weight_decay());
        const auto adam = torch::optim::AdamOptions(options.lr())
                              .betas(options.betas())
                              .eps(options.eps())
                              .weight_decay(decoupled ? 0 : options.weight_decay());
        const torch::Tensor count = deviceStepCount(fused, groupIndex, step, parameters.front().device());
        if (fusedAdamStep(parameters, gradients, averages, squares, count, adam))
            return true;
        fused.usable = false;
        if (decoupled && options.weight_decay() != 0) // undone: the step below decays them itself
            at::_foreach_div_(parameters, 1 - options.lr() * options.weight_decay());
    }
    const double beta1 = std::get<0>(options.betas()), beta2 = std::get<1>(options.betas());
    const double correction1 = 1 - std::pow(beta1, static_cast<double>(step));
    const double correction2 = 1 - std::pow(beta2, static_cast<double>(step));
    if (options.weight_decay() != 0) {
        if (decoupled)
            at::_foreach_mul_(parameters, 1 - options.lr() * options.weight_decay());
        else
            gradients = at::_foreach_add(gradients, parameters, options.weight_decay());
    }
    at::_foreach_mul_(averages, beta1);
    at::_foreach_add_(averages, gradients, 1 - beta1);
    at::_foreach_mul_(squares, beta2);
    at::_foreach_addcmul_(squares, gradients, gradients, 1 - beta2);
    std::vector<torch::Tensor> denominators = at::_foreach_sqrt(squares);
    at::_foreach_div_(denominators, std::sqrt(correction2));
    at::_foreach_add_(denominators, options.eps());
    at::_foreach_addcdiv_(parameters, averages, denominators, -options.lr() / correction1);
    return false;
}

/// Adam's or AdamW's step over every group: multi-tensor where they all take it, else `perParameter`
/// (the base class's step). Notes in `fused` whether the fused kernel took the whole step.
template <typename Options, typename State, typename States, typename PerParameter>
torch::Tensor adamSteps(std::vector<torch::optim::OptimizerParamGroup>& groups, States& states, bool decoupled,
                        FusedAdamSteps& fused, bool closure, const PerParameter& perParameter)
{
    fused.lastStepFused = false;
    if (!takesMultiTensorStep<Options, State>(groups, states, closure))
        return perParameter();
    torch::NoGradGuard noGrad;
    bool all = true;
    for (size_t g = 0; g < groups.size(); ++g)
        all = adamStep<Options, State>(groups[g], g, states, decoupled, fused) && all;
    fused.lastStepFused = all;
    return {};
}

/// Counts replayed steps in every parameter's state and in the device counts that go with them.
template <typename State, typename States>
void countReplayed(std::vector<torch::optim::OptimizerParamGroup>& groups, States& states, FusedAdamSteps& fused,
                   int64_t steps)
{
    for (const auto& group : groups) {
        for (const torch::Tensor& parameter : group.params()) {
            const auto it = states.find(keyOf(states, parameter));
            if (it != states.end()) {
                auto& state = static_cast<State&>(*it->second);
                state.step(state.step() + steps);
            }
        }
    }
    for (FusedAdamSteps::Count& count : fused.counts)
        count.holds += steps;
}

} // namespace

bool fusedAdamTakes(const std::vector<torch::Tensor>& parameters, const std::vector<torch::Tensor>& gradients)
{
    if (parameters.empty() || !parameters.front().is_cuda())
        return false;
    const torch::Device device = parameters.front().device();
    const torch::ScalarType type = parameters.front().scalar_type();
    if (type != torch::kFloat && type != torch::kHalf && type != torch::kBFloat16 && type != torch::kDouble)
        return false;
    for (size_t i = 0; i < parameters.size(); ++i) {
        const torch::Tensor &parameter = parameters[i], &gradient = gradients[i];
        if (parameter.device() != device || gradient.device() != device || parameter.scalar_type() != type ||
            gradient.scalar_type() != type || !parameter.is_non_overlapping_and_dense() ||
            parameter.strides() != gradient.strides())
            return false;
    }
    return true;
}

torch::Tensor MultiTensorSGD::step(LossClosure closure)
{
    m_lastStepMultiTensor = takesMultiTensorStep<void, void>(param_groups_, state_, closure != nullptr);
    if (!m_lastStepMultiTensor)
        return torch::optim::SGD::step(closure);
    torch::NoGradGuard noGrad;
    for (auto& group : param_groups_) {
        const auto& options = static_cast<const torch::optim::SGDOptions&>(group.options());
        std::vector<torch::Tensor> parameters, gradients;
        withGradients(group, &parameters, &gradients);
        if (parameters.empty())
            continue;
        std::vector<torch::Tensor> steps = gradients;
        if (options.weight_decay() != 0)
            steps = at::_foreach_add(steps, parameters, options.weight_decay());
        if (options.momentum() != 0) {
            std::vector<torch::Tensor> buffers, carried; // the buffers there already, and what they take in
            std::vector<torch::Tensor> momentum;         // every parameter's buffer, after this step
            for (size_t i = 0; i < parameters.size(); ++i) {
                auto& state = state_[keyOf(state_, parameters[i])];
                if (!state) { // the first step: the buffer starts as the step itself
                    auto fresh = std::make_unique<torch::optim::SGDParamState>();
                    fresh->momentum_buffer(torch::clone(steps[i]).detach());
                    state = std::move(fresh);
                } else {
                    buffers.push_back(static_cast<torch::optim::SGDParamState&>(*state).momentum_buffer());
                    carried.push_back(steps[i]);
                }
                momentum.push_back(static_cast<torch::optim::SGDParamState&>(*state).momentum_buffer());
            }
            if (!buffers.empty()) {
                at::_foreach_mul_(buffers, options.momentum());
                at::_foreach_add_(buffers, carried, 1 - options.dampening());
            }
            steps = options.nesterov() ? at::_foreach_add(steps, momentum, options.momentum()) : momentum;
        }
        at::_foreach_add_(parameters, steps, -options.lr());
    }
    return {};
}

torch::Tensor MultiTensorAdam::step(LossClosure closure)
{
    return adamSteps<torch::optim::AdamOptions, torch::optim::AdamParamState>(
        param_groups_, state_, false, m_fused, closure != nullptr, [&] { return torch::optim::Adam::step(closure); });
}

void MultiTensorAdam::countReplayedSteps(int64_t steps)
{
    countReplayed<torch::optim::AdamParamState>(param_groups_, state_, m_fused, steps);
}

torch::Tensor MultiTensorAdamW::step(LossClosure closure)
{
    return adamSteps<torch::optim::AdamWOptions, torch::optim::AdamWParamState>(
        param_groups_, state_, true, m_fused, closure != nullptr, [&] { return torch::optim::AdamW::step(closure); });
}

void MultiTensorAdamW::countReplayedSteps(int64_t steps)
{
    countReplayed<torch::optim::AdamWParamState>(param_groups_, state_, m_fused, steps);
}

} // namespace jikken
