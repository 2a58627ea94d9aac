#include "AgentUnit.h"

#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

namespace jikken::AgentUnit {

namespace {

/// One word of a unit file's command line or assignment, in double quotes.
QString quoted(QString word)
{
    word.replace(u'\\', QStringLiteral("\\\\"))
        .replace(u'"', QStringLiteral("\\\""))
        .replace(u'%', QStringLiteral("%%"))
        .replace(u'$', QStringLiteral("$$"))
        .replace(u'\n', QStringLiteral("\\n"));
    return u'"' + word + u'"';
}

} // namespace

QString text(const QString& name, const QString& program, const QStringList& arguments, const QStringList& environment,
             const QString& environmentFile)
{
    QStringList command{quoted(program), quoted(QStringLiteral("agent"))};
    for (const QString& argument : arguments)
        command << quoted(argument);
    QString unit = QStringLiteral("[Unit]\nDescription=Jikken agent %1: starts queued runs on this host's free GPUs\n"
                                  "Wants=network-online.target\nAfter=network-online.target\n\n[Service]\n")
                       .arg(QString(name).replace(u'%', QStringLiteral("%%")).replace(u'\n', u' '));
    // A path, not a word: systemd takes it as it stands (no quotes), specifiers escaped.
    if (!environmentFile.isEmpty())
        unit +=
            QStringLiteral("EnvironmentFile=%1\n").arg(QString(environmentFile).replace(u'%', QStringLiteral("%%")));
    for (const QString& variable : environment)
        unit += QStringLiteral("Environment=%1\n").arg(quoted(variable));
    unit += QStringLiteral("ExecStart=%1\n").arg(command.join(u' '));
    // Its runs are its children and end with it, as in tmux: the next start queues them again.
    unit += QStringLiteral("KillMode=control-group\nRestart=on-failure\nRestartSec=10\n\n[Install]\n"
                           "WantedBy=default.target\n");
    return unit;
}

bool writePrivate(const QString& path, const QString& text, QString* error)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
        file.write(text.toUtf8()) < 0 || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace jikken::AgentUnit
