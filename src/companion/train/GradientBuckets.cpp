#include "GradientBuckets.h"

namespace jikken {

GradientBuckets::GradientBuckets(std::vector<torch::Tensor> parameters, RankGroup& group, int64_t bucketBytes)
    : m_group(group)
{
    for (const torch::Tensor& parameter : parameters) {
        if (parameter.requires_grad())
            m_parameters.push_back(parameter);
    }
    m_slots.resize(m_parameters.size());
    // Backward reaches the last layers first: buckets are filled from the last parameter back. As DDP does,
    // a bucket is closed once it holds its cap, and the first one's cap is small, so the all-reduce of the
    // last layers' gradients starts early, overlapped with the backward of all the layers before them.
    std::vector<int64_t> elements;
    int64_t bytes = 0;
    bool open = false;
    for (size_t i = m_parameters.size(); i-- > 0;) {
        const torch::Tensor& parameter = m_parameters[i];
        const torch::Tensor* const first = open ? &m_parameters[m_buckets.back().members.front()] : nullptr;
        if (!first || first->dtype() != parameter.dtype() || first->device() != parameter.device()) {
            m_buckets.emplace_back();
            elements.push_back(0);
            bytes = 0;
        }
        m_slots[i] = {m_buckets.size() - 1, elements.back(), false};
        m_buckets.back().members.push_back(i);
        elements.back() += parameter.numel();
        bytes += static_cast<int64_t>(parameter.nbytes());
        open = bytes < (m_buckets.size() == 1 ? std::min(kFirstBucketBytes, bucketBytes) : bucketBytes);
    }
    for (size_t b = 0; b < m_buckets.size(); ++b) {
        const torch::Tensor& first = m_parameters[m_buckets[b].members.front()];
        m_buckets[b].flat = torch::empty({elements[b]}, first.options().requires_grad(false));
    }
    for (size_t i = 0; i < m_parameters.size(); ++i)
        m_hooks.push_back(
            m_parameters[i].register_hook([this, i](const torch::Tensor& gradient) { arrive(i, gradient); }));
}

GradientBuckets::~GradientBuckets()
{
    for (size_t i = 0; i < m_hooks.size(); ++i)
        m_parameters[i].remove_hook(m_hooks[i]);
}

void GradientBuckets::arrive(size_t parameter, const torch::Tensor& gradient)
{
    // A leaf's hook sees its whole gradient once a backward, however many times the leaf was used.
    Slot& slot = m_slots[parameter];
    Bucket& bucket = m_buckets[slot.bucket];
    torch::NoGradGuard noGrad;
    bucket.flat.narrow(0, slot.offset, gradient.numel()).copy_(gradient.reshape(-1));
    slot.arrived = true;
    if (++bucket.arrived == bucket.members.size())
        start(bucket);
}

void GradientBuckets::start(Bucket& bucket)
{
    // Divided before the sum, as DDP does: the sum of means is the mean, and no value grows world-size times.
    bucket.flat.div_(m_group.size());
    bucket.pending = m_group.sumLater(bucket.flat);
}

void GradientBuckets::reduce()
{
    torch::NoGradGuard noGrad;
    for (Bucket& bucket : m_buckets) {
        if (bucket.pending)
            continue;
        // A parameter this rank's loss did not reach: zeros, so the bucket still meets the other ranks'.
        for (const size_t member : bucket.members) {
            if (!m_slots[member].arrived)
                bucket.flat.narrow(0, m_slots[member].offset, m_parameters[member].numel()).zero_();
        }
        start(bucket);
    }
    for (Bucket& bucket : m_buckets) {
        m_group.wait(bucket.pending);
        bucket.pending.reset();
        bucket.arrived = 0;
    }
    for (size_t i = 0; i < m_parameters.size(); ++i) {
        Slot& slot = m_slots[i];
        torch::Tensor& parameter = m_parameters[i];
        const torch::Tensor mean = m_buckets[slot.bucket].flat.narrow(0, slot.offset, parameter.numel());
        if (parameter.grad().defined())
            parameter.mutable_grad().copy_(mean.view(parameter.sizes()));
        else
            parameter.mutable_grad() = mean.view(parameter.sizes()).clone();
        slot.arrived = false;
    }
}

} // namespace jikken
