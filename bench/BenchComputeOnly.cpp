// The compute-only training loop: the same ConvNet, optimizer and batches as `jikken train`, with no data
// gathering, logging or registry work. `bench/training.py` compares `jikken train` against it.
#include "Classifier.h"
#include "data/DatasetLoader.h"
#include "train/AllocatorTuning.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv)
{
    const int images = argc > 1 ? std::atoi(argv[1]) : 10000;
    const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
    const int epochs = argc > 3 ? std::atoi(argv[3]) : 2;
    constexpr int64_t kBatch = 64;
    torch::set_num_threads(threads);
    jikken::keepFreedMemoryForReuse(); // as the trainer does
    torch::manual_seed(1);
    QString error;
    const auto data =
        jikken::DatasetLoader::load(QStringLiteral("fashion-mnist"), {}, jikken::DatasetLoader::Split::Train, &error);
    if (!data) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    const torch::Tensor all =
        torch::from_blob(const_cast<uint8_t*>(data->pixels.data()), {60000, 1, 28, 28}, torch::kUInt8)
            .slice(0, 0, images)
            .to(torch::kFloat32)
            .div(255.0)
            .sub(0.286)
            .div(0.353);
    const torch::Tensor labels = torch::from_blob(const_cast<uint8_t*>(data->labels.data()), {60000}, torch::kUInt8)
                                     .slice(0, 0, images)
                                     .to(torch::kInt64);
    // Batches cut in advance: the loop below does nothing but forward, backward and step.
    std::vector<torch::Tensor> x = all.split(kBatch), y = labels.split(kBatch);
    auto model = jikken::models::makeConvNet({1, 28, 28, 10});
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3));
    model->train();
    double lastEpochSeconds = 0;
    for (int epoch = 0; epoch < epochs; ++epoch) {
        const auto start = std::chrono::steady_clock::now();
        for (size_t b = 0; b < x.size(); ++b) {
            for (auto& parameter : model->parameters())
                parameter.mutable_grad() = torch::Tensor(); // as the trainer clears them
            const torch::Tensor loss = torch::nn::functional::cross_entropy(model->forward(x[b]), y[b]);
            loss.backward();
            optimizer.step();
        }
        lastEpochSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    std::printf("%.3f\n", images / lastEpochSeconds);
    return 0;
}
