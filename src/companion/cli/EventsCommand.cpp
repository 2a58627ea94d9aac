#include "Console.h"
#include "RegistryCommands.h"
#include "events/EventLogReader.h"
#include "events/ScalarExport.h"

#include <QFile>

#include <memory>

namespace jikken {

void addEventsCommand(CLI::App& app, CommandAction& action)
{
    struct Options
    {
        std::string logDir;
        std::string format = "csv";
    };
    auto options = std::make_shared<Options>();
    CLI::App* events = app.add_subcommand("events", "Print every scalar (tag, step, wall_time, value) of a "
                                                    "TensorBoard logdir");
    events->add_option("LOGDIR", options->logDir, "a run folder or a folder of runs")->required();
    events->add_option("--format", options->format, "csv or json")->check(CLI::IsMember({"csv", "json"}));
    events->callback([&action, options] {
        action = [options] {
            EventLogReader log(QString::fromStdString(options->logDir));
            QStringList warnings;
            QString error;
            if (!log.poll(&warnings, &error))
                return console::fail(error);
            QFile out;
            if (!out.open(stdout, QIODevice::WriteOnly))
                return console::fail(QStringLiteral("cannot write to standard output"));
            const bool ok = ScalarExport::write(
                log, options->format == "json" ? ScalarExport::Format::Json : ScalarExport::Format::Csv, out);
            out.close();
            // A corrupt record is the data's problem, not ours: print what was readable, warn, and say so.
            for (const QString& warning : warnings)
                console::fail(warning);
            if (!ok)
                return console::fail(QStringLiteral("cannot write to standard output"));
            return warnings.isEmpty() ? console::kOk : console::kFailure;
        };
    });
}

} // namespace jikken
