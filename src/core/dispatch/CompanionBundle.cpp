#include "CompanionBundle.h"

#include <QDir>
#include <QFileInfo>
#include <QLibraryInfo>
#include <QProcess>
#include <QRegularExpression>

#include <algorithm>

namespace jikken {

bool CompanionBundle::belongsToTheHost(const QString& soname)
{
    static const QRegularExpression host(
        QStringLiteral("^(linux-vdso|linux-gate|ld-linux(-[a-z0-9_-]+)?|libc|libm|libmvec|libpthread|libdl|librt|"
                       "libresolv|libutil|libanl|libnsl|"
                       "libcuda|libnvidia-[a-z-]+)\\.so"));
    return host.match(soname).hasMatch();
}

QStringList CompanionBundle::loadedAtRunTime(const QString& library)
{
    // (the loader's soname prefix, the name filter of what it loads from its own folder)
    static const std::pair<const char*, const char*> families[] = {
        {"libcudnn.so", "libcudnn_*.so*"},
        {"libnvrtc.so", "libnvrtc-builtins*.so*"},
        {"libtorch_cuda.so", "libtorch_cuda_linalg.so*"},
    };
    const QFileInfo info(library);
    QStringList found;
    for (const auto& [loader, loaded] : families) {
        if (!info.fileName().startsWith(QLatin1String(loader)))
            continue;
        for (const QFileInfo& sibling :
             info.dir().entryInfoList({QString::fromLatin1(loaded)}, QDir::Files, QDir::Name))
            found.append(sibling.absoluteFilePath());
    }
    return found;
}

QByteArray CompanionBundle::launcher()
{
    return "#!/bin/sh\n"
           "# Jikken's companion with the libraries it was built with (installed by `jikken install`).\n"
           "here=$(dirname \"$(readlink -f \"$0\")\")/..\n"
           "LD_LIBRARY_PATH=\"$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}\"\n"
           "QT_PLUGIN_PATH=\"$here/plugins\"\n"
           "export LD_LIBRARY_PATH QT_PLUGIN_PATH\n"
           "exec \"$here/libexec/jikken\" \"$@\"\n";
}

bool CompanionBundle::has(const QString& target) const
{
    return std::any_of(m_files.begin(), m_files.end(), [&](const File& file) { return file.target == target; });
}

qint64 CompanionBundle::bytes() const
{
    qint64 total = 0;
    for (const File& file : m_files)
        total += file.size;
    return total;
}

bool CompanionBundle::addWithLibraries(const QString& path, const QString& target, QString* error)
{
    if (has(target))
        return true;
    const QFileInfo info(path);
    m_files.append({info.canonicalFilePath(), target, info.size()});
    QProcess ldd;
    ldd.start(QStringLiteral("ldd"), {path});
    if (!ldd.waitForFinished(30000) || ldd.exitCode() != 0) {
        *error = QStringLiteral("cannot list the libraries of %1 (ldd: %2)")
                     .arg(path, QString::fromLocal8Bit(ldd.readAllStandardError()).trimmed());
        return false;
    }
    // "\tlibQt6Core.so.6 => /lib/x86_64-linux-gnu/libQt6Core.so.6 (0x…)" (a path may hold spaces);
    // "\tlibfoo.so => not found" is an error.
    static const QRegularExpression line(QStringLiteral("^\\s*(\\S+) => (.+?)(?: \\(0x[0-9a-f]+\\))?$"));
    for (const QString& text : QString::fromLocal8Bit(ldd.readAllStandardOutput()).split(u'\n')) {
        const auto match = line.match(text);
        if (!match.hasMatch())
            continue;
        const QString soname = match.captured(1);
        if (belongsToTheHost(soname))
            continue;
        if (match.captured(2) == QLatin1String("not found")) {
            *error = QStringLiteral("%1 needs %2, which is not found here").arg(path, soname);
            return false;
        }
        const QString libraryTarget = QStringLiteral("lib/") + soname; // by soname: what the loader asks for
        if (has(libraryTarget))
            continue;
        const QFileInfo library(match.captured(2));
        m_files.append({library.canonicalFilePath(), libraryTarget, QFileInfo(library.canonicalFilePath()).size()});
        for (const QString& loaded : loadedAtRunTime(library.absoluteFilePath())) {
            if (!addWithLibraries(loaded, QStringLiteral("lib/") + QFileInfo(loaded).fileName(), error))
                return false;
        }
    }
    return true;
}

std::optional<CompanionBundle> CompanionBundle::collect(const QString& binary, QString* error)
{
    CompanionBundle bundle;
    if (!bundle.addWithLibraries(binary, QStringLiteral("libexec/jikken"), error))
        return std::nullopt;
    // Qt loads these by name at run time, so ldd cannot see them.
    const QString plugins = QLibraryInfo::path(QLibraryInfo::PluginsPath);
    for (const char* plugin : {"sqldrivers/libqsqlite.so", "sqldrivers/libqsqlpsql.so", "tls/libqopensslbackend.so"}) {
        const QString path = plugins + u'/' + QString::fromLatin1(plugin);
        if (QFileInfo::exists(path) &&
            !bundle.addWithLibraries(path, QStringLiteral("plugins/") + QString::fromLatin1(plugin), error))
            return std::nullopt;
    }
    return bundle;
}

} // namespace jikken
