// `jikken queue` (a run waits for a GPU or an agent's slot) and `jikken sweep` (a grid of runs queued at
// once, its failed points queued again): the registry's queue, on its database or through its service.
#include "QueueCommands.h"

#include "Console.h"
#include "registry/HttpRegistryClient.h"
#include "registry/RegistryStore.h"
#include "registry/RunQueue.h"
#include "spec/RunSpec.h"
#include "spec/SearchSpace.h"

#include <QDateTime>

#include <memory>
#include <random>

namespace jikken {

namespace {

/// What a queued run asks, as flags.
struct QueueFlags
{
    std::string hosts;
    int gpus = 0;
    int priority = 0;
    int retries = 0;

    void addTo(CLI::App* command)
    {
        command->add_option("--hosts", hosts, "the hosts it may run on, comma-separated (default: any agent's)");
        command->add_option("--gpus", gpus, "GPUs each run takes at once (default 0: any agent slot)");
        command->add_option("--priority", priority, "higher runs first (default 0), then the oldest");
        command->add_option("--retries", retries, "times a run whose attempt is lost is queued again (default 0)");
    }
    QueueRequest request(const QString& sweep) const
    {
        return {QString::fromStdString(hosts).split(u',', Qt::SkipEmptyParts), gpus, priority, retries, sweep};
    }
};

/// `values` of a grid flag: "lr=0.1,0.03" -> ("lr", ["0.1", "0.03"]).
std::optional<std::pair<QString, QStringList>> gridOf(const std::string& flag, QString* error)
{
    const QString text = QString::fromStdString(flag);
    const qsizetype equals = text.indexOf(u'=');
    const QStringList values = text.mid(equals + 1).split(u',', Qt::SkipEmptyParts);
    if (equals <= 0 || values.isEmpty()) {
        *error = QStringLiteral("--grid takes FIELD=V1,V2,…, not \"%1\"").arg(text);
        return std::nullopt;
    }
    return std::pair{text.left(equals), values};
}

/// What a sweep varies: grids (every combination) and random draws from ranges.
struct SweepAxes
{
    std::vector<std::string> grids;
    std::vector<std::string> spaces;
    int random = 0;
    std::optional<quint64> seed;
};

/// Each point of a sweep as its settings ("lr=0.1"), the first grid varying slowest: the grids' product,
/// each with `random` draws of every space (in their own order) when there are spaces.
std::optional<QVector<QStringList>> sweepSettings(const SweepAxes& axes, QString* error)
{
    QVector<QStringList> points{{}};
    for (const std::string& flag : axes.grids) {
        const auto grid = gridOf(flag, error);
        if (!grid)
            return std::nullopt;
        QVector<QStringList> next;
        for (const QStringList& point : points) {
            for (const QString& value : grid->second)
                next.append(point + QStringList{grid->first + u'=' + value});
        }
        points = std::move(next);
    }
    QVector<SearchSpace> spaces;
    for (const std::string& flag : axes.spaces) {
        auto space = SearchSpace::parse(QString::fromStdString(flag), error);
        if (!space)
            return std::nullopt;
        spaces.append(*space);
    }
    if (spaces.isEmpty() != (axes.random == 0)) {
        *error = QStringLiteral("--random N and --space FIELD=RANGE go together");
        return std::nullopt;
    }
    if (spaces.isEmpty())
        return points;
    std::mt19937_64 random(axes.seed.value_or(std::random_device()()));
    QVector<QStringList> drawn;
    for (const QStringList& point : points) {
        for (int i = 0; i < axes.random; ++i) {
            QStringList settings = point;
            for (const SearchSpace& space : spaces)
                settings << space.field() + u'=' + space.draw(random);
            drawn.append(settings);
        }
    }
    return drawn;
}

/// `base` at each point, checked, its memo the point's settings unless the spec has one; nothing when a
/// setting is not a valid spec.
std::optional<QVector<RunSpec>> sweepPoints(const RunSpec& base, const SweepAxes& axes, QString* error)
{
    const auto settings = sweepSettings(axes, error);
    if (!settings)
        return std::nullopt;
    if (settings->size() > 10000) {
        *error = QStringLiteral("a sweep of %1 points is more than 10000").arg(settings->size());
        return std::nullopt;
    }
    QVector<RunSpec> points;
    for (const QStringList& point : *settings) {
        RunSpec spec = base;
        for (const QString& setting : point) {
            const qsizetype equals = setting.indexOf(u'=');
            if (!spec.set(setting.left(equals), setting.mid(equals + 1), error))
                return std::nullopt;
        }
        if (spec.memo.isEmpty())
            spec.memo = point.join(u' ');
        points.append(spec);
    }
    return points;
}

/// Queues each spec, described as the spec says (the table shows what each will be); prints the IDs.
int enqueue(QueueClient& queue, const QVector<RunSpec>& specs, const QueueRequest& request)
{
    if (const QString problem = request.problem(); !problem.isEmpty())
        return console::fail(problem, console::kUsage);
    QVector<RunToQueue> runs;
    for (const RunSpec& spec : specs) {
        runs.append({spec.method, spec.description(), spec.memo, spec.toJson()});
    }
    QString error;
    const auto ids = queue.enqueue(runs, request, &error);
    if (!ids)
        return console::fail(error);
    for (const QString& id : *ids)
        console::out(id + u'\n');
    return console::kOk;
}

std::optional<RunSpec> specFrom(const std::string& path)
{
    QString error;
    auto spec = RunSpec::fromFile(QString::fromStdString(path), &error);
    if (!spec)
        console::fail(error, console::kUsage);
    return spec;
}

std::optional<ModelId> idFrom(const std::string& text)
{
    QString error;
    auto id = ModelId::parse(QString::fromStdString(text), &error);
    if (!id)
        console::fail(error, console::kUsage);
    return id;
}

void printQueue(const QVector<QueuedRun>& runs)
{
    QString table = QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                        .arg(QStringLiteral("ID"), -32)
                        .arg(QStringLiteral("STATUS"), -8)
                        .arg(QStringLiteral("AGENT@HOST"), -24)
                        .arg(QStringLiteral("TRY"), 3)
                        .arg(QStringLiteral("GPUS"), 4)
                        .arg(QStringLiteral("SWEEP"));
    for (const QueuedRun& run : runs) {
        const QString where = run.agent.isEmpty() ? QStringLiteral("waiting") : run.agent + u'@' + run.host;
        table += QStringLiteral("%1  %2  %3  %4  %5  %6\n")
                     .arg(run.id.toString(), -32)
                     .arg(toString(run.status), -8)
                     .arg(where, -24)
                     .arg(QStringLiteral("%1/%2").arg(run.attempts).arg(run.request.retries + 1), 3)
                     .arg(run.request.gpus, 4)
                     .arg(run.request.sweep);
    }
    console::out(table);
}

void printSweeps(const QVector<SweepSummary>& sweeps)
{
    QString table = QStringLiteral("%1  %2  %3  %4  %5  %6  %7\n")
                        .arg(QStringLiteral("SWEEP"), -24)
                        .arg(QStringLiteral("POINTS"), 6)
                        .arg(QStringLiteral("DONE"), 6)
                        .arg(QStringLiteral("RUNNING"), 7)
                        .arg(QStringLiteral("QUEUED"), 6)
                        .arg(QStringLiteral("FAILED"), 6)
                        .arg(QStringLiteral("BEST TEST ERROR"));
    for (const SweepSummary& sweep : sweeps) {
        table +=
            QStringLiteral("%1  %2  %3  %4  %5  %6  %7\n")
                .arg(sweep.name, -24)
                .arg(sweep.points, 6)
                .arg(sweep.finished, 6)
                .arg(sweep.running, 7)
                .arg(sweep.queued, 6)
                .arg(sweep.failed, 6)
                .arg(sweep.bestTestError
                         ? QStringLiteral("%1 (%2)").arg(QString::number(*sweep.bestTestError, 'g', 4), sweep.bestRun)
                         : QStringLiteral("–"));
    }
    console::out(table);
}

void addQueueCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    CLI::App* queue = app.add_subcommand(
        "queue", "Queue a run for the agents (jikken agent) to start where a GPU is free; ls, cancel, retry, priority");
    auto spec = std::make_shared<std::string>();
    auto flags = std::make_shared<QueueFlags>();
    queue->add_option("spec", *spec, "the run's spec (JSON, as jikken train takes)");
    flags->addTo(queue);
    queue->callback([&registry, &action, queue, spec, flags] {
        if (queue->get_subcommands().empty() && spec->empty())
            throw CLI::RequiredError("spec (or ls, cancel, retry)");
        if (spec->empty())
            return;
        action = [&registry, spec, flags] {
            const auto read = specFrom(*spec);
            if (!read)
                return console::kUsage;
            return withQueue(registry, [&](RegistryClient&, QueueClient& queue) {
                return enqueue(queue, {*read}, flags->request({}));
            });
        };
    });
    queue->add_subcommand("ls", "The runs that wait, and those agents took that still run")
        ->callback([&registry, &action] {
            action = [&registry] {
                return withQueue(registry, [](RegistryClient&, QueueClient& queue) {
                    QString error;
                    const auto runs = queue.list(&error);
                    if (!runs)
                        return console::fail(error);
                    printQueue(*runs);
                    return console::kOk;
                });
            };
        });
    for (const bool cancel : {true, false}) {
        auto id = std::make_shared<std::string>();
        CLI::App* verb = queue->add_subcommand(cancel ? "cancel" : "retry",
                                               cancel ? "Take a waiting run out of the queue (it becomes stopped)"
                                                      : "Queue a failed, lost, stopped or diverged run again");
        verb->add_option("id", *id, "the model ID")->required();
        verb->callback([&registry, &action, id, cancel] {
            action = [&registry, id, cancel] {
                const auto model = idFrom(*id);
                if (!model)
                    return console::kUsage;
                return withQueue(registry, [&](RegistryClient&, QueueClient& queue) {
                    QString error;
                    if (!(cancel ? queue.cancel(*model, &error) : queue.retry(*model, &error)))
                        return console::fail(error);
                    console::out(model->toString() +
                                 (cancel ? QStringLiteral(" cancelled\n") : QStringLiteral(" queued again\n")));
                    return console::kOk;
                });
            };
        });
    }
    auto id = std::make_shared<std::string>();
    auto priority = std::make_shared<int>(0);
    CLI::App* reorder = queue->add_subcommand("priority", "Set a queued run's priority (higher is taken first)");
    reorder->add_option("id", *id, "the model ID")->required();
    reorder->add_option("priority", *priority, "-1000000 to 1000000")->required()->check(CLI::Range(-1000000, 1000000));
    reorder->callback([&registry, &action, id, priority] {
        action = [&registry, id, priority] {
            const auto model = idFrom(*id);
            if (!model)
                return console::kUsage;
            return withQueue(registry, [&](RegistryClient&, QueueClient& queue) {
                QString error;
                if (!queue.setPriority(*model, *priority, &error))
                    return console::fail(error);
                console::out(QStringLiteral("%1 priority %2\n").arg(model->toString()).arg(*priority));
                return console::kOk;
            });
        };
    });
}

void addSweepCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    CLI::App* sweep =
        app.add_subcommand("sweep", "Queue one run per point of a grid of spec fields; retry its failed points");
    auto spec = std::make_shared<std::string>();
    auto axes = std::make_shared<SweepAxes>();
    auto name = std::make_shared<std::string>();
    auto flags = std::make_shared<QueueFlags>();
    sweep->add_option("spec", *spec, "the spec every point starts from (JSON, as jikken train takes)");
    sweep->add_option("--grid", axes->grids, "FIELD=V1,V2,… (repeatable): one run per combination")->take_all();
    sweep->add_option("--random", axes->random, "N runs (per grid point) with values drawn from the --space ranges")
        ->check(CLI::Range(1, 10000));
    sweep
        ->add_option("--space", axes->spaces,
                     "FIELD=RANGE (repeatable) for --random: log:1e-4..1e-1, 0..0.5, int:16..256, choice:a,b")
        ->take_all();
    sweep->add_option("--seed", axes->seed, "the random draws' seed (default: a new one each time)");
    sweep->add_option("--name", *name, "the sweep's name (default: sweep-<date>-<time>)");
    flags->addTo(sweep);
    sweep->callback([&registry, &action, sweep, spec, axes, name, flags] {
        if (!sweep->get_subcommands().empty())
            return;
        if (spec->empty() || (axes->grids.empty() && axes->spaces.empty()))
            throw CLI::RequiredError("spec and --grid or --random/--space (or retry NAME)");
        action = [&registry, spec, axes, name, flags] {
            const auto base = specFrom(*spec);
            if (!base)
                return console::kUsage;
            QString error;
            const auto points = sweepPoints(*base, *axes, &error);
            if (!points)
                return console::fail(error, console::kUsage);
            const QString sweepName =
                name->empty() ? QDateTime::currentDateTime().toString(QStringLiteral("'sweep-'yyyyMMdd-HHmmss"))
                              : QString::fromStdString(*name);
            return withQueue(registry, [&](RegistryClient&, QueueClient& queue) {
                return enqueue(queue, *points, flags->request(sweepName));
            });
        };
    });
    sweep->add_subcommand("ls", "Each sweep: its points by where they are, and its best")
        ->callback([&registry, &action] {
            action = [&registry] {
                return withQueue(registry, [](RegistryClient&, QueueClient& queue) {
                    QString error;
                    const auto sweeps = queue.sweeps(&error);
                    if (!sweeps)
                        return console::fail(error);
                    printSweeps(*sweeps);
                    return console::kOk;
                });
            };
        });
    auto retryName = std::make_shared<std::string>();
    auto failedOnly = std::make_shared<bool>(false);
    CLI::App* retry = sweep->add_subcommand("retry", "Queue a sweep's points that did not finish again");
    retry->add_option("name", *retryName, "the sweep's name")->required();
    retry->add_flag("--failed", *failedOnly, "only the failed and lost points (not the stopped or diverged)");
    retry->callback([&registry, &action, retryName, failedOnly] {
        action = [&registry, retryName, failedOnly] {
            return withQueue(registry, [&](RegistryClient&, QueueClient& queue) {
                QString error;
                const auto ids = queue.retrySweep(QString::fromStdString(*retryName), *failedOnly, &error);
                if (!ids)
                    return console::fail(error);
                for (const QString& id : *ids)
                    console::out(id + u'\n');
                if (ids->isEmpty())
                    console::note(
                        QStringLiteral("no point of sweep %1 to queue again").arg(QString::fromStdString(*retryName)));
                return console::kOk;
            });
        };
    });
}

} // namespace

int withQueue(const RegistryLocation& location, const std::function<int(RegistryClient&, QueueClient&)>& work)
{
    QString error;
    const auto config = location.resolve(&error);
    if (!config)
        return console::fail(error, console::kUsage);
    if (config->isService()) {
        HttpRegistryClient service(config->service, config->token);
        return work(service, service);
    }
    RegistryStore store;
    if (!store.open(config->database, &error))
        return console::fail(error);
    RunQueue queue(store);
    return work(store, queue);
}

void addQueueCommands(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    addQueueCommand(app, registry, action);
    addSweepCommand(app, registry, action);
    addAgentCommand(app, registry, action);
}

} // namespace jikken
