#pragma once

#include "SystemMetrics.h"
#include "events/EventFileWriter.h"
#include "registry/RegistryClient.h"
#include "spec/RunSpec.h"
#include "train/TrainingObserver.h"

#include <QElapsedTimer>
#include <QPair>
#include <QVector>

#include <functional>
#include <optional>

namespace jikken {

/// Carries a training run's progress to its three readers: the TensorBoard event file, the registry
/// (progress, test error, scalars; batched so the training loop never waits on the database; the
/// machine's CPU, memory and GPU use every few seconds among them) and the person at the terminal (a progress bar, or
/// plain lines when stderr is not a terminal).
class TrainingSession : public TrainingObserver
{
public:
    TrainingSession(RegistryClient& store, QString id, QString runDirectory, RunSpec spec);

    void onPlan(const TrainingPlan& plan) override;
    void onBatch(const BatchReport& report) override;
    void onEpoch(const EpochReport& report) override;
    void onCheckpoints(const QVector<CheckpointRecord>& records) override;

    enum class End { Finished, Failed, Stopped };
    /// Writes the end of the run: final metrics, and the HParams session end unless it may resume.
    void finish(End end);
    /// A data-parallel run's other ranks' metrics, as (tag, value), logged with this process's own.
    void setOtherRanksMetrics(std::function<QVector<QPair<QString, double>>()> metrics)
    {
        m_otherRanksMetrics = std::move(metrics);
    }

private:
    void addScalar(const QString& tag, qint64 step, double value);
    void addScalar(const char* tag, qint64 step, double value) { addScalar(QString::fromLatin1(tag), step, value); }
    void flushToRegistry();
    void warnOnce(const QString& problem);
    void printProgress(const BatchReport& report);
    /// The machine's metrics (SystemMetrics) as scalars at `step`.
    void recordSystem(qint64 step);

    RegistryClient& m_store;
    QString m_id;
    QString m_runDirectory;
    RunSpec m_spec;
    TrainingPlan m_plan;
    EventFileWriter m_events;
    QVector<ScalarPoint> m_pending;
    QElapsedTimer m_sinceFlush;
    QElapsedTimer m_sinceStart;
    std::unique_ptr<SystemMetrics> m_system; ///< from the plan on, when the device is known
    std::function<QVector<QPair<QString, double>>()> m_otherRanksMetrics;
    QElapsedTimer m_sinceSystem;
    qint64 m_systemStep = -1; ///< the step of the last system sample
    std::optional<EpochReport> m_lastEpoch;
    std::optional<double> m_bestTestError;
    bool m_terminal = false;
    bool m_warned = false;
    int m_lastPrintedDecile = -1;
};

} // namespace jikken
