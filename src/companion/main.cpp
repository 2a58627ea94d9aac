// `jikken`: the headless companion. Trains with libtorch and works the registry from the command line.

#include "cli/CommandLine.h"

#include <QCoreApplication>

#include <csignal>

int main(int argc, char** argv)
{
    // Past the file-size limit (ulimit -f) the kernel would kill the process by SIGXFSZ, without a word and
    // with the run left `running`; ignored, the write fails (EFBIG) and is handled as a full disk is: one
    // line, the last good checkpoint kept, the run ended `failed` with the reason.
    std::signal(SIGXFSZ, SIG_IGN);
    QCoreApplication application(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("jikken"));
    QCoreApplication::setApplicationVersion(QStringLiteral(JIKKEN_VERSION));
    return jikken::runCommandLine(argc, argv);
}
