#pragma once

#include "Classifier.h"

#include <optional>
#include <vector>

namespace jikken::models {

/// What a model file says of the images its network takes, beside the weights: their shape and class
/// count, and the per-channel mean and standard deviation the training images were normalised by (after
/// pixel / 255). Each checkpoint carries it, so an export needs neither the dataset nor the run folder.
struct ModelInputs
{
    InputShape shape{};
    std::vector<double> mean;
    std::vector<double> stddev;

    /// Adds it to an archive that holds a model's weights (keys a model's own load ignores).
    void write(torch::serialize::OutputArchive& archive) const;
    /// What `write` put there; none in a file written before checkpoints carried it.
    static std::optional<ModelInputs> read(torch::serialize::InputArchive& archive);
};

} // namespace jikken::models
