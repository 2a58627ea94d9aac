#include "RegistryCommands.h"

#include "Console.h"
#include "events/ScalarExport.h"
#include "ids/ModelId.h"
#include "registry/RegistryStore.h"
#include "registry/RegistryWire.h"
#include "registry/RunExport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <functional>
#include <memory>

namespace jikken {

std::optional<ClientConfig> RegistryLocation::resolve(QString* error) const
{
    return ClientConfig::resolve(QString::fromStdString(path), error);
}

std::optional<QString> RegistryLocation::localDatabase(const char* verb, QString* error) const
{
    const auto config = resolve(error);
    if (!config)
        return std::nullopt;
    if (config->isService()) {
        *error = QStringLiteral("jikken %1 works on the registry's database, not through the service %2; run it "
                                "where the database is, with --registry FILE or postgresql://…")
                     .arg(QString::fromLatin1(verb), config->service.toString());
        return std::nullopt;
    }
    return config->database;
}

int withRegistry(const RegistryLocation& location, const std::function<int(RegistryClient&, const ClientConfig&)>& work)
{
    QString error;
    const auto config = location.resolve(&error);
    if (!config)
        return console::fail(error, console::kUsage);
    const std::unique_ptr<RegistryClient> registry = config->connect(&error);
    if (!registry)
        return console::fail(error);
    return work(*registry, *config);
}

int withRegistry(const RegistryLocation& location, const std::function<int(RegistryClient&)>& work)
{
    return withRegistry(location, [&work](RegistryClient& registry, const ClientConfig&) { return work(registry); });
}

int withLocalStore(const RegistryLocation& location, const char* verb, const std::function<int(RegistryStore&)>& work)
{
    QString error;
    const auto database = location.localDatabase(verb, &error);
    if (!database)
        return console::fail(error, console::kUsage);
    RegistryStore store;
    if (!store.open(*database, &error))
        return console::fail(error);
    return work(store);
}

int withModel(const RegistryLocation& location, const std::string& idText,
              const std::function<int(RegistryClient&, const QString&)>& work)
{
    const QString id = QString::fromStdString(idText);
    QString error;
    if (!ModelId::parse(id, &error))
        return console::fail(error, console::kUsage);
    return withRegistry(location, [&](RegistryClient& registry) { return work(registry, id); });
}

namespace {

struct ListOptions
{
    std::string date;
    std::string method;
    std::string status;
    std::string query;
    std::string format = "table";
};

int listRuns(RegistryClient& store, const ListOptions& options)
{
    RunFilter filter;
    if (options.date == "today") {
        // "Today" is the registry's day, in its time zone.
        QString error;
        const auto today = store.today(&error);
        if (!today)
            return console::fail(error);
        filter.day = *today;
    } else if (!options.date.empty()) {
        filter.day = QDate::fromString(QString::fromStdString(options.date), QStringLiteral("yyyyMMdd"));
        if (!filter.day.isValid())
            return console::fail(QStringLiteral("--date must be YYYYMMDD or today, not \"%1\"")
                                     .arg(QString::fromStdString(options.date)),
                                 console::kUsage);
    }
    filter.method = QString::fromStdString(options.method);
    if (!options.status.empty())
        filter.status = runStatusFromString(QString::fromStdString(options.status));
    filter.query = QString::fromStdString(options.query);
    QString error;
    const auto runs = store.runs(filter, &error);
    if (!runs)
        return console::fail(error,
                             store.lastFailure() == RegistryFailure::Refused ? console::kUsage : console::kFailure);
    if (options.format == "csv") {
        console::out(RunExport::toCsv(*runs));
    } else if (options.format == "json") {
        QJsonArray array;
        for (const RunRecord& run : *runs)
            array.append(RegistryWire::runToJson(run));
        console::out(QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented)));
    } else {
        console::out(RunExport::toTable(*runs));
    }
    return console::kOk;
}

/// `jikken reserve --method M`: the next ID of the day.
void addReserveCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    auto method = std::make_shared<std::string>();
    CLI::App* reserve = app.add_subcommand("reserve", "Reserve the next model ID of today and print it");
    reserve->add_option("--method", *method, "method part of the ID: a-z, 0-9 and '-', 1-40 characters")->required();
    reserve->callback([&registry, &action, method] {
        action = [&registry, method] {
            return withRegistry(registry, [&](RegistryClient& store) {
                QString error;
                const auto id = store.reserve(QString::fromStdString(*method), &error);
                if (!id)
                    return console::fail(error);
                console::out(id->toString() + u'\n');
                return console::kOk;
            });
        };
    });
}

/// `jikken ls` (filtered, as a table, CSV or JSON) and `jikken export` (every model).
void addListCommands(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    auto list = std::make_shared<ListOptions>();
    CLI::App* ls = app.add_subcommand("ls", "List the registry's models");
    ls->add_option("--date", list->date, "only models of this day (YYYYMMDD or 'today')");
    ls->add_option("--method", list->method, "only models of this method");
    ls->add_option("--status", list->status, "only models in this status")
        ->check(CLI::IsMember(
            {"reserved", "queued", "running", "finished", "failed", "stopped", "lost", "diverged", "unknown"}));
    ls->add_option("--query,-q", list->query,
                   "only models the filter box's query matches: model:resnet18 lr<0.05 status:finished tag:x …");
    ls->add_option("--format", list->format, "table, csv or json")->check(CLI::IsMember({"table", "csv", "json"}));
    auto exportFormat = std::make_shared<std::string>();
    CLI::App* exporter = app.add_subcommand("export", "Print every model of the registry as CSV or JSON");
    exporter->add_option("--format", *exportFormat, "csv or json")->required()->check(CLI::IsMember({"csv", "json"}));

    auto runList = [&registry](const ListOptions& options) {
        return withRegistry(registry, [&](RegistryClient& store) { return listRuns(store, options); });
    };
    ls->callback([&action, list, runList] { action = [list, runList] { return runList(*list); }; });
    exporter->callback([&action, exportFormat, runList] {
        action = [exportFormat, runList] {
            ListOptions all;
            all.format = *exportFormat;
            return runList(all);
        };
    });
}

/// `jikken show ID`: everything about one model, as text or JSON.
void addShowCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    auto showId = std::make_shared<std::string>();
    auto showJson = std::make_shared<bool>(false);
    CLI::App* show = app.add_subcommand("show", "Show everything the registry keeps about one model");
    show->add_option("ID", *showId, "model ID")->required();
    show->add_flag("--json", *showJson, "print JSON");
    show->callback([&registry, &action, showId, showJson] {
        action = [&registry, showId, showJson] {
            return withModel(registry, *showId, [&](RegistryClient& store, const QString& id) {
                QString error;
                const auto run = store.run(id, &error);
                if (!run)
                    return console::fail(error);
                console::out(*showJson ? QString::fromUtf8(QJsonDocument(RegistryWire::runToJson(*run)).toJson())
                                       : RunExport::describe(*run));
                return console::kOk;
            });
        };
    });
}

/// `jikken scalars ID [--tag T…]`: the registry's points of a model, as `jikken events` prints a logdir's.
void addScalarsCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    struct Options
    {
        std::string id;
        std::vector<std::string> tags;
        std::string format = "csv";
    };
    auto options = std::make_shared<Options>();
    CLI::App* scalars = app.add_subcommand("scalars", "Print a model's scalars (tag, step, wall_time, value) as "
                                                      "the registry keeps them");
    scalars->add_option("ID", options->id, "model ID")->required();
    scalars->add_option("--tag", options->tags, "only these tags (repeat it; default every tag)");
    scalars->add_option("--format", options->format, "csv or json")->check(CLI::IsMember({"csv", "json"}));
    scalars->callback([&registry, &action, options] {
        action = [&registry, options] {
            return withModel(registry, options->id, [&](RegistryClient& store, const QString& id) {
                QString error;
                QStringList tags;
                for (const std::string& tag : options->tags)
                    tags << QString::fromStdString(tag);
                if (tags.isEmpty()) {
                    const auto all = store.tags(id, &error);
                    if (!all)
                        return console::fail(error);
                    tags = *all;
                } else if (!store.run(id, &error)) {
                    return console::fail(error);
                }
                const auto series = store.seriesOfTags(id, tags, &error);
                if (!series)
                    return console::fail(error);
                QMap<QString, ScalarSeries> byTag;
                for (auto it = series->cbegin(); it != series->cend(); ++it)
                    byTag.insert(it.key(), it.value());
                QFile out;
                if (!out.open(stdout, QIODevice::WriteOnly) ||
                    !ScalarExport::write(
                        byTag, options->format == "json" ? ScalarExport::Format::Json : ScalarExport::Format::Csv, out))
                    return console::fail(QStringLiteral("cannot write to standard output"));
                return console::kOk;
            });
        };
    });
}

/// `jikken NAME ID VALUE`: sets one thing of a model with `set`.
void addSetterCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action, const char* name,
                      const char* description, const char* valueHelp,
                      std::function<bool(RegistryClient&, const QString& id, const QString& value, QString* error)> set)
{
    auto modelId = std::make_shared<std::string>();
    auto value = std::make_shared<std::string>();
    CLI::App* command = app.add_subcommand(name, description);
    command->add_option("ID", *modelId, "model ID")->required();
    command->add_option("VALUE", *value, valueHelp)->required();
    command->callback([&registry, &action, modelId, value, set] {
        action = [&registry, modelId, value, set] {
            return withModel(registry, *modelId, [&](RegistryClient& store, const QString& id) {
                QString error;
                if (!set(store, id, QString::fromStdString(*value), &error))
                    return console::fail(error);
                return console::kOk;
            });
        };
    });
}

/// `jikken memo ID TEXT`.
void addMemoCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    addSetterCommand(app, registry, action, "memo", "Set a model's memo", "the memo (replaces the old one)",
                     [](RegistryClient& store, const QString& id, const QString& memo, QString* error) {
                         return store.setMemo(id, memo, error);
                     });
}

/// `jikken colour ID #rrggbb`.
void addColourCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    addSetterCommand(app, registry, action, "colour", "Set a model's colour in every chart and figure",
                     "the colour as #rrggbb (quote the #: '#e15759')",
                     [](RegistryClient& store, const QString& id, const QString& colour, QString* error) {
                         return store.setColour(id, colour, error);
                     });
}

/// `jikken tag ID LABEL… --remove LABEL…`: prints the model's labels.
void addTagCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    auto tagId = std::make_shared<std::string>();
    auto added = std::make_shared<std::vector<std::string>>();
    auto removed = std::make_shared<std::vector<std::string>>();
    CLI::App* tag = app.add_subcommand("tag", "Label a model (ablation, paper-fig3, …); prints its labels");
    tag->add_option("ID", *tagId, "model ID")->required();
    tag->add_option("LABEL", *added, "labels to add (no spaces or commas)");
    tag->add_option("--remove", *removed, "labels to take off")->expected(1, -1);
    tag->callback([&registry, &action, tagId, added, removed] {
        action = [&registry, tagId, added, removed] {
            return withModel(registry, *tagId, [&](RegistryClient& store, const QString& id) {
                QStringList add;
                QStringList remove;
                for (const std::string& label : *added)
                    add << QString::fromStdString(label);
                for (const std::string& label : *removed)
                    remove << QString::fromStdString(label);
                // One edit in the registry (not read, then replace): labels added at once by others stay.
                QString error;
                const auto labels = store.editLabels(id, add, remove, &error);
                if (!labels)
                    return console::fail(error, store.lastFailure() == RegistryFailure::Refused ? console::kUsage
                                                                                                : console::kFailure);
                console::out(labels->join(u' ') + u'\n');
                return console::kOk;
            });
        };
    });
}

/// `jikken config --time-zone Z`: the local registry's settings.
void addConfigCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    auto zone = std::make_shared<std::string>();
    CLI::App* config = app.add_subcommand("config", "Show or set registry settings");
    config->add_option("--time-zone", *zone, "IANA time zone in which IDs are dated, e.g. Asia/Tokyo");
    config->callback([&registry, &action, zone] {
        action = [&registry, zone] {
            return withLocalStore(registry, "config", [&](RegistryStore& store) {
                QString error;
                if (!zone->empty() && !store.setTimeZoneId(QByteArray::fromStdString(*zone), &error))
                    return console::fail(error, console::kUsage);
                console::out(QStringLiteral("registry   %1\ntime-zone  %2\ntoday      %3\n")
                                 .arg(store.path(), QString::fromUtf8(store.timeZoneId()),
                                      store.today().toString(QStringLiteral("yyyyMMdd"))));
                return console::kOk;
            });
        };
    });
}

} // namespace

void addRegistryCommands(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    addReserveCommand(app, registry, action);
    addListCommands(app, registry, action);
    addShowCommand(app, registry, action);
    addScalarsCommand(app, registry, action);
    addMemoCommand(app, registry, action);
    addColourCommand(app, registry, action);
    addTagCommand(app, registry, action);
    addConfigCommand(app, registry, action);
}

} // namespace jikken
