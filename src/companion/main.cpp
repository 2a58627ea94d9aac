// `jikken`: the headless companion. Trains with libtorch and works the registry from the command line.

#include "cli/CommandLine.h"

#include <QCoreApplication>

int main(int argc, char** argv)
{
    QCoreApplication application(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("jikken"));
    QCoreApplication::setApplicationVersion(QStringLiteral(JIKKEN_VERSION));
    return jikken::runCommandLine(argc, argv);
}
