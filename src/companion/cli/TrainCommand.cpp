#include "Console.h"
#include "JournalDelivery.h"
#include "RankLauncher.h"
#include "RankSystemMetrics.h"
#include "RegistryCommands.h"
#include "ReportedRun.h"
#include "TrainingSession.h"
#include "data/DatasetLoader.h"
#include "dispatch/SessionScripts.h"
#include "events/EventLogReader.h"
#include "ids/ModelId.h"
#include "registry/HttpRegistryClient.h"
#include "train/Rendezvous.h"
#include "train/Trainer.h"
#include "util/Provenance.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

#include <atomic>
#include <csignal>
#include <map>
#include <memory>

namespace jikken {

namespace {

std::atomic<bool> g_stopRequested{false};
std::atomic<int> g_stopSignal{0};

extern "C" void requestStop(int signal)
{
    // First SIGINT/SIGTERM: finish the step, checkpoint, exit. A second one kills at once.
    g_stopSignal.store(signal);
    g_stopRequested.store(true);
    std::signal(signal, SIG_DFL);
}

struct TrainOptions
{
    std::string specPath;
    std::string id;
    std::string resume;
    std::map<std::string, std::string> fields; ///< spec field -> flag text, for the flags given
    // Data-parallel training (RankLauncher): this node's place and GPUs; a rank started by a launcher.
    std::string gpus;
    int nodeRank = 0;
    std::string master;
    int worker = -1;
    std::string rendezvous;
};

QString recordedCommand()
{
    QStringList words;
    for (const QString& argument : QCoreApplication::arguments())
        words << console::shellQuote(argument);
    return words.join(u' ');
}

bool writeResolvedSpec(const QString& runDirectory, const RunSpec& spec, QString* error)
{
    QSaveFile file(QDir(runDirectory).filePath(QStringLiteral("spec.json")));
    if (file.open(QIODevice::WriteOnly) && file.write(QJsonDocument(spec.toJson()).toJson()) >= 0 && file.commit())
        return true;
    *error = QStringLiteral("cannot write %1: %2").arg(file.fileName(), file.errorString());
    return false;
}

/// What is wrong with the command line itself; empty when nothing is.
QString usageProblem(const TrainOptions& options)
{
    const bool resuming = !options.resume.empty();
    if (resuming && !options.id.empty())
        return QStringLiteral("give --id or --resume, not both");
    if (resuming && !options.specPath.empty())
        return QStringLiteral("--resume continues with the run's own spec; give no SPEC file");
    if (options.nodeRank > 0 && options.master.empty())
        return QStringLiteral("--node-rank %1 joins node 0 at --master HOST:PORT; give it").arg(options.nodeRank);
    if (options.fields.count("nnodes") && options.fields.at("nnodes") != "1" && options.master.empty())
        return QStringLiteral("--nnodes above 1 needs --master HOST:PORT, where node 0 listens for the others");
    const std::string& idText = resuming ? options.resume : options.id;
    QString error;
    if (!idText.empty() && !ModelId::parse(QString::fromStdString(idText), &error))
        return error;
    return {};
}

/// What this machine lacks for `spec` (its device, its dataset's files); empty when nothing.
QString machineProblem(const RunSpec& spec)
{
    QString problem = Trainer::deviceProblem(spec.device);
    if (problem.isEmpty())
        problem = Trainer::computeProblem(spec);
    for (const auto split : {DatasetLoader::Split::Train, DatasetLoader::Split::Test}) {
        QString error;
        if (problem.isEmpty() && DatasetLoader::locate(spec.dataset, spec.dataRoot, split, &error).isEmpty())
            problem = error;
    }
    return problem;
}

/// The run's record as it starts: what it trains, where, with what, from which commit.
RunDescription describeRun(const RunSpec& spec, const QString& command, const QString& runDirectory,
                           const QString& devices)
{
    const Provenance provenance = Provenance::probe(QDir::currentPath());
    RunDescription description = spec.description();
    // A dispatched run carries the host's name as the user knows it (its ssh alias).
    description.host = qEnvironmentVariable("JIKKEN_HOST", provenance.host);
    description.device = devices.isEmpty() ? spec.device : devices;
    description.command = command;
    description.gitCommit = provenance.gitCommit;
    description.gitDirty = provenance.gitDirty;
    description.versions = Trainer::libraryVersions();
    description.logDir = runDirectory;
    return description;
}

/// What a `jikken train` trains, settled before anything starts.
struct PlannedRun
{
    RunSpec spec;
    QString id;
    QString runDirectory;
    QString command; ///< the command that reproduces the run
};

/// Where a request ends before training: its exit status, the reason printed.
using Exit = std::optional<int>;

/// The spec asked for (the resumed run's own, a file's, or the defaults) with the flags' fields set; for a
/// resumed run also its ID, folder and command.
Exit planSpec(const TrainOptions& options, RegistryClient& direct, PlannedRun& run)
{
    QString error;
    std::optional<RunSpec> spec;
    run.command = recordedCommand();
    if (!options.resume.empty()) {
        run.id = QString::fromStdString(options.resume);
        const auto record = direct.run(run.id, &error);
        if (!record)
            return console::fail(error);
        // The command that reproduces the run is still the first one.
        run.command = options.fields.empty() ? record->command
                                             : record->command + QStringLiteral(" # resumed with: ") + run.command;
        if (record->status == RunStatus::Finished && !options.fields.count("epochs"))
            return console::fail(QStringLiteral("%1 has finished; to train it longer give --epochs").arg(run.id));
        run.runDirectory = record->logDir;
        spec = RunSpec::fromFile(QDir(run.runDirectory).filePath(QStringLiteral("spec.json")), &error);
    } else if (!options.specPath.empty()) {
        spec = RunSpec::fromFile(QString::fromStdString(options.specPath), &error);
    } else {
        spec = RunSpec();
    }
    if (!spec)
        return console::fail(error, console::kUsage);
    for (const auto& [field, text] : options.fields) {
        if (!spec->set(QString::fromStdString(field), QString::fromStdString(text), &error))
            return console::fail(error, console::kUsage);
    }
    run.spec = std::move(*spec);
    // SGD's learning rates (0.1) given to Adam, the default, train to chance: said before an hour is spent.
    if (run.spec.optimizer != QLatin1String("sgd") && run.spec.lr >= 0.05)
        console::note(QStringLiteral("warning: lr %1 is an SGD learning rate; %2 (the optimizer here) wants about "
                                     "0.001 and may not learn at this one: give --optimizer sgd, or a smaller --lr")
                          .arg(run.spec.lr)
                          .arg(run.spec.optimizer));
    return std::nullopt;
}

/// The ID a new run trains under, and its folder: one reserved before (`--id`, trainable while the service
/// is away: the journal delivers later) or a fresh one.
Exit planNewRun(const TrainOptions& options, RegistryClient& direct, bool remote, PlannedRun& run)
{
    QString error;
    const auto away = [&] { return remote && direct.lastFailure() == RegistryFailure::Unreachable; };
    if (!options.id.empty()) {
        run.id = QString::fromStdString(options.id);
        const auto record = direct.run(run.id, &error);
        if (!record && away())
            console::note(
                QStringLiteral("warning: %1; training %2 anyway, reports wait in its journal").arg(error, run.id));
        else if (!record)
            return console::fail(error + QStringLiteral("; reserve it first with jikken reserve"));
        // Reserved by hand, or queued and taken by an agent (jikken agent).
        if (record && record->status != RunStatus::Reserved && record->status != RunStatus::Queued)
            return console::fail(QStringLiteral("%1 is %2, not reserved; continue it with --resume %1")
                                     .arg(run.id, toString(record->status)));
    } else {
        const auto reserved = direct.reserve(run.spec.method, &error);
        if (!reserved && away())
            return console::fail(error + QStringLiteral("; no ID was reserved and nothing was started (reserve one "
                                                        "when it answers, or give --id with an ID reserved before)"));
        if (!reserved)
            return console::fail(error);
        run.id = reserved->toString();
    }
    run.runDirectory = QDir(QFileInfo(run.spec.logRoot).absoluteFilePath()).filePath(run.id);
    // A new run's folder holds no curves yet: event files there are another run's of the same ID (another
    // registry's, a copied folder), and writing beside them would give each step two different values.
    // An event file is what TensorBoard and the viewer take for one (EventLogReader::isEventFileName).
    for (const QString& file : QDir(run.runDirectory).entryList(QDir::Files, QDir::Name)) {
        if (EventLogReader::isEventFileName(file))
            return console::fail(QStringLiteral("%1 already holds another run's event file %2; move that folder "
                                                "away (or set log_root elsewhere) and train %3 again with --id %3")
                                     .arg(run.runDirectory, file, run.id));
    }
    return std::nullopt;
}

/// Trains a planned run whose ID is printed, in its claimed folder; a failure marks the run failed.
class PlannedTraining
{
public:
    /// `place` and `devices` (every rank's, for the record) for rank 0 of a data-parallel run.
    PlannedTraining(const PlannedRun& plan, bool resuming, RegistryClient& direct, RankPlace place = {},
                    QString devices = {})
        : m_plan(plan), m_resuming(resuming), m_place(std::move(place)), m_devices(std::move(devices)),
          m_run(plan.id, plan.runDirectory, direct)
    {
    }

    void setOtherRanksMetrics(std::function<QVector<QPair<QString, double>>()> metrics)
    {
        m_otherRanksMetrics = std::move(metrics);
    }

    int start(const ClientConfig& config)
    {
        if (const auto exit = m_run.open(config))
            return *exit;
        QString error;
        RegistryClient& registry = m_run.registry();
        if (!writeResolvedSpec(m_plan.runDirectory, m_plan.spec, &error))
            return m_run.fail(error);
        const RunDescription description = describeRun(m_plan.spec, m_plan.command, m_plan.runDirectory, m_devices);
        m_host = description.host; // where its checkpoints are
        if (!registry.describe(m_plan.id, description, &error) ||
            !registry.setStatus(m_plan.id, RunStatus::Running, {}, &error))
            return m_run.fail(error);
        // A resumed run keeps the memo it has now, which may have been edited since it started.
        if (!m_resuming && !m_plan.spec.memo.isEmpty() && !registry.setMemo(m_plan.id, m_plan.spec.memo, &error))
            return m_run.fail(error);
        return train();
    }

private:
    int train()
    {
        std::signal(SIGINT, requestStop);
        std::signal(SIGTERM, requestStop);
        TrainingSession session(m_run.registry(), m_plan.id, m_plan.runDirectory, m_plan.spec);
        session.setOtherRanksMetrics(m_otherRanksMetrics);
        Trainer trainer(m_plan.spec, m_plan.runDirectory);
        trainer.setResume(m_resuming);
        trainer.setHost(m_host);
        trainer.setRankPlace(m_place);
        try {
            if (trainer.run(session, g_stopRequested) == Trainer::Outcome::Stopped) {
                session.finish(TrainingSession::End::Stopped);
                return stopped();
            }
            session.finish(TrainingSession::End::Finished);
        } catch (const std::exception& e) {
            // c10::Error carries a backtrace after its first line; the first line is the message.
            session.finish(TrainingSession::End::Failed);
            return m_run.fail(QString::fromUtf8(e.what()).section(u'\n', 0, 0));
        }
        return finished();
    }

    int stopped()
    {
        QString error;
        // A rank's stop is every rank's: rank 0 may stop for a signal another rank got.
        const int signal = g_stopSignal.load() != 0 ? g_stopSignal.load() : SIGTERM;
        m_run.registry().setStatus(
            m_plan.id, RunStatus::Stopped,
            QStringLiteral("stopped by %1; resume with jikken train --resume %2")
                .arg(signal == SIGINT ? QStringLiteral("SIGINT") : QStringLiteral("SIGTERM"), m_plan.id),
            &error);
        console::note(
            QStringLiteral("%1 stopped at a checkpoint; resume with: jikken train --resume %1").arg(m_plan.id));
        m_run.deliver();
        return 128 + signal;
    }

    int finished()
    {
        QString error;
        if (!m_run.registry().setStatus(m_plan.id, RunStatus::Finished, {}, &error))
            return console::fail(error);
        if (!m_run.deliver()) {
            // Trained, but the registry does not have all of it: the last line and the exit status say so.
            console::note(QStringLiteral("%1 trained; the registry does not have all of its reports yet (see above)")
                              .arg(m_plan.id));
            return console::kUndelivered;
        }
        if (const auto record = m_run.registry().run(m_plan.id, &error))
            console::note(QStringLiteral("%1 finished: test error %2 (best %3)")
                              .arg(m_plan.id)
                              .arg(record->latestTestError.value_or(1.0), 0, 'f', 4)
                              .arg(record->bestTestError.value_or(1.0), 0, 'f', 4));
        return console::kOk;
    }

    const PlannedRun& m_plan;
    const bool m_resuming;
    const RankPlace m_place;
    const QString m_devices;
    std::function<QVector<QPair<QString, double>>()> m_otherRanksMetrics;
    QString m_host; ///< the run's host as its record names it
    ReportedRun m_run;
};

/// The CUDA devices `--gpus` names ("0,1,3"), or why they cannot be.
std::optional<QStringList> gpuList(const std::string& text, QString* error)
{
    QStringList gpus;
    for (const QString& gpu : QString::fromStdString(text).split(u',')) {
        bool ok = false;
        const QString trimmed = gpu.trimmed();
        if (trimmed.toUInt(&ok) > 1024 || !ok || trimmed.startsWith(u'+') || gpus.contains(trimmed)) {
            *error = QStringLiteral("--gpus %1: give distinct CUDA device numbers, such as 0,1,2,3")
                         .arg(QString::fromStdString(text));
            return std::nullopt;
        }
        gpus << trimmed;
    }
    return gpus;
}

/// The options with what `--gpus` implies: a process each (--nproc) on CUDA (--device).
std::optional<TrainOptions> withGpus(const TrainOptions& options, QStringList& gpus, QString* error)
{
    TrainOptions implied = options;
    if (options.gpus.empty())
        return implied;
    const auto list = gpuList(options.gpus, error);
    if (!list)
        return std::nullopt;
    gpus = *list;
    const std::string count = std::to_string(gpus.size());
    if (options.fields.count("nproc") && options.fields.at("nproc") != count) {
        *error = QStringLiteral("--gpus names %1 GPUs but --nproc is %2; one process runs on each GPU")
                     .arg(gpus.size())
                     .arg(QString::fromStdString(options.fields.at("nproc")));
        return std::nullopt;
    }
    implied.fields["nproc"] = count;
    implied.fields.try_emplace("device", "cuda");
    return implied;
}

NodeLaunch nodeLaunch(const TrainOptions& options, const QStringList& gpus, const RunSpec& spec,
                      const RegistryLocation& location)
{
    return {options.nodeRank,
            spec.nproc,
            spec.nnodes,
            gpus,
            QString::fromStdString(options.master),
            QString::fromStdString(location.path),
            spec.threads};
}

/// Node 0 of a data-parallel run: its ranks started on the plan; the run failed if rank 0 is lost.
int launchRun(const NodeLaunch& launch, const PlannedRun& run, bool resuming, RegistryClient& direct)
{
    QString error;
    // The other ranks' lines, tagged, kept in the run's output.log beside rank 0's own.
    if (!QDir().mkpath(run.runDirectory) ||
        !console::keepIn(QDir(run.runDirectory).filePath(QString::fromLatin1(SessionScripts::kOutputLog)), &error))
        return console::fail(error.isEmpty() ? QStringLiteral("cannot create %1").arg(run.runDirectory) : error);
    const RankPlan plan{run.id, run.spec.toJson(), run.runDirectory, run.command, resuming};
    return launchRanks(launch, plan, [&](const QString& why) {
        QString ignored;
        direct.setStatus(run.id, RunStatus::Failed, why, &ignored);
        console::note(QStringLiteral("%1 failed: %2").arg(run.id, why));
    });
}

/// A rank other than 0: trains its share, reports nothing but its lines (its launcher tags them).
class RankLines : public TrainingObserver
{
public:
    RankLines(Rendezvous& rendezvous, int rank) : m_rendezvous(rendezvous), m_rank(rank) {}

    void onPlan(const TrainingPlan& plan) override
    {
        console::note(QStringLiteral("training on %1, %2 batches an epoch").arg(plan.device).arg(plan.batchesPerEpoch));
        m_system = std::make_unique<SystemMetrics>(plan.device);
        m_sinceSample.start();
    }
    /// Its machine metrics go to rank 0 (RankSystemMetrics), which logs them.
    void onBatch(const BatchReport&) override
    {
        static const qint64 sampleMs = SystemMetrics::sampleIntervalMs();
        if (!m_system || m_sinceSample.elapsed() < sampleMs)
            return;
        rank_system::publish(m_rendezvous, m_rank, m_system->sample());
        m_sinceSample.restart();
    }
    void onEpoch(const EpochReport& report) override
    {
        console::note(QStringLiteral("epoch %1 done at step %2: train loss %3, test error %4 (over every rank)")
                          .arg(report.epoch)
                          .arg(report.step)
                          .arg(report.trainLoss, 0, 'f', 4)
                          .arg(report.testError, 0, 'f', 4));
    }

private:
    Rendezvous& m_rendezvous;
    const int m_rank;
    std::unique_ptr<SystemMetrics> m_system;
    QElapsedTimer m_sinceSample;
};

int trainOtherRank(const PlannedRun& run, bool resuming, const RankPlace& place, Rendezvous& rendezvous)
{
    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
    RankLines lines(rendezvous, place.rank);
    Trainer trainer(run.spec, run.runDirectory);
    trainer.setResume(resuming);
    trainer.setRankPlace(place);
    try {
        // Stopped by a signal of its own, or by one rank 0 got (`jikken stop`), which every rank agrees on.
        if (trainer.run(lines, g_stopRequested) == Trainer::Outcome::Stopped)
            return g_stopSignal.load() != 0 ? 128 + g_stopSignal.load() : console::kOk;
    } catch (const std::exception& e) {
        return console::fail(QString::fromUtf8(e.what()).section(u'\n', 0, 0));
    }
    return console::kOk;
}

/// A rank a launcher started (`--worker RANK --rendezvous WHERE`): the run's plan from the rendezvous;
/// rank 0 reports it as a run of one process would.
int trainRank(const TrainOptions& options, const RegistryLocation& location)
{
    QString error;
    const QString where = QString::fromStdString(options.rendezvous);
    const std::unique_ptr<Rendezvous> rendezvous = Rendezvous::open(where, /*host=*/false, &error);
    if (!rendezvous)
        return console::fail(error);
    const auto json = rendezvous->get(rendezvous_keys::plan(), std::chrono::minutes(1), &error);
    const std::optional<RankPlan> plan = json ? RankPlan::fromJson(*json, &error) : std::nullopt;
    std::optional<RunSpec> spec = plan ? RunSpec::fromJson(plan->spec, &error) : std::nullopt;
    if (!spec)
        return console::fail(error);
    for (const auto& [field, text] : options.fields) { // the rank's own device and threads
        if (!spec->set(QString::fromStdString(field), QString::fromStdString(text), &error))
            return console::fail(error, console::kUsage);
    }
    RankPlace place{options.worker, spec->worldSize(), where, QStringLiteral("127.0.0.1")};
    if (where.startsWith(QLatin1String("tcp:"))) {
        QString master = where.mid(4).section(u':', 0, -2);
        if (master.startsWith(u'['))
            master = master.mid(1, master.size() - 2);
        place.address = Rendezvous::addressToward(master, &error);
        if (place.address.isEmpty())
            return console::fail(error);
    }
    const PlannedRun run{*spec, plan->id, plan->runDirectory, plan->command};
    if (place.rank != 0)
        return trainOtherRank(run, plan->resuming, place, *rendezvous);
    const QString devices = describeWorld(*rendezvous, spec->nnodes, spec->worldSize());
    return withRegistry(location, [&](RegistryClient& direct, const ClientConfig& config) {
        PlannedTraining training(run, plan->resuming, direct, place, devices);
        training.setOtherRanksMetrics(
            [&rendezvous, &place] { return rank_system::gather(*rendezvous, place.worldSize); });
        return training.start(config);
    });
}

int train(const TrainOptions& given, const RegistryLocation& location)
{
    if (given.worker >= 0)
        return trainRank(given, location);
    QString error;
    QStringList gpus;
    const std::optional<TrainOptions> implied = withGpus(given, gpus, &error);
    if (!implied)
        return console::fail(error, console::kUsage);
    const TrainOptions& options = *implied;
    if (const QString problem = usageProblem(options); !problem.isEmpty())
        return console::fail(problem, console::kUsage);
    // Another node of a data-parallel run: everything but its GPUs comes from node 0.
    if (options.nodeRank > 0)
        return launchRanks(nodeLaunch(options, gpus, RunSpec(), location), std::nullopt, {});
    // Before the run has a directory for its journal, the registry is asked directly: the ID, the record
    // to resume. A service that does not answer then stops the run before it starts.
    return withRegistry(location, [&options, &gpus, &location](RegistryClient& direct, const ClientConfig& config) {
        // Everything that can be wrong with the request is checked before an ID is reserved: a bad spec, or
        // a missing dataset or GPU, leaves no record behind.
        const bool resuming = !options.resume.empty();
        PlannedRun run;
        if (const Exit exit = planSpec(options, direct, run))
            return *exit;
        if (const QString problem = machineProblem(run.spec); !problem.isEmpty())
            return console::fail(problem);
        if (!resuming) {
            if (const Exit exit = planNewRun(options, direct, config.isService(), run))
                return *exit;
        }
        console::out(run.id + u'\n');
        if (run.spec.worldSize() > 1)
            return launchRun(nodeLaunch(options, gpus, run.spec, location), run, resuming, direct);
        return PlannedTraining(run, resuming, direct).start(config);
    });
}

int sync(const QString& runDirectory, const RegistryLocation& location)
{
    QString error;
    const auto config = location.resolve(&error);
    if (!config)
        return console::fail(error, console::kUsage);
    if (!config->isService())
        return console::fail(QStringLiteral("jikken sync sends a run's journal to a registry service; none is "
                                            "configured (set JIKKEN_REGISTRY and JIKKEN_TOKEN)"),
                             console::kUsage);
    if (!QFileInfo::exists(QDir(runDirectory).filePath(QString::fromLatin1(RegistryJournal::kFileName))))
        return console::fail(QStringLiteral("%1 has no registry journal").arg(runDirectory), console::kUsage);
    // No run is alive here: no heartbeats.
    JournalingRegistryClient journaled(config->service, config->token, {}, runDirectory,
                                       journal::options(/*heartbeats=*/false));
    if (!journaled.start(&error))
        return console::fail(error);
    if (!journal::deliver(journaled, runDirectory))
        return console::kUndelivered;
    console::note(QStringLiteral("%1: the journal is in the registry").arg(runDirectory));
    return console::kOk;
}

} // namespace

void addTrainCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    auto options = std::make_shared<TrainOptions>();
    CLI::App* command = app.add_subcommand(
        "train", "Train a model with libtorch under a new model ID, logging to logs/<id>/ and the registry");
    command->add_option("SPEC", options->specPath, "run spec (JSON); every field can also be given as a flag");
    command->add_option("--id", options->id, "train under this reserved ID instead of reserving one");
    command->add_option("--resume", options->resume, "continue this model from its last checkpoint");
    command->add_option("--gpus", options->gpus,
                        "data-parallel on these CUDA devices of this host, one process each (0,1,2,3; sets --nproc)");
    command->add_option("--node-rank", options->nodeRank, "this node's place among --nnodes (0 hosts the rendezvous)")
        ->check(CLI::Range(0, 1023));
    command->add_option("--master", options->master, "HOST:PORT where node 0 meets the others (--nnodes above 1)");
    // What a launcher gives each rank it starts; not for people.
    command->add_option("--worker", options->worker)->group("")->check(CLI::Range(0, 1 << 20));
    command->add_option("--rendezvous", options->rendezvous)->group("");
    for (const RunSpec::Field& field : RunSpec::fields()) {
        const std::string name = field.name;
        const std::string help =
            field.choices.isEmpty()
                ? std::string(field.help)
                : std::string(field.help) + " (" + field.choices.join(QStringLiteral(", ")).toStdString() + ")";
        command->add_option_function<std::string>(
            "--" + RunSpec::flagName(field).toStdString(),
            [options, name](const std::string& value) { options->fields[name] = value; }, help);
    }
    command->callback(
        [&registry, &action, options] { action = [&registry, options] { return train(*options, registry); }; });

    auto syncDirectory = std::make_shared<std::string>();
    CLI::App* syncCommand = app.add_subcommand("sync", "Send what a run's journal holds to the registry service");
    syncCommand->add_option("LOGDIR", *syncDirectory, "the run's log directory (logs/<id>)")->required();
    syncCommand->callback([&registry, &action, syncDirectory] {
        action = [&registry, syncDirectory] { return sync(QString::fromStdString(*syncDirectory), registry); };
    });
}

} // namespace jikken
