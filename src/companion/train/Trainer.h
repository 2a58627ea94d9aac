#pragma once

#include "RankPlace.h"
#include "TrainingObserver.h"
#include "spec/RunSpec.h"

#include <QJsonObject>
#include <QString>

#include <atomic>
#include <memory>

namespace jikken {

/// Trains a classifier with libtorch as a RunSpec says, checkpointing into its run folder. This header
/// is torch-free so the command line that drives it compiles without torch.
class Trainer
{
public:
    enum class Outcome { Finished, Stopped };

    Trainer(RunSpec spec, QString runDirectory);
    ~Trainer();

    /// Continue from the run folder's last checkpoint instead of starting fresh.
    void setResume(bool resume) { m_resume = resume; }
    /// The host the run's checkpoints are on, as the registry names it (`jikken pull` fetches from it).
    void setHost(const QString& host) { m_host = host; }
    /// Train as one rank of a data-parallel run (Trainer meets the others through `place.rendezvous`).
    void setRankPlace(const RankPlace& place) { m_place = place; }

    /// Trains until done or until `stop` becomes true (then checkpoints mid-epoch and returns Stopped).
    /// Throws std::exception (c10::Error included) with a readable message on failure.
    Outcome run(TrainingObserver& observer, const std::atomic<bool>& stop);

    /// Empty when this machine can train on `device` ("auto", "cpu", "cuda", "cuda:N"), else why not.
    static QString deviceProblem(const QString& device);
    /// Empty when the spec's precision and CUDA graphs can run on its device, else why not (float16 needs
    /// CUDA; `cuda_graphs: on` needs CUDA, a libtorch with it, no float16 and the multi-tensor step).
    static QString computeProblem(const RunSpec& spec);
    /// libtorch's version and whether CUDA is there, for the registry.
    static QJsonObject libraryVersions();
    static QString checkpointFileName() { return QStringLiteral("checkpoint.json"); }

private:
    RunSpec m_spec;
    QString m_runDirectory;
    bool m_resume = false;
    QString m_host;
    RankPlace m_place;
};

} // namespace jikken
