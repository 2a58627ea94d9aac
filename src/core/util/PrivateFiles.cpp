#include "PrivateFiles.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace jikken::PrivateFiles {

bool makeFolder(const QString& folder, QString* error)
{
    const QFileInfo info(folder);
    if (info.isDir())
        return true;
    const QString absolute = info.absoluteFilePath();
    const QString parent = QFileInfo(absolute).absolutePath();
    // mkdir(2) with the mode itself: there is no moment at which others could open the folder.
    if ((QDir(parent).exists() || QDir().mkpath(parent)) &&
        (QDir().mkdir(absolute, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner) || QFileInfo(absolute).isDir()))
        return true;
    if (error)
        *error = QStringLiteral("cannot create the folder %1").arg(absolute);
    return false;
}

bool makeFile(const QString& file, QString* error)
{
    if (QFileInfo::exists(file))
        return true;
    QFile created(file);
    if (created.open(QIODevice::WriteOnly | QIODevice::NewOnly, QFile::ReadOwner | QFile::WriteOwner) ||
        QFileInfo::exists(file))
        return true;
    if (error)
        *error = QStringLiteral("cannot create %1: %2").arg(file, created.errorString());
    return false;
}

bool writeFile(const QString& file, const QByteArray& contents, QString* error)
{
    if (!makeFolder(QFileInfo(file).absolutePath(), error))
        return false;
    QSaveFile saved(file);
    if (saved.open(QIODevice::WriteOnly) && saved.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) &&
        saved.write(contents) == contents.size() && saved.commit())
        return true;
    if (error)
        *error = QStringLiteral("%1 cannot be written: %2").arg(file, saved.errorString());
    return false;
}

} // namespace jikken::PrivateFiles
