#include "TrainingSession.h"

#include "Console.h"
#include "dispatch/GpuProbe.h"
#include "events/LoggedTables.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cstdio>
#include <utility>

namespace jikken {

namespace {

constexpr qint64 kRegistryFlushMs = 2000;
/// How often system metrics are sampled (and at every epoch's end): JIKKEN_SYSTEM_SAMPLE_SECONDS, else 5 s.
QString duration(double seconds)
{
    const auto s = static_cast<qint64>(seconds + 0.5);
    return s >= 3600 ? QStringLiteral("%1:%2:%3")
                           .arg(s / 3600)
                           .arg(s / 60 % 60, 2, 10, QLatin1Char('0'))
                           .arg(s % 60, 2, 10, QLatin1Char('0'))
                     : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

TrainingSession::TrainingSession(RegistryClient& store, QString id, QString runDirectory, RunSpec spec)
    : m_store(store), m_id(std::move(id)), m_runDirectory(std::move(runDirectory)), m_spec(std::move(spec)),
      m_terminal(console::stderrIsTerminal())
{
    m_sinceFlush.start();
    m_sinceStart.start();
}

void TrainingSession::warnOnce(const QString& problem)
{
    if (m_warned)
        return;
    m_warned = true;
    console::fail(QStringLiteral("warning: %1 (training goes on)").arg(problem));
}

void TrainingSession::onPlan(const TrainingPlan& plan)
{
    m_plan = plan;
    m_system = std::make_unique<SystemMetrics>(plan.device);
    m_sinceSystem.start();
    QString error;
    if (!m_events.open(m_runDirectory, &error))
        throw std::runtime_error(error.toStdString());
    const double now = EventFileWriter::now();
    // A resumed run restarts after its checkpoint's step: TensorBoard (and Jikken's reader) drop the points
    // a killed run wrote past it, which this run is about to write again.
    if (plan.startStep > 0)
        m_events.addSessionStart(plan.startStep + 1, now);
    QJsonArray counts;
    for (int count : plan.classCounts)
        counts.append(count);
    const QString specText = QString::fromUtf8(QJsonDocument(m_spec.toJson()).toJson(QJsonDocument::Indented));
    m_events.addText(QStringLiteral("run/spec"), QStringLiteral("```json\n") + specText + QStringLiteral("```"),
                     plan.startStep);
    if (!m_spec.memo.isEmpty())
        m_events.addText(QStringLiteral("run/memo"), m_spec.memo, plan.startStep);
    m_events.addText(QStringLiteral("data/class_counts"),
                     QString::fromUtf8(QJsonDocument(counts).toJson(QJsonDocument::Compact)), plan.startStep);
    m_events.addHparams(m_spec.hyperparameters(),
                        {QStringLiteral("test/error"), QStringLiteral("test/loss"), QStringLiteral("train/loss")}, now);
    m_events.flush(nullptr);
    // A data-parallel run's record names every rank's device (its description), not rank 0's alone.
    const bool oneProcess = plan.worldSize == 1;
    if ((oneProcess && !m_store.setDevice(m_id, GpuProbe::physicalDevice(plan.device), &error)) ||
        !m_store.reportProgress(m_id, plan.startEpoch, plan.startStep, std::nullopt, &error))
        warnOnce(error);
    console::note(QStringLiteral("%1: %2 on %3 (%4 training, %5 test images), %6, %7 threads, epochs %8-%9 -> %10")
                      .arg(m_id, m_spec.model, m_spec.dataset)
                      .arg(plan.trainImages)
                      .arg(plan.testImages)
                      .arg(plan.cudaGraphs ? plan.device + QStringLiteral(" (steps replayed from a CUDA graph)")
                           : oneProcess    ? plan.device
                                           : plan.device + QStringLiteral(" (rank 0 of %1)").arg(plan.worldSize))
                      .arg(plan.threads)
                      .arg(plan.startEpoch + 1)
                      .arg(plan.epochs)
                      .arg(m_runDirectory));
}

void TrainingSession::addScalar(const QString& tag, qint64 step, double value)
{
    const double now = EventFileWriter::now();
    m_events.addScalar(tag.toStdString(), step, static_cast<float>(value), now);
    m_pending.append({tag, step, now, value});
}

void TrainingSession::flushToRegistry()
{
    QString error;
    if (!m_pending.isEmpty() && !m_store.addScalars(m_id, m_pending, &error))
        warnOnce(error);
    m_pending.clear();
    m_events.flush(nullptr);
    m_sinceFlush.restart();
}

void TrainingSession::printProgress(const BatchReport& r)
{
    const double fraction = static_cast<double>(r.batch) / std::max(1, r.batches);
    const qint64 remainingImages = static_cast<qint64>(r.batches - r.batch) * m_spec.batchSize +
                                   static_cast<qint64>(m_plan.epochs - r.epoch) * m_plan.trainImages;
    const QString eta = r.imagesPerSecond > 0 ? duration(static_cast<double>(remainingImages) / r.imagesPerSecond)
                                              : QStringLiteral("?");
    const QString text = QStringLiteral("epoch %1/%2 batch %3/%4  %5 img/s  ETA %6  loss %7")
                             .arg(r.epoch)
                             .arg(m_plan.epochs)
                             .arg(r.batch)
                             .arg(r.batches)
                             .arg(r.imagesPerSecond, 0, 'f', 0)
                             .arg(eta)
                             .arg(r.loss, 0, 'f', 4);
    if (m_terminal) {
        constexpr int kWidth = 24;
        const int filled = static_cast<int>(fraction * kWidth);
        const QString bar = QString(filled, u'#') + QString(kWidth - filled, u'.');
        std::fprintf(stderr, "\r\033[K[%s] %s", bar.toLatin1().constData(), text.toUtf8().constData());
        std::fflush(stderr);
        return;
    }
    // Plain lines for logs and tmux scrollback: one per tenth of an epoch.
    const int decile = static_cast<int>(fraction * 10);
    if (decile != m_lastPrintedDecile) {
        m_lastPrintedDecile = decile;
        console::note(text);
    }
}

void TrainingSession::recordSystem(qint64 step)
{
    // Once a step: an epoch's last batch can be due for its timed sample at the very step the epoch's end
    // samples, and a step logged twice is one point in the registry but two in the event file.
    if (!m_system || step == std::exchange(m_systemStep, step))
        return;
    for (const SystemMetrics::Sample& sample : m_system->sample())
        addScalar(QString::fromLatin1(sample.tag), step, sample.value);
    if (m_otherRanksMetrics) {
        for (const auto& [tag, value] : m_otherRanksMetrics())
            addScalar(tag, step, value);
    }
    m_sinceSystem.restart();
}

void TrainingSession::onBatch(const BatchReport& report)
{
    addScalar("train/loss", report.step, report.loss);
    static const qint64 sampleMs = SystemMetrics::sampleIntervalMs();
    if (m_sinceSystem.elapsed() >= sampleMs)
        recordSystem(report.step);
    printProgress(report);
    if (m_sinceFlush.elapsed() >= kRegistryFlushMs) {
        QString error;
        if (!m_store.reportProgress(m_id, report.epoch - 1, report.step, std::nullopt, &error))
            warnOnce(error);
        flushToRegistry();
    }
}

void TrainingSession::onEpoch(const EpochReport& r)
{
    addScalar("train/epoch_loss", r.step, r.trainLoss);
    addScalar("train/accuracy", r.step, r.trainAccuracy);
    addScalar("test/loss", r.step, r.testLoss);
    addScalar("test/error", r.step, r.testError);
    addScalar("test/accuracy", r.step, 1.0 - r.testError);
    addScalar("lr", r.step, r.learningRate);
    addScalar("train/images_per_second", r.step, r.imagesPerSecond);
    recordSystem(r.step);
    if (r.classes > 0) // TensorBoard's Text tab shows it as a table; the viewer draws it as a matrix
        m_events.addText(QStringLiteral("test/confusion_matrix"),
                         LoggedTables::confusionMarkdown(r.confusion, r.classes), r.step);
    QString error;
    if (!m_store.reportProgress(m_id, r.epoch, r.step, r.testError, &error))
        warnOnce(error);
    flushToRegistry();
    m_lastEpoch = r;
    if (!m_bestTestError || r.testError < *m_bestTestError)
        m_bestTestError = r.testError;
    m_lastPrintedDecile = -1;
    if (m_terminal)
        std::fprintf(stderr, "\r\033[K");
    console::note(QStringLiteral("epoch %1/%2  train loss %3  acc %4  test loss %5  error %6  %7 img/s  %8")
                      .arg(r.epoch)
                      .arg(m_plan.epochs)
                      .arg(r.trainLoss, 0, 'f', 4)
                      .arg(r.trainAccuracy, 0, 'f', 4)
                      .arg(r.testLoss, 0, 'f', 4)
                      .arg(r.testError, 0, 'f', 4)
                      .arg(r.imagesPerSecond, 0, 'f', 0)
                      .arg(duration(r.seconds)));
}

void TrainingSession::onCheckpoints(const QVector<CheckpointRecord>& records)
{
    QString error;
    if (!m_store.setCheckpoints(m_id, records, &error))
        warnOnce(error);
}

void TrainingSession::finish(End end)
{
    flushToRegistry();
    if (m_lastEpoch) {
        const QJsonObject metrics{{QStringLiteral("test_error"), m_lastEpoch->testError},
                                  {QStringLiteral("test_accuracy"), 1.0 - m_lastEpoch->testError},
                                  {QStringLiteral("test_loss"), m_lastEpoch->testLoss},
                                  {QStringLiteral("train_loss"), m_lastEpoch->trainLoss},
                                  {QStringLiteral("train_accuracy"), m_lastEpoch->trainAccuracy},
                                  {QStringLiteral("best_test_error"), m_bestTestError.value_or(m_lastEpoch->testError)},
                                  {QStringLiteral("epochs"), m_lastEpoch->epoch},
                                  {QStringLiteral("steps"), static_cast<double>(m_lastEpoch->step)},
                                  {QStringLiteral("images_per_second"), m_lastEpoch->imagesPerSecond}};
        QString error;
        if (!m_store.setFinalMetrics(m_id, metrics, &error))
            warnOnce(error);
    }
    if (m_events.isOpen() && end != End::Stopped)
        m_events.addHparamsEnd(end == End::Finished ? EventFileWriter::SessionStatus::Success
                                                    : EventFileWriter::SessionStatus::Failure,
                               EventFileWriter::now());
    m_events.close();
}

} // namespace jikken
