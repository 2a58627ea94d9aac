#include "RunData.h"

#include "data/DatasetLoader.h"
#include "data/Subsampling.h"

#include <cmath>
#include <stdexcept>

namespace jikken {

namespace {

TensorData toTensors(const ImageDataset& data, const std::vector<double>& mean, const std::vector<double>& stddev,
                     torch::Device device)
{
    const auto n = static_cast<int64_t>(data.size());
    torch::Tensor pixels = torch::from_blob(const_cast<uint8_t*>(data.pixels.data()),
                                            {n, data.channels, data.height, data.width}, torch::kUInt8)
                               .to(torch::kFloat32)
                               .div_(255.0);
    for (int c = 0; c < data.channels; ++c)
        pixels.select(1, c).sub_(mean[static_cast<size_t>(c)]).div_(stddev[static_cast<size_t>(c)]);
    torch::Tensor labels =
        torch::from_blob(const_cast<uint8_t*>(data.labels.data()), {n}, torch::kUInt8).to(torch::kInt64);
    return {pixels.to(device), labels.to(device)};
}

void channelStatistics(const ImageDataset& data, std::vector<double>& mean, std::vector<double>& stddev)
{
    const size_t plane = static_cast<size_t>(data.height) * static_cast<size_t>(data.width);
    for (int c = 0; c < data.channels; ++c) {
        double sum = 0, squares = 0;
        for (size_t i = 0; i < data.size(); ++i) {
            const uint8_t* p = data.pixels.data() + i * data.imageBytes() + static_cast<size_t>(c) * plane;
            uint64_t s = 0, q = 0;
            for (size_t k = 0; k < plane; ++k) {
                s += p[k];
                q += static_cast<uint64_t>(p[k]) * p[k];
            }
            sum += static_cast<double>(s);
            squares += static_cast<double>(q);
        }
        const double n = std::max(1.0, static_cast<double>(data.size() * plane));
        const double m = sum / n / 255.0;
        mean.push_back(m);
        stddev.push_back(std::max(std::sqrt(std::max(0.0, squares / n / (255.0 * 255.0) - m * m)), 1e-6));
    }
}

} // namespace

/// With ranks, each keeps every world-size-th test image from its rank on: together they test them all once.
RunData loadRunData(const RunSpec& spec, torch::Device device, const RankPlace& place)
{
    QString error;
    std::optional<ImageDataset> train =
        DatasetLoader::load(spec.dataset, spec.dataRoot, DatasetLoader::Split::Train, &error);
    if (!train)
        throw std::runtime_error(error.toStdString());
    std::optional<ImageDataset> test =
        DatasetLoader::load(spec.dataset, spec.dataRoot, DatasetLoader::Split::Test, &error);
    if (!test)
        throw std::runtime_error(error.toStdString());
    const auto seed = static_cast<uint64_t>(spec.seed);
    if (spec.imbalanceRatio > 1.0)
        train = train->subset(pickPerClass(*train, longTailCounts(train->classCounts(), spec.imbalanceRatio), seed));
    if (spec.trainLimit > 0)
        train = train->subset(pickRandom(train->size(), static_cast<size_t>(spec.trainLimit), seed));
    if (spec.testLimit > 0)
        test = test->subset(pickRandom(test->size(), static_cast<size_t>(spec.testLimit), seed));
    // Both normalised by the training images' statistics.
    std::vector<double> mean, stddev;
    channelStatistics(*train, mean, stddev);
    TensorData testShare = toTensors(*test, mean, stddev, device);
    if (place.isDistributed())
        testShare = {testShare.images.slice(0, place.rank, testShare.size(), place.worldSize),
                     testShare.labels.slice(0, place.rank, testShare.size(), place.worldSize)};
    return {toTensors(*train, mean, stddev, device),
            std::move(testShare),
            {{train->channels, train->height, train->width, train->classes}, mean, stddev},
            train->classCounts(),
            static_cast<int64_t>(test->size())};
}

} // namespace jikken
