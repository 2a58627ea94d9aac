// `jikken-desktop`: the registry table, run details and live curves over the registry `jikken` uses.

#include "DesktopApp.h"
#include "MemoryTuning.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>

int main(int argc, char** argv)
{
    jikken::returnLargeBuffersToTheSystem();
    QApplication application(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Jikken"));
    QApplication::setOrganizationName(QStringLiteral("Jikken"));
    QApplication::setApplicationVersion(QStringLiteral(JIKKEN_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/jikken.png")));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Jikken: the model registry, live curves and run details."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption registry(QStringLiteral("registry"),
                                      QStringLiteral("A SQLite file, postgresql:// URL or jikken serve URL "
                                                     "(default: as the jikken command line finds it)."),
                                      QStringLiteral("REGISTRY"));
    parser.addOption(registry);
    parser.process(application);
    jikken::DesktopApp app(parser.value(registry));
    if (!app.start())
        return 1;
    return QApplication::exec();
}
