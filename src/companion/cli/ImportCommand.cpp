// `jikken import --csv FILE`: brings a spreadsheet registry in, all good rows in one transaction.

#include "Console.h"
#include "RegistryCommands.h"
#include "registry/SpreadsheetImport.h"

#include <QFile>
#include <QSet>

#include <memory>

namespace jikken {

namespace {

/// "1 row", "2 rows": a count with its noun.
QString counted(qsizetype count, const QString& noun)
{
    return QStringLiteral("%1 %2%3").arg(count).arg(noun, count == 1 ? QString() : QStringLiteral("s"));
}

int importCsv(const QString& path, const std::vector<std::string>& mapping, bool dryRun,
              const RegistryLocation& location)
{
    QHash<QString, QString> map;
    for (const std::string& entry : mapping) {
        const QString text = QString::fromStdString(entry);
        const qsizetype equals = text.indexOf(u'=');
        if (equals <= 0 || equals == text.size() - 1)
            return console::fail(QStringLiteral("--map wants COLUMN=FIELD, not \"%1\"").arg(text), console::kUsage);
        map.insert(text.left(equals), text.mid(equals + 1));
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return console::fail(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    SpreadsheetImport::Result parsed = SpreadsheetImport::fromCsv(file.readAll(), map);
    if (!parsed.error.isEmpty())
        return console::fail(QStringLiteral("%1: %2 (nothing was imported)").arg(path, parsed.error));
    return withRegistry(location, [&](RegistryClient& registry) {
        // An ID the registry has already is a rejected row, not a failed import.
        QString error;
        const auto known = registry.runs({}, &error);
        if (!known)
            return console::fail(error);
        QSet<QString> existing;
        for (const RunRecord& run : *known)
            existing.insert(run.id);
        QVector<RunRecord> fresh;
        for (const RunRecord& run : parsed.runs) {
            if (existing.contains(run.id))
                parsed.rejected << QStringLiteral("%1 is in the registry already").arg(run.id);
            else
                fresh.append(run);
        }
        for (const QString& warning : parsed.warnings)
            console::note(QStringLiteral("note: %1").arg(warning));
        for (const QString& rejected : parsed.rejected)
            console::fail(QStringLiteral("%1: %2 (not imported)").arg(path, rejected));
        if (!dryRun && !fresh.isEmpty() && !registry.importRuns(fresh, &error))
            return console::fail(error + QStringLiteral(" (nothing was imported)"));
        console::out(QStringLiteral("%1 %2 from %3; %4 rejected\n")
                         .arg(dryRun ? QStringLiteral("would import") : QStringLiteral("imported"),
                              counted(fresh.size(), QStringLiteral("run")), path,
                              counted(parsed.rejected.size(), QStringLiteral("row"))));
        return parsed.rejected.isEmpty() ? console::kOk : console::kFailure;
    });
}

} // namespace

void addImportCommand(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    auto path = std::make_shared<std::string>();
    auto dryRun = std::make_shared<bool>(false);
    auto mapping = std::make_shared<std::vector<std::string>>();
    CLI::App* command = app.add_subcommand(
        "import", "Bring in a registry exported from a spreadsheet; rows with bad IDs are reported and left out");
    command->add_option("--csv", *path, "the CSV file (a header row, an ID column in the YYYYMMDD_NN_method form)")
        ->required();
    command->add_option("--map", *mapping,
                        "COLUMN=FIELD: read a column as id, method, model, dataset, status, memo, host, test_error, "
                        "best_test_error, epochs, date, hparam, field or ignore, or as a hyperparameter under the "
                        "name new runs use: 学習率=lr, バッチサイズ=batch_size, or any as hparams.NAME (repeatable)");
    command->add_flag("--dry-run", *dryRun, "check the file and say what would be imported");
    command->callback([&registry, &action, path, mapping, dryRun] {
        action = [&registry, path, mapping, dryRun] {
            return importCsv(QString::fromStdString(*path), *mapping, *dryRun, registry);
        };
    });
}

} // namespace jikken
