#include "CheckpointFetch.h"

#include "RemoteShell.h"
#include "ShellQuote.h"

#include <QCryptographicHash>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSysInfo>

#include <cstdio>

namespace jikken::CheckpointFetch {

namespace {

constexpr int kProbeTimeoutMs = 10 * 60 * 1000; // a sha256 of gigabytes on a busy disk
constexpr int kSilenceTimeoutMs = 60 * 1000;    // a transfer that says nothing this long is cut

bool fail(QString* error, const QString& message)
{
    *error = message;
    return false;
}

/// The sha256 of the file at `path` here (hex), or empty when it cannot be read.
QString sha256Of(const QString& path)
{
    QFile file(path);
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!file.open(QIODevice::ReadOnly) || !hash.addData(&file))
        return {};
    return QString::fromLatin1(hash.result().toHex());
}

/// Appends the bytes of the file on the host from `offset` on to `part`; false with `error` on a failure.
bool transfer(const RemoteShell& shell, const CheckpointRecord& record, QFile& part, const Progress& progress,
              QString* error)
{
    QProcess process;
    shell.startCommand(process, {QStringLiteral("tail"), QStringLiteral("-c"),
                                 QStringLiteral("+%1").arg(part.size() + 1), record.path});
    process.closeWriteChannel();
    if (!process.waitForStarted(30000))
        return fail(error, QStringLiteral("cannot start ssh for %1: %2").arg(shell.host(), process.errorString()));
    while (process.state() != QProcess::NotRunning || process.bytesAvailable() > 0) {
        if (process.bytesAvailable() == 0 && !process.waitForReadyRead(kSilenceTimeoutMs) &&
            process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished();
            return fail(error, QStringLiteral("%1 sent nothing for a minute; fetch again to go on from %2 bytes")
                                   .arg(shell.host())
                                   .arg(part.size()));
        }
        const QByteArray bytes = process.readAllStandardOutput();
        if (part.write(bytes) != bytes.size())
            return fail(error, QStringLiteral("cannot write %1: %2").arg(part.fileName(), part.errorString()));
        if (progress && !bytes.isEmpty() && !progress(part.size(), record.size)) {
            process.kill();
            process.waitForFinished();
            part.flush();
            return fail(error, QStringLiteral("stopped at %1 of %2 bytes; fetch again to go on from there")
                                   .arg(part.size())
                                   .arg(record.size));
        }
        if (part.size() > record.size)
            break; // more than the file holds: it changed under us; the check below says so
    }
    process.waitForFinished();
    part.flush();
    if (process.exitStatus() != QProcess::NormalExit || (process.exitCode() != 0 && part.size() < record.size))
        return fail(error, QStringLiteral("fetching %1 from %2 stopped: %3; fetch again to go on from %4 bytes")
                               .arg(record.path, shell.host(),
                                    QString::fromUtf8(process.readAllStandardError()).trimmed().section(u'\n', -1))
                               .arg(part.size()));
    return true;
}

} // namespace

QString sourceHost(const CheckpointRecord& record)
{
    const bool here = record.host.isEmpty() || RemoteShell::isLocal(record.host) ||
                      record.host.compare(QSysInfo::machineHostName(), Qt::CaseInsensitive) == 0;
    return here ? QStringLiteral("localhost") : record.host;
}

bool fetch(const CheckpointRecord& record, const QString& destination, const Progress& progress, QString* error)
{
    const RemoteShell shell(sourceHost(record));
    const QString where = Checkpoints::location(record);
    // Is the file there still the one the registry recorded? Its size and sha256, read where it is.
    const RemoteResult probe =
        shell.run(QStringLiteral("f=%1\ntest -f \"$f\" || { echo 'no such file' >&2; exit 3; }\nstat -c %s \"$f\" && "
                                 "sha256sum < \"$f\"\n")
                      .arg(ShellQuote::quote(record.path)),
                  kProbeTimeoutMs);
    if (!probe.ok())
        return fail(error, QStringLiteral("cannot read %1: %2").arg(where, probe.failure()));
    const QStringList said = QString::fromUtf8(probe.out).split(u'\n', Qt::SkipEmptyParts);
    const qint64 size = said.value(0).trimmed().toLongLong();
    const QString sha256 = said.value(1).section(u' ', 0, 0).trimmed();
    if (size != record.size || sha256 != record.sha256)
        return fail(error, QStringLiteral("%1 has changed since the registry recorded it (sha256 %2, %3 bytes; "
                                          "recorded %4, %5 bytes): not fetched")
                               .arg(where, sha256.left(12))
                               .arg(size)
                               .arg(record.sha256.left(12))
                               .arg(record.size));
    const QString partPath = destination + QStringLiteral(".part");
    for (int attempt = 0; attempt < 2; ++attempt) {
        QFile part(partPath);
        if (!part.open(QIODevice::ReadWrite | QIODevice::Append))
            return fail(error, QStringLiteral("cannot write %1: %2").arg(partPath, part.errorString()));
        if (part.size() > record.size)
            part.resize(0); // not a start of this file
        if (part.size() < record.size && !transfer(shell, record, part, progress, error))
            return false;
        part.close();
        if (sha256Of(partPath) == record.sha256) {
            if (std::rename(QFile::encodeName(partPath).constData(), QFile::encodeName(destination).constData()) != 0)
                return fail(error, QStringLiteral("cannot move %1 to %2").arg(partPath, destination));
            return true;
        }
        QFile::remove(partPath); // what an earlier fetch left was not of this file: once more, whole
    }
    return fail(error, QStringLiteral("the copy of %1 does not have the recorded sha256: not kept").arg(where));
}

} // namespace jikken::CheckpointFetch
