#pragma once

#include "ImageDataset.h"

#include <cstdint>
#include <vector>

namespace jikken {

/// Class counts of a long-tailed training set: class c keeps n_max * ratio^(-c/(C-1)) images, so the
/// first class keeps all of the smallest class's count and the last 1/ratio of it (Cui et al., 2019).
std::vector<int> longTailCounts(const std::vector<int>& available, double ratio);

/// A deterministic pick of `counts[c]` images of each class (seeded), in a shuffled order.
std::vector<size_t> pickPerClass(const ImageDataset& dataset, const std::vector<int>& counts, uint64_t seed);

/// The first `limit` images of a seeded shuffle (all when limit is 0 or larger than the set).
std::vector<size_t> pickRandom(size_t size, size_t limit, uint64_t seed);

} // namespace jikken
