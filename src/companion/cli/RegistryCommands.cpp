#include "RegistryCommands.h"

#include "Console.h"
#include "ids/ModelId.h"
#include "registry/RegistryStore.h"
#include "registry/RunExport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <memory>

namespace jikken {

QString RegistryLocation::resolved() const
{
    return path.empty() ? RegistryStore::defaultDatabasePath() : QString::fromStdString(path);
}

namespace {

struct ListOptions
{
    std::string date;
    std::string method;
    std::string status;
    std::string format = "table";
};

/// Opens the registry and hands it to `work`; the exit code is work's, or a failure to open.
int withStore(const RegistryLocation& location, const std::function<int(RegistryStore&)>& work)
{
    RegistryStore store;
    QString error;
    if (!store.open(location.resolved(), &error))
        return console::fail(error);
    return work(store);
}

/// As withStore, for verbs about one model: a malformed ID is a usage error before the registry opens.
int withModel(const RegistryLocation& location, const std::string& idText,
              const std::function<int(RegistryStore&, const QString&)>& work)
{
    const QString id = QString::fromStdString(idText);
    QString error;
    if (!ModelId::parse(id, &error))
        return console::fail(error, console::kUsage);
    return withStore(location, [&](RegistryStore& store) { return work(store, id); });
}

int listRuns(RegistryStore& store, const ListOptions& options)
{
    RunFilter filter;
    if (options.date == "today") {
        filter.day = store.today();
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
    QString error;
    const QVector<RunRecord> runs = store.runs(filter, &error);
    if (!error.isEmpty())
        return console::fail(error);
    if (options.format == "csv") {
        console::out(RunExport::toCsv(runs));
    } else if (options.format == "json") {
        QJsonArray array;
        for (const RunRecord& run : runs)
            array.append(RunExport::toJson(run));
        console::out(QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented)));
    } else {
        console::out(RunExport::toTable(runs));
    }
    return console::kOk;
}

} // namespace

void addRegistryCommands(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    auto method = std::make_shared<std::string>();
    CLI::App* reserve = app.add_subcommand("reserve", "Reserve the next model ID of today and print it");
    reserve->add_option("--method", *method, "method part of the ID: a-z, 0-9 and '-', 1-40 characters")->required();
    reserve->callback([&registry, &action, method] {
        action = [&registry, method] {
            return withStore(registry, [&](RegistryStore& store) {
                QString error;
                const auto id = store.reserve(QString::fromStdString(*method), &error);
                if (!id)
                    return console::fail(error);
                console::out(id->toString() + u'\n');
                return console::kOk;
            });
        };
    });

    auto list = std::make_shared<ListOptions>();
    CLI::App* ls = app.add_subcommand("ls", "List the registry's models");
    ls->add_option("--date", list->date, "only models of this day (YYYYMMDD or 'today')");
    ls->add_option("--method", list->method, "only models of this method");
    ls->add_option("--status", list->status, "only models in this status")
        ->check(CLI::IsMember({"reserved", "running", "finished", "failed", "stopped", "lost"}));
    ls->add_option("--format", list->format, "table, csv or json")->check(CLI::IsMember({"table", "csv", "json"}));
    auto exportFormat = std::make_shared<std::string>();
    CLI::App* exporter = app.add_subcommand("export", "Print every model of the registry as CSV or JSON");
    exporter->add_option("--format", *exportFormat, "csv or json")->required()->check(CLI::IsMember({"csv", "json"}));

    auto runList = [&registry](const ListOptions& options) {
        return withStore(registry, [&](RegistryStore& store) { return listRuns(store, options); });
    };
    ls->callback([&action, list, runList] { action = [list, runList] { return runList(*list); }; });
    exporter->callback([&action, exportFormat, runList] {
        action = [exportFormat, runList] {
            ListOptions all;
            all.format = *exportFormat;
            return runList(all);
        };
    });

    auto showId = std::make_shared<std::string>();
    auto showJson = std::make_shared<bool>(false);
    CLI::App* show = app.add_subcommand("show", "Show everything the registry keeps about one model");
    show->add_option("ID", *showId, "model ID")->required();
    show->add_flag("--json", *showJson, "print JSON");
    show->callback([&registry, &action, showId, showJson] {
        action = [&registry, showId, showJson] {
            return withModel(registry, *showId, [&](RegistryStore& store, const QString& id) {
                QString error;
                const auto run = store.run(id, &error);
                if (!run)
                    return console::fail(error);
                console::out(*showJson ? QString::fromUtf8(QJsonDocument(RunExport::toJson(*run)).toJson())
                                       : RunExport::describe(*run));
                return console::kOk;
            });
        };
    });

    auto memoId = std::make_shared<std::string>();
    auto memoText = std::make_shared<std::string>();
    CLI::App* memo = app.add_subcommand("memo", "Set a model's memo");
    memo->add_option("ID", *memoId, "model ID")->required();
    memo->add_option("TEXT", *memoText, "the memo (replaces the old one)")->required();
    memo->callback([&registry, &action, memoId, memoText] {
        action = [&registry, memoId, memoText] {
            return withModel(registry, *memoId, [&](RegistryStore& store, const QString& id) {
                QString error;
                if (!store.setMemo(id, QString::fromStdString(*memoText), &error))
                    return console::fail(error);
                return console::kOk;
            });
        };
    });

    auto zone = std::make_shared<std::string>();
    CLI::App* config = app.add_subcommand("config", "Show or set registry settings");
    config->add_option("--time-zone", *zone, "IANA time zone in which IDs are dated, e.g. Asia/Tokyo");
    config->callback([&registry, &action, zone] {
        action = [&registry, zone] {
            return withStore(registry, [&](RegistryStore& store) {
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

} // namespace jikken
