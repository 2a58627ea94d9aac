#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace jikken {

/// What to export: a model file a run kept, and what is known of the run.
struct ExportRequest
{
    QString checkpoint;     ///< the model file (its weights and the inputs it takes, models::ModelInputs)
    QString architecture;   ///< the run's model: "lenet", "resnet18", …
    QStringList classNames; ///< by label; the labels' numbers where empty
    QJsonObject about;      ///< what the file's `jikken.json` says of the run (its ID, dataset, step, metric…)
    QString dataset;        ///< test images for the check, when this machine has them
    QString dataRoot;
};

/// How the exported network was checked against the checkpoint's.
struct ExportCheck
{
    int images = 0;
    bool testImages = false;  ///< the dataset's test images; false: uniform random pixels (no dataset here)
    double maxDifference = 0; ///< the largest |difference| of a logit
};

namespace ModelExport {

/// The largest difference of a logit an export may have from its checkpoint.
constexpr double kTolerance = 1e-5;

/// Writes the trained network as TorchScript to `output`, loadable with `torch.jit.load` in Python or C++
/// without Jikken: `forward(images)` takes float images N x C x H x W of pixel / 255 (the training
/// normalisation is inside) and gives the class logits; attributes `class_names` and `input_shape`
/// (C, H, W), and `jikken.json` among its extra files. Traced in evaluation mode, then loaded back and
/// checked against the checkpoint's network on a batch (of another size than the trace's) to kTolerance;
/// `output` is replaced only by a checked file. None with one line in `error` otherwise.
std::optional<ExportCheck> toTorchScript(const ExportRequest& request, const QString& output, QString* error);

} // namespace ModelExport

} // namespace jikken
