#include "ModelInputs.h"

namespace jikken::models {

namespace {

// Names no module's parameter has (a model's keys are dotted paths of its layers).
constexpr const char* kShapeKey = "jikken_input_shape";
constexpr const char* kMeanKey = "jikken_input_mean";
constexpr const char* kStddevKey = "jikken_input_std";

torch::Tensor doubles(const std::vector<double>& values)
{
    return torch::tensor(values, torch::kFloat64);
}

std::vector<double> valuesOf(const torch::Tensor& tensor)
{
    const torch::Tensor flat = tensor.to(torch::kCPU, torch::kFloat64).contiguous();
    return {flat.data_ptr<double>(), flat.data_ptr<double>() + flat.numel()};
}

} // namespace

void ModelInputs::write(torch::serialize::OutputArchive& archive) const
{
    archive.write(kShapeKey, torch::tensor({shape.channels, shape.height, shape.width, shape.classes}, torch::kInt64),
                  /*is_buffer=*/true);
    archive.write(kMeanKey, doubles(mean), /*is_buffer=*/true);
    archive.write(kStddevKey, doubles(stddev), /*is_buffer=*/true);
}

std::optional<ModelInputs> ModelInputs::read(torch::serialize::InputArchive& archive)
{
    torch::Tensor shape, mean, stddev;
    if (!archive.try_read(kShapeKey, shape, /*is_buffer=*/true) || !archive.try_read(kMeanKey, mean, true) ||
        !archive.try_read(kStddevKey, stddev, true) || shape.numel() != 4)
        return std::nullopt;
    const torch::Tensor sides = shape.to(torch::kCPU, torch::kInt64).contiguous();
    const int64_t* s = sides.data_ptr<int64_t>();
    ModelInputs inputs{{s[0], s[1], s[2], s[3]}, valuesOf(mean), valuesOf(stddev)};
    if (s[0] < 1 || s[1] < 1 || s[2] < 1 || s[3] < 1 || inputs.mean.size() != static_cast<size_t>(s[0]) ||
        inputs.stddev.size() != inputs.mean.size())
        return std::nullopt;
    return inputs;
}

} // namespace jikken::models
