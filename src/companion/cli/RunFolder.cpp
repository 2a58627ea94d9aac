#include "RunFolder.h"

#include "Console.h"
#include "dispatch/SessionScripts.h"

#include <QCoreApplication>
#include <QDir>
#include <QSaveFile>

namespace jikken::RunFolder {

namespace {

QString pidPath(const QString& runDirectory)
{
    return QDir(runDirectory).filePath(QString::fromLatin1(SessionScripts::kPidFile));
}

} // namespace

bool claim(const QString& runDirectory, QString* error)
{
    if (!console::keepIn(QDir(runDirectory).filePath(QString::fromLatin1(SessionScripts::kOutputLog)), error))
        return false;
    QSaveFile pid(pidPath(runDirectory));
    if (!pid.open(QIODevice::WriteOnly) ||
        pid.write(QByteArray::number(QCoreApplication::applicationPid()) + '\n') < 0 || !pid.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(pidPath(runDirectory), pid.errorString());
        return false;
    }
    return true;
}

void release(const QString& runDirectory)
{
    QFile::remove(pidPath(runDirectory));
}

} // namespace jikken::RunFolder
