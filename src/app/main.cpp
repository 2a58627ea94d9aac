// `jikken-desktop`: the registry table, run details and live curves over the registry `jikken` uses;
// with `--viewer`, the meeting-time plot viewer, and with `--export`, a figure rendered without a window.

#include "DesktopApp.h"
#include "MemoryTuning.h"
#include "registry/ClientConfig.h"
#include "registry/RegistryReader.h"
#include "viewer/HeadlessExport.h"
#include "viewer/ViewerCache.h"
#include "viewer/ViewerCommandLine.h"
#include "viewer/ViewerWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QTextStream>

#include <memory>

namespace {

/// The registry the viewer reads model IDs from; none (logdirs and the cache only) when it is not set up.
std::optional<jikken::ClientConfig> viewerRegistry(const QString& commandLine)
{
    QString error;
    return jikken::ClientConfig::resolve(commandLine, &error);
}

jikken::RegistryConnector connectorFor(const jikken::ClientConfig& config)
{
    return [config](QString* error) { return config.connect(error); };
}

} // namespace

int main(int argc, char** argv)
{
    jikken::returnLargeBuffersToTheSystem();
    // A figure for a script needs no display: draw off screen unless the user chose a platform.
    for (int i = 1; i < argc; ++i) {
        if (qstrcmp(argv[i], "--export") == 0 && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    QApplication application(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Jikken"));
    QApplication::setOrganizationName(QStringLiteral("Jikken"));
    QApplication::setApplicationVersion(QStringLiteral(JIKKEN_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/jikken.png")));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Jikken: the model registry, live curves and run details; "
                                                    "--viewer: the plot viewer for meetings."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption registry(QStringLiteral("registry"),
                                      QStringLiteral("A SQLite file, postgresql:// URL or jikken serve URL "
                                                     "(default: as the jikken command line finds it)."),
                                      QStringLiteral("REGISTRY"));
    parser.addOption(registry);
    jikken::ViewerCommandLine::addOptions(parser);
    parser.process(jikken::ViewerCommandLine::spreadTags(QApplication::arguments()));

    if (parser.isSet(QStringLiteral("viewer")) || parser.isSet(QStringLiteral("export"))) {
        QString error;
        const auto line = jikken::ViewerCommandLine::read(parser, &error);
        if (!line) {
            QTextStream(stderr) << "jikken-desktop: " << error << Qt::endl;
            return 2;
        }
        const auto config = viewerRegistry(parser.value(registry));
        jikken::ViewerCache cache;
        if (!line->exportPath.isEmpty()) {
            QString error;
            const auto client = config ? config->connect(&error) : nullptr;
            return jikken::HeadlessExport::run(*line, client.get(), cache);
        }
        const QString location = config ? config->location() : QString();
        const auto reader = config ? std::make_unique<jikken::RegistryReader>(connectorFor(*config), location,
                                                                              jikken::RegistryReader::lanesFor(*config))
                                   : nullptr;
        jikken::ViewerWindow window(&cache, reader.get());
        window.open(line->sources);
        if (!line->options.tags.isEmpty())
            window.showTags(line->options.tags);
        window.show();
        return QApplication::exec();
    }
    if (!parser.positionalArguments().isEmpty()) {
        QTextStream(stderr) << "jikken-desktop: logdirs and model IDs open in the viewer: add --viewer" << Qt::endl;
        return 2;
    }
    jikken::DesktopApp app(parser.value(registry));
    if (!app.start())
        return 1;
    return QApplication::exec();
}
