#pragma once

#include "RankGroup.h"

#include <torch/torch.h>

#include <vector>

namespace jikken {

/// Averages a model's gradients over the ranks as PyTorch's DDP reducer does: the parameters are put in
/// buckets of about 25 MB (the first of 1 MB), in the reverse of their order (about the order backward
/// produces their gradients), and a bucket's all-reduce starts as soon as its last gradient is in, while backward goes
/// on with the layers below. After backward, `reduce` waits for the buckets and leaves every parameter's gradient the
/// mean over the ranks.
class GradientBuckets
{
public:
    static constexpr int64_t kBucketBytes = 25 * 1024 * 1024; ///< DDP's bucket_cap_mb
    static constexpr int64_t kFirstBucketBytes = 1024 * 1024; ///< DDP's _DEFAULT_FIRST_BUCKET_BYTES

    GradientBuckets(std::vector<torch::Tensor> parameters, RankGroup& group, int64_t bucketBytes = kBucketBytes);
    ~GradientBuckets();
    GradientBuckets(const GradientBuckets&) = delete;
    GradientBuckets& operator=(const GradientBuckets&) = delete;

    /// Call after backward: every parameter's gradient becomes the ranks' mean (a parameter no rank's
    /// loss reached gets zeros, as on the others).
    void reduce();

    int buckets() const { return static_cast<int>(m_buckets.size()); }

private:
    struct Slot
    {
        size_t bucket = 0;
        int64_t offset = 0; ///< elements into the bucket's flat tensor
        bool arrived = false;
    };
    struct Bucket
    {
        torch::Tensor flat;          ///< the bucket's gradients end to end, divided by the world size
        std::vector<size_t> members; ///< indices into m_parameters
        size_t arrived = 0;
        RankGroup::Pending pending; ///< its all-reduce, once started
    };

    void arrive(size_t parameter, const torch::Tensor& gradient);
    void start(Bucket& bucket);

    std::vector<torch::Tensor> m_parameters;
    std::vector<Slot> m_slots;
    std::vector<Bucket> m_buckets;
    std::vector<unsigned> m_hooks;
    RankGroup& m_group;
};

} // namespace jikken
