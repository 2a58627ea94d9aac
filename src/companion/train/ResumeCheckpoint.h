#pragma once

// The checkpoint a run resumes from: its weights, its optimizer and where it stopped, in the run folder
// (`Trainer::checkpointFileName()` names the files), replaced atomically.

#include "Classifier.h"
#include "ModelInputs.h"

#include <QString>

#include <torch/torch.h>

#include <optional>

namespace jikken {

/// Where a run stopped, and the files that hold its weights and its optimizer's state.
struct Checkpoint
{
    int epoch = 0; ///< epochs completed
    int batch = 0; ///< batches of the next epoch already done (a stop mid-epoch)
    int64_t step = 0;
    QString modelFile;
    QString optimizerFile;
    double lossScale = 0; ///< a float16 run's loss scale (0: none)
};

/// The run folder's checkpoint; none when there is none yet. Throws when the file is not a Jikken checkpoint.
std::optional<Checkpoint> readCheckpoint(const QString& runDirectory);

/// The model file a checkpoint wrote: its name in the run folder, its size and its sha256 (hex).
struct WrittenModel
{
    QString file;
    qint64 size = 0;
    QString sha256;
};

/// Writes the checkpoint: weights first, then the JSON that names them, replaced atomically (a kill, or a
/// full disk, at any moment leaves the previous checkpoint or the new one, never a mix). Throws on failure.
WrittenModel writeCheckpoint(const QString& runDirectory, const Checkpoint& c, models::ClassifierImpl& model,
                             const models::ModelInputs& inputs, torch::optim::Optimizer& optimizer);

} // namespace jikken
