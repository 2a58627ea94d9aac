#include "CompanionInstaller.h"

#include "RemoteShell.h"
#include "ShellQuote.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QProcess>
#include <QTemporaryDir>

namespace jikken {

namespace {

constexpr int kStreamTimeoutMs = 30 * 60 * 1000; // half a gigabyte over a slow VPN

// What the host already has under `prefix`: relative path -> size.
std::optional<QHash<QString, qint64>> remoteFiles(const RemoteShell& shell, const QString& prefix, QString* error)
{
    const QString folder = ShellQuote::quote(prefix);
    const RemoteResult listing = shell.run(QStringLiteral("set -e\nmkdir -p -- %1\ncd -- %1\n"
                                                          "find . -type f -exec ls -ln {} + | awk '{print $5, $9}'\n")
                                               .arg(folder));
    if (!listing.ok()) {
        *error = QStringLiteral("%1: cannot prepare %2: %3").arg(shell.host(), prefix, listing.failure());
        return std::nullopt;
    }
    QHash<QString, qint64> files;
    for (const QByteArray& line : listing.out.split('\n')) {
        const int space = line.indexOf(' ');
        if (space > 0)
            files.insert(QString::fromUtf8(line.mid(space + 1)).remove(0, 2), line.left(space).toLongLong()); // "./"
    }
    return files;
}

} // namespace

std::optional<CompanionInstaller::Report>
CompanionInstaller::install(const QString& host, const CompanionBundle& bundle, const QString& prefix,
                            const std::function<void(int files, qint64 bytes)>& sending, QString* error)
{
    const RemoteShell shell(host);
    const auto present = remoteFiles(shell, prefix, error);
    if (!present)
        return std::nullopt;

    // The files to send, laid out as on the host: links to them here, which tar follows (-h).
    QTemporaryDir stage;
    QStringList send;
    Report report;
    const auto stageFile = [&](const QString& target, const QString& source, qint64 size) {
        if (present->value(target, -1) == size) {
            ++report.kept;
            return true;
        }
        QDir().mkpath(QFileInfo(stage.filePath(target)).absolutePath());
        if (!QFile::link(source, stage.filePath(target)))
            return false;
        send << target;
        report.bytesSent += size;
        return true;
    };
    QFile launcher(stage.filePath(QStringLiteral(".launcher")));
    if (!launcher.open(QIODevice::WriteOnly) || launcher.write(CompanionBundle::launcher()) < 0)
        return std::nullopt;
    launcher.close();
    launcher.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                            QFileDevice::ReadGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther |
                            QFileDevice::ExeOther);
    bool staged = stageFile(QStringLiteral("bin/jikken"), launcher.fileName(), launcher.size());
    for (const CompanionBundle::File& file : bundle.files())
        staged = staged && stageFile(file.target, file.source, file.size);
    if (!staged) {
        *error = QStringLiteral("cannot stage the companion's files in %1").arg(stage.path());
        return std::nullopt;
    }

    if (!send.isEmpty()) {
        if (sending)
            sending(static_cast<int>(send.size()), report.bytesSent);
        QProcess tar, receiver;
        tar.setWorkingDirectory(stage.path());
        tar.setStandardOutputProcess(&receiver);
        shell.startCommand(receiver, {QStringLiteral("tar"), QStringLiteral("-xf"), QStringLiteral("-"),
                                      QStringLiteral("-C"), prefix});
        tar.start(QStringLiteral("tar"),
                  QStringList{QStringLiteral("-chf"), QStringLiteral("-"), QStringLiteral("--")} + send);
        const bool packed = tar.waitForFinished(kStreamTimeoutMs) && tar.exitCode() == 0;
        const bool unpacked = receiver.waitForFinished(kStreamTimeoutMs) && receiver.exitCode() == 0;
        if (!packed || !unpacked) {
            const QString why =
                QString::fromLocal8Bit(packed ? receiver.readAllStandardError() : tar.readAllStandardError())
                    .trimmed()
                    .section(u'\n', -1);
            *error = QStringLiteral("%1: copying the companion failed: %2")
                         .arg(host, why.isEmpty() ? QStringLiteral("tar stopped") : why);
            return std::nullopt;
        }
        report.sent = static_cast<int>(send.size());
    }

    // Prove it starts there, and put it on PATH when it went to the default place.
    const QString folder = ShellQuote::quote(prefix);
    QString script = QStringLiteral("set -e\n%1/bin/jikken --version\n").arg(folder);
    if (prefix == defaultPrefix())
        script += QStringLiteral("mkdir -p .local/bin\nln -sf ../lib/jikken/bin/jikken .local/bin/jikken\n");
    const RemoteResult check = shell.run(script, 60000);
    if (!check.ok()) {
        *error = QStringLiteral("%1: the installed companion does not start: %2").arg(host, check.failure());
        return std::nullopt;
    }
    report.version = QString::fromUtf8(check.out).trimmed();
    report.launcher =
        prefix == defaultPrefix() ? QStringLiteral("~/.local/bin/jikken") : prefix + QStringLiteral("/bin/jikken");
    return report;
}

} // namespace jikken
