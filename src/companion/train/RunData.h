#pragma once

#include "ModelInputs.h"
#include "RankPlace.h"
#include "spec/RunSpec.h"

#include <torch/torch.h>

#include <vector>

namespace jikken {

/// A dataset as one normalised float tensor on the training device, plus its labels.
struct TensorData
{
    torch::Tensor images;
    torch::Tensor labels;
    int64_t size() const { return labels.size(0); }
};

/// The images a run trains and tests on (subsampled as the spec says), normalised, on the training device.
struct RunData
{
    TensorData train;
    TensorData test;
    models::ModelInputs inputs;   ///< their shape and the statistics they were normalised by
    std::vector<int> classCounts; ///< training images per class, after any subsampling
    int64_t testImages = 0;       ///< of every rank together
};

/// Loads the spec's dataset (subsampled as it says), normalised by the training images' statistics, onto
/// `device`; of the test images, a rank keeps its share (`place`). Throws std::runtime_error naming what
/// is missing.
RunData loadRunData(const RunSpec& spec, torch::Device device, const RankPlace& place);

} // namespace jikken
