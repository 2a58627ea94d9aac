#include "Console.h"
#include "JournalDelivery.h"
#include "RegistryCommands.h"
#include "RunFolder.h"
#include "TrainingSession.h"
#include "data/DatasetLoader.h"
#include "ids/ModelId.h"
#include "registry/HttpRegistryClient.h"
#include "registry/JournalingRegistryClient.h"
#include "train/Trainer.h"
#include "util/Provenance.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>
#include <QScopeGuard>

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

/// Gives the journal (if any) a while to reach the registry; false (and a line saying why) if it did not.
bool deliverJournal(JournalingRegistryClient* journaled, const QString& runDirectory)
{
    return !journaled || journal::deliver(*journaled, runDirectory);
}

struct TrainOptions
{
    std::string specPath;
    std::string id;
    std::string resume;
    std::map<std::string, std::string> fields; ///< spec field -> flag text, for the flags given
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
    for (const auto split : {DatasetLoader::Split::Train, DatasetLoader::Split::Test}) {
        QString error;
        if (problem.isEmpty() && DatasetLoader::locate(spec.dataset, spec.dataRoot, split, &error).isEmpty())
            problem = error;
    }
    return problem;
}

/// The run's record as it starts: what it trains, where, with what, from which commit.
RunDescription describeRun(const RunSpec& spec, const QString& command, const QString& runDirectory)
{
    const Provenance provenance = Provenance::probe(QDir::currentPath());
    RunDescription description;
    description.model = spec.model;
    description.dataset = spec.dataset;
    description.hparams = spec.hyperparameters();
    // A dispatched run carries the host's name as the user knows it (its ssh alias).
    description.host = qEnvironmentVariable("JIKKEN_HOST", provenance.host);
    description.device = spec.device;
    description.command = command;
    description.spec = spec.toJson();
    description.gitCommit = provenance.gitCommit;
    description.gitDirty = provenance.gitDirty;
    description.versions = Trainer::libraryVersions();
    description.logDir = runDirectory;
    description.totalEpochs = spec.epochs;
    return description;
}

int train(const TrainOptions& options, const RegistryLocation& location)
{
    const bool resuming = !options.resume.empty();
    QString error;
    if (const QString problem = usageProblem(options); !problem.isEmpty())
        return console::fail(problem, console::kUsage);

    const auto config = location.resolve(&error);
    if (!config)
        return console::fail(error, console::kUsage);
    // Before the run has a directory for its journal, the registry is asked directly: the ID, the record
    // to resume. A service that does not answer then stops the run before it starts.
    const std::unique_ptr<RegistryClient> direct = config->connect(&error);
    if (!direct)
        return console::fail(error);
    const bool remote = config->isService(); // reports go through a journal, so training goes on offline
    const auto away = [&] { return remote && direct->lastFailure() == RegistryFailure::Unreachable; };
    RegistryClient* registry = direct.get();

    // Everything that can be wrong with the request is checked before an ID is reserved: a bad spec
    // leaves no record behind.
    std::optional<RunSpec> spec;
    QString id;
    QString runDirectory;
    QString command = recordedCommand();
    if (resuming) {
        id = QString::fromStdString(options.resume);
        const auto record = direct->run(id, &error);
        if (!record)
            return console::fail(error);
        if (!options.fields.empty())
            command = record->command + QStringLiteral(" # resumed with: ") + command;
        else
            command = record->command; // the command that reproduces the run is still the first one
        if (record->status == RunStatus::Finished && !options.fields.count("epochs"))
            return console::fail(QStringLiteral("%1 has finished; to train it longer give --epochs").arg(id));
        runDirectory = record->logDir;
        spec = RunSpec::fromFile(QDir(runDirectory).filePath(QStringLiteral("spec.json")), &error);
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

    // What the machine lacks is found before an ID is handed out too; a missing dataset or GPU leaves
    // no failed record behind.
    if (const QString problem = machineProblem(*spec); !problem.isEmpty())
        return console::fail(problem);

    if (!resuming && !options.id.empty()) {
        id = QString::fromStdString(options.id);
        const auto record = direct->run(id, &error);
        // An ID reserved earlier may be trained while the service is away: the journal delivers later.
        const bool offline = !record && away();
        if (offline)
            console::note(
                QStringLiteral("warning: %1; training %2 anyway, reports wait in its journal").arg(error, id));
        else if (!record)
            return console::fail(error + QStringLiteral("; reserve it first with jikken reserve"));
        if (record && record->status != RunStatus::Reserved)
            return console::fail(QStringLiteral("%1 is %2, not reserved; continue it with --resume %1")
                                     .arg(id, toString(record->status)));
    } else if (!resuming) {
        const auto reserved = direct->reserve(spec->method, &error);
        if (!reserved && away())
            return console::fail(error + QStringLiteral("; no ID was reserved and nothing was started (reserve one "
                                                        "when it answers, or give --id with an ID reserved before)"));
        if (!reserved)
            return console::fail(error);
        id = reserved->toString();
    }
    if (!resuming)
        runDirectory = QDir(QFileInfo(spec->logRoot).absoluteFilePath()).filePath(id);
    console::out(id + u'\n');

    std::unique_ptr<JournalingRegistryClient> journaled;
    auto markFailed = [&](const QString& reason) {
        QString ignored;
        registry->setStatus(id, RunStatus::Failed, reason, &ignored);
        deliverJournal(journaled.get(), runDirectory);
        return console::fail(QStringLiteral("%1 failed: %2").arg(id, reason));
    };
    if (!QDir().mkpath(runDirectory))
        return markFailed(QStringLiteral("cannot create %1").arg(runDirectory));
    if (!RunFolder::claim(runDirectory, &error))
        return markFailed(error);
    const auto releaseFolder = qScopeGuard([&runDirectory] { RunFolder::release(runDirectory); });
    if (remote) {
        journaled = std::make_unique<JournalingRegistryClient>(config->service, config->token, id, runDirectory,
                                                               journal::options());
        if (!journaled->start(&error))
            return markFailed(error);
        registry = journaled.get();
    }
    if (!writeResolvedSpec(runDirectory, *spec, &error))
        return markFailed(error);

    if (!registry->describe(id, describeRun(*spec, command, runDirectory), &error) ||
        !registry->setStatus(id, RunStatus::Running, {}, &error))
        return markFailed(error);
    // A resumed run keeps the memo it has now, which may have been edited since it started.
    if (!resuming && !spec->memo.isEmpty() && !registry->setMemo(id, spec->memo, &error))
        return markFailed(error);

    std::signal(SIGINT, requestStop);
    std::signal(SIGTERM, requestStop);
    TrainingSession session(*registry, id, runDirectory, *spec);
    Trainer trainer(*spec, runDirectory);
    trainer.setResume(resuming);
    try {
        const Trainer::Outcome outcome = trainer.run(session, g_stopRequested);
        if (outcome == Trainer::Outcome::Stopped) {
            session.finish(TrainingSession::End::Stopped);
            const int signal = g_stopSignal.load();
            registry->setStatus(id, RunStatus::Stopped,
                                QStringLiteral("stopped by %1; resume with jikken train --resume %2")
                                    .arg(signal == SIGINT ? QStringLiteral("SIGINT") : QStringLiteral("SIGTERM"), id),
                                &error);
            console::note(QStringLiteral("%1 stopped at a checkpoint; resume with: jikken train --resume %1").arg(id));
            deliverJournal(journaled.get(), runDirectory);
            return 128 + signal;
        }
        session.finish(TrainingSession::End::Finished);
        if (!registry->setStatus(id, RunStatus::Finished, {}, &error))
            return console::fail(error);
    } catch (const std::exception& e) {
        // c10::Error carries a backtrace after its first line; the first line is the message.
        const QString message = QString::fromUtf8(e.what()).section(u'\n', 0, 0);
        session.finish(TrainingSession::End::Failed);
        return markFailed(message);
    }
    if (!deliverJournal(journaled.get(), runDirectory)) {
        // Trained, but the registry does not have all of it: the last line and the exit status say so.
        console::note(
            QStringLiteral("%1 trained; the registry does not have all of its reports yet (see above)").arg(id));
        return console::kUndelivered;
    }
    const auto record = registry->run(id, &error);
    if (record)
        console::note(QStringLiteral("%1 finished: test error %2 (best %3)")
                          .arg(id)
                          .arg(record->latestTestError.value_or(1.0), 0, 'f', 4)
                          .arg(record->bestTestError.value_or(1.0), 0, 'f', 4));
    return console::kOk;
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
