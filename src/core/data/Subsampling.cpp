#include "Subsampling.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace jikken {

std::vector<int> longTailCounts(const std::vector<int>& available, double ratio)
{
    if (available.empty())
        return {};
    const int most = *std::min_element(available.begin(), available.end());
    const size_t classes = available.size();
    std::vector<int> counts(classes);
    for (size_t c = 0; c < classes; ++c) {
        const double exponent = classes > 1 ? -static_cast<double>(c) / static_cast<double>(classes - 1) : 0.0;
        counts[c] = std::max(1, static_cast<int>(std::floor(most * std::pow(ratio, exponent))));
    }
    return counts;
}

std::vector<size_t> pickPerClass(const ImageDataset& dataset, const std::vector<int>& counts, uint64_t seed)
{
    std::vector<size_t> order = pickRandom(dataset.size(), 0, seed);
    std::vector<int> taken(counts.size(), 0);
    std::vector<size_t> picked;
    for (size_t index : order) {
        const uint8_t label = dataset.labels[index];
        if (label < counts.size() && taken[label] < counts[label]) {
            ++taken[label];
            picked.push_back(index);
        }
    }
    return picked;
}

std::vector<size_t> pickRandom(size_t size, size_t limit, uint64_t seed)
{
    std::vector<size_t> order(size);
    for (size_t i = 0; i < size; ++i)
        order[i] = i;
    // std::shuffle's algorithm is unspecified; Fisher-Yates by hand picks the same images on every platform.
    std::mt19937_64 random(seed);
    for (size_t i = size; i > 1; --i)
        std::swap(order[i - 1], order[random() % i]);
    if (limit > 0 && limit < size)
        order.resize(limit);
    return order;
}

} // namespace jikken
