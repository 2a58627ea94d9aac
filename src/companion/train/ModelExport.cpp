#include "ModelExport.h"

#include "Classifier.h"
#include "ModelInputs.h"
#include "data/DatasetLoader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <torch/csrc/jit/frontend/tracer.h>
#include <torch/script.h>

#include <sstream>

namespace jikken::ModelExport {

namespace {

constexpr int64_t kTraceImages = 2;
constexpr int64_t kCheckImages = 64;

std::nullopt_t fail(QString* error, const QString& message)
{
    *error = message;
    return std::nullopt;
}

/// "Conv2d" for torch::nn::Conv2dImpl, "LeNet" for jikken::models::(anonymous namespace)::LeNetImpl: a
/// TorchScript class name (made unique by the compilation unit).
std::string typeName(const torch::nn::Module& module)
{
    std::string name = module.name();
    name = name.substr(name.rfind(':') == std::string::npos ? 0 : name.rfind(':') + 1);
    if (name.size() > 4 && name.compare(name.size() - 4, 4, "Impl") == 0)
        name.resize(name.size() - 4);
    name.erase(
        std::remove_if(name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }),
        name.end());
    return name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) ? "Module" + name : name;
}

/// A TorchScript module holding the very tensors of `from` (and of its children, as its own children), so
/// the tracer reads each parameter as the module's attribute rather than as a constant.
torch::jit::Module mirror(const torch::nn::Module& from, const std::shared_ptr<torch::jit::CompilationUnit>& unit)
{
    torch::jit::Module to(c10::QualifiedName("__torch__.jikken." + typeName(from)), unit, /*shouldMangle=*/true);
    to.register_attribute("training", c10::BoolType::get(), false);
    for (const auto& parameter : from.named_parameters(/*recurse=*/false))
        to.register_parameter(parameter.key(), parameter.value(), /*is_buffer=*/false);
    for (const auto& buffer : from.named_buffers(/*recurse=*/false))
        to.register_buffer(buffer.key(), buffer.value());
    for (const auto& child : from.named_children())
        to.register_module(child.key(), mirror(*child.value(), unit));
    return to;
}

/// The images the export is checked on, as its forward takes them (pixel / 255): the dataset's first test
/// images where this machine has the dataset, else uniform random ones.
torch::Tensor checkImages(const ExportRequest& request, const models::InputShape& shape, ExportCheck& check)
{
    QString ignored;
    const std::optional<ImageDataset> test =
        request.dataset.isEmpty()
            ? std::nullopt
            : DatasetLoader::load(request.dataset, request.dataRoot, DatasetLoader::Split::Test, &ignored);
    if (test && test->channels == shape.channels && test->height == shape.height && test->width == shape.width &&
        test->size() > 0) {
        const auto n = std::min<int64_t>(kCheckImages, static_cast<int64_t>(test->size()));
        check.testImages = true;
        return torch::from_blob(const_cast<uint8_t*>(test->pixels.data()),
                                {n, shape.channels, shape.height, shape.width}, torch::kUInt8)
            .to(torch::kFloat32)
            .div(255.0);
    }
    torch::manual_seed(0);
    return torch::rand({kCheckImages, shape.channels, shape.height, shape.width});
}

QJsonArray jsonArray(const std::vector<double>& values)
{
    QJsonArray array;
    for (double value : values)
        array.append(value);
    return array;
}

/// `jikken.json`: the run, and how to feed the network.
std::string describe(const ExportRequest& request, const models::ModelInputs& inputs, const QStringList& classNames)
{
    QJsonObject json = request.about;
    json.insert(QStringLiteral("architecture"), request.architecture);
    json.insert(QStringLiteral("class_names"), QJsonArray::fromStringList(classNames));
    json.insert(QStringLiteral("input"),
                QJsonObject{{QStringLiteral("shape"), QJsonArray{-1, static_cast<double>(inputs.shape.channels),
                                                                 static_cast<double>(inputs.shape.height),
                                                                 static_cast<double>(inputs.shape.width)}},
                            {QStringLiteral("dtype"), QStringLiteral("float32")},
                            {QStringLiteral("scale"), QStringLiteral("pixel / 255, in [0, 1]")},
                            {QStringLiteral("normalised_inside"),
                             QJsonObject{{QStringLiteral("mean"), jsonArray(inputs.mean)},
                                         {QStringLiteral("std"), jsonArray(inputs.stddev)}}}});
    json.insert(QStringLiteral("output"), QStringLiteral("class logits, N x %1").arg(inputs.shape.classes));
    json.insert(QStringLiteral("libtorch"), QStringLiteral(TORCH_VERSION));
    return QJsonDocument(json).toJson().toStdString();
}

/// Traces `forward(images) = network((images - mean) / std)` into `module` as its `forward`.
void traceForward(torch::jit::Module& module, models::ClassifierImpl& network, const torch::Tensor& mean,
                  const torch::Tensor& stddev, const torch::Tensor& example)
{
    auto traced = torch::jit::tracer::trace(
        {example},
        [&](torch::jit::Stack inputs) -> torch::jit::Stack {
            return {network.forward((inputs.at(0).toTensor() - mean) / stddev)};
        },
        [](const torch::autograd::Variable&) { return std::string(); }, /*strict=*/true, /*force_outplace=*/false,
        &module, {"images"});
    const auto function = module._ivalue()->compilation_unit()->create_function(
        c10::QualifiedName(*module.type()->name(), "forward"), traced.first->graph);
    module.type()->addMethod(function);
}

} // namespace

std::optional<ExportCheck> toTorchScript(const ExportRequest& request, const QString& output, QString* error)
{
    const QString file = request.checkpoint;
    try {
        torch::NoGradGuard noGrad;
        torch::serialize::InputArchive archive;
        archive.load_from(file.toStdString(), torch::kCPU);
        const std::optional<models::ModelInputs> inputs = models::ModelInputs::read(archive);
        if (!inputs)
            return fail(error, QStringLiteral("%1 does not say what images its network takes (a model file written "
                                              "before Jikken kept that in it)")
                                   .arg(file));
        auto network = models::makeClassifier(request.architecture.toStdString(), inputs->shape);
        if (!network)
            return fail(error, QStringLiteral("unknown model %1").arg(request.architecture));
        network->load(archive);
        network->to(torch::kFloat32); // a bfloat16 run's weights as most users' code takes them
        network->eval();

        QStringList classNames = request.classNames.mid(0, static_cast<qsizetype>(inputs->shape.classes));
        for (auto label = classNames.size(); label < inputs->shape.classes; ++label)
            classNames << QString::number(label);
        const torch::Tensor mean = torch::tensor(inputs->mean, torch::kFloat64).to(torch::kFloat32).view({1, -1, 1, 1});
        const torch::Tensor stddev =
            torch::tensor(inputs->stddev, torch::kFloat64).to(torch::kFloat32).view({1, -1, 1, 1});

        torch::jit::Module module = mirror(*network, std::make_shared<torch::jit::CompilationUnit>());
        module.register_buffer("input_mean", mean);
        module.register_buffer("input_std", stddev);
        c10::List<std::string> names;
        for (const QString& name : classNames)
            names.push_back(name.toStdString());
        module.register_attribute("class_names", c10::ListType::ofStrings(), names);
        module.register_attribute(
            "input_shape", c10::ListType::ofInts(),
            c10::List<int64_t>({inputs->shape.channels, inputs->shape.height, inputs->shape.width}));
        ExportCheck check;
        const torch::Tensor images = checkImages(request, inputs->shape, check);
        traceForward(module, *network, mean, stddev, images.slice(0, 0, kTraceImages));

        std::ostringstream saved;
        module.save(saved, {{"jikken.json", describe(request, *inputs, classNames)}});
        const std::string bytes = std::move(saved).str();

        // The file as a user loads it, against the checkpoint's network, on more images than were traced.
        std::istringstream reread(bytes);
        torch::jit::Module loaded = torch::jit::load(reread, torch::kCPU);
        const torch::Tensor exported = loaded.forward({images}).toTensor();
        const torch::Tensor expected = network->forward((images - mean) / stddev);
        check.images = static_cast<int>(images.size(0));
        check.maxDifference = exported.sizes() == expected.sizes() ? (exported - expected).abs().max().item<double>()
                                                                   : std::numeric_limits<double>::infinity();
        if (!(check.maxDifference <= kTolerance))
            return fail(error, QStringLiteral("the exported network differs from %1 by %2 on %3 images (more than "
                                              "%4); nothing written")
                                   .arg(file)
                                   .arg(check.maxDifference)
                                   .arg(check.images)
                                   .arg(kTolerance));
        QSaveFile out(output);
        if (!out.open(QIODevice::WriteOnly) ||
            out.write(bytes.data(), static_cast<qint64>(bytes.size())) != static_cast<qint64>(bytes.size()) ||
            !out.commit())
            return fail(error, QStringLiteral("cannot write %1: %2").arg(output, out.errorString()));
        return check;
    } catch (const c10::Error& e) {
        return fail(error, QStringLiteral("cannot export %1: %2")
                               .arg(file, QString::fromStdString(e.what_without_backtrace()).section(u'\n', 0, 0)));
    } catch (const std::exception& e) {
        return fail(error, QStringLiteral("cannot export %1: %2").arg(file, QString::fromUtf8(e.what())));
    }
}

} // namespace jikken::ModelExport
