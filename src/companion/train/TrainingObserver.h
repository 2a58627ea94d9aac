#pragma once

#include "registry/Checkpoints.h"

#include <QString>
#include <QVector>
#include <QtGlobal>

#include <vector>

namespace jikken {

/// What the trainer knows before its first step.
struct TrainingPlan
{
    int epochs = 0;
    int startEpoch = 0;   ///< epochs already done (non-zero when resuming)
    qint64 startStep = 0; ///< optimizer steps already taken
    int batchesPerEpoch = 0;
    qint64 trainImages = 0;
    qint64 testImages = 0;
    std::vector<int> classCounts; ///< training images per class, after any subsampling
    QString device;
    int threads = 0;
    bool cudaGraphs = false; ///< steps recorded in a CUDA graph and replayed
    int worldSize = 1;       ///< data-parallel processes training together
};

struct BatchReport
{
    int epoch = 0; ///< 1-based
    int batch = 0; ///< 1-based within the epoch
    int batches = 0;
    qint64 step = 0;
    double loss = 0; ///< mean training loss since the last report
    double imagesPerSecond = 0;
};

struct EpochReport
{
    int epoch = 0; ///< 1-based
    qint64 step = 0;
    double trainLoss = 0;
    double trainAccuracy = 0;
    double testLoss = 0;
    double testError = 0;
    double learningRate = 0;
    double imagesPerSecond = 0;
    double seconds = 0;
    QVector<qint64> confusion; ///< test images by [true class * classes + predicted class]
    int classes = 0;
};

/// Receives the trainer's progress; the trainer never blocks on anything but this call.
class TrainingObserver
{
public:
    virtual ~TrainingObserver() = default;
    virtual void onPlan(const TrainingPlan& plan) = 0;
    virtual void onBatch(const BatchReport& report) = 0;
    virtual void onEpoch(const EpochReport& report) = 0;
    /// The model files the run keeps (and those it removed), after each checkpoint and at the end.
    virtual void onCheckpoints(const QVector<CheckpointRecord>& records) { Q_UNUSED(records); }
};

} // namespace jikken
