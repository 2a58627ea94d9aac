#include "Provenance.h"

#include <QHostInfo>
#include <QProcess>

namespace jikken {

namespace {

// Runs git with fixed arguments (no shell); empty on any failure, e.g. git missing or not a work tree.
QString git(const QString& workingDirectory, const QStringList& arguments, bool* ok)
{
    QProcess process;
    process.setWorkingDirectory(workingDirectory);
    process.start(QStringLiteral("git"), arguments);
    *ok = process.waitForFinished(10000) && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
    return *ok ? QString::fromUtf8(process.readAllStandardOutput()).trimmed() : QString();
}

} // namespace

Provenance Provenance::probe(const QString& workingDirectory)
{
    Provenance p;
    p.host = QHostInfo::localHostName();
    bool ok = false;
    p.gitCommit = git(workingDirectory, {QStringLiteral("rev-parse"), QStringLiteral("HEAD")}, &ok);
    if (ok) {
        const QString status =
            git(workingDirectory,
                {QStringLiteral("status"), QStringLiteral("--porcelain"), QStringLiteral("--untracked-files=no")}, &ok);
        p.gitDirty = ok && !status.isEmpty();
    }
    return p;
}

} // namespace jikken
