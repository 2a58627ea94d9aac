#include "HostCatalog.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStandardPaths>

namespace jikken {

QString HostSettings::quietSetup() const
{
    return setup.isEmpty() ? QString() : QStringLiteral("{\n%1\n} >/dev/null 2>&1 </dev/null\n").arg(setup.join(u'\n'));
}

namespace HostCatalog {

namespace {

constexpr int kMostIncludes = 16; // ssh's own limit on Include depth is 16 as well

void readAliases(const QString& path, int depth, QStringList* aliases)
{
    QFile file(path);
    if (depth > kMostIncludes || !file.open(QIODevice::ReadOnly))
        return;
    const QString sshDir = QDir::home().filePath(QStringLiteral(".ssh"));
    for (const QString& raw : QString::fromUtf8(file.readAll()).split(u'\n')) {
        const QString line = raw.trimmed();
        // "Keyword value" or "Keyword=value"; keywords are case-insensitive.
        const QStringList words = line.split(QRegularExpression(QStringLiteral("[\\s=]+")), Qt::SkipEmptyParts);
        if (words.size() < 2 || line.startsWith(u'#'))
            continue;
        const QString keyword = words.first().toLower();
        if (keyword == QLatin1String("host")) {
            for (const QString& name : words.mid(1)) {
                if (!name.contains(u'*') && !name.contains(u'?') && !name.startsWith(u'!') && !aliases->contains(name))
                    aliases->append(name);
            }
        } else if (keyword == QLatin1String("include")) {
            for (QString pattern : words.mid(1)) {
                if (pattern.startsWith(QLatin1String("~/")))
                    pattern = QDir::home().filePath(pattern.mid(2));
                else if (QDir::isRelativePath(pattern))
                    pattern = QDir(sshDir).filePath(pattern);
                const QFileInfo info(pattern);
                const QStringList matches =
                    QDir(info.path()).entryList({info.fileName()}, QDir::Files | QDir::Readable, QDir::Name);
                for (const QString& match : matches)
                    readAliases(QDir(info.path()).filePath(match), depth + 1, aliases);
            }
        }
    }
}

bool fail(QString* error, const QString& message)
{
    if (error)
        *error = QStringLiteral("%1: %2").arg(settingsPath(), message);
    return false;
}

bool readSettings(const QString& alias, const QJsonObject& object, HostSettings* host, QString* error)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString key = it.key();
        const QJsonValue value = it.value();
        if (key == QLatin1String("jikken") || key == QLatin1String("workdir") || key == QLatin1String("data_root")) {
            if (!value.isString())
                return fail(error, QStringLiteral("hosts.%1.%2 must be a string").arg(alias, key));
            (key == QLatin1String("jikken")    ? host->jikken
             : key == QLatin1String("workdir") ? host->workDir
                                               : host->dataRoot) = value.toString();
        } else if (key == QLatin1String("setup") || key == QLatin1String("sbatch")) {
            QStringList& lines = key == QLatin1String("setup") ? host->setup : host->sbatchOptions;
            if (!value.isArray())
                return fail(error, QStringLiteral("hosts.%1.%2 must be an array of strings").arg(alias, key));
            for (const QJsonValue& line : value.toArray()) {
                if (!line.isString())
                    return fail(error, QStringLiteral("hosts.%1.%2 must be an array of strings").arg(alias, key));
                lines << line.toString();
            }
        } else if (key == QLatin1String("scheduler")) {
            if (value != QJsonValue(QStringLiteral("tmux")) && value != QJsonValue(QStringLiteral("slurm")))
                return fail(error, QStringLiteral("hosts.%1.scheduler must be \"tmux\" or \"slurm\"").arg(alias));
            host->slurm = value.toString() == QLatin1String("slurm");
        } else if (key == QLatin1String("max_runs")) {
            if (!value.isDouble() || value.toDouble() < 0 || value.toDouble() != value.toInt())
                return fail(error, QStringLiteral("hosts.%1.max_runs must be a whole number, 0 or more").arg(alias));
            host->maxRuns = value.toInt();
        } else {
            return fail(error, QStringLiteral("hosts.%1: unknown field \"%2\"").arg(alias, key));
        }
    }
    if (host->jikken.isEmpty())
        return fail(error, QStringLiteral("hosts.%1.jikken is empty").arg(alias));
    return true;
}

} // namespace

QString settingsPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           QStringLiteral("/jikken/hosts.json");
}

QString sshConfigPath()
{
    const QString fromEnvironment = qEnvironmentVariable("JIKKEN_SSH_CONFIG");
    return fromEnvironment.isEmpty() ? QDir::home().filePath(QStringLiteral(".ssh/config")) : fromEnvironment;
}

QStringList sshAliases(const QString& configPath)
{
    QStringList aliases;
    readAliases(configPath, 0, &aliases);
    return aliases;
}

std::optional<QVector<HostSettings>> load(QString* error)
{
    QStringList aliases{QStringLiteral("localhost")};
    for (const QString& alias : sshAliases(sshConfigPath())) {
        if (!aliases.contains(alias))
            aliases << alias;
    }
    QJsonObject hosts;
    QFile file(settingsPath());
    if (file.exists()) {
        QJsonParseError parseError;
        const QJsonDocument document =
            file.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(file.readAll(), &parseError) : QJsonDocument();
        if (!document.isObject() || !document.object().value(QStringLiteral("hosts")).isObject()) {
            fail(error, QStringLiteral("want {\"hosts\": {ALIAS: {…}}}"));
            return std::nullopt;
        }
        hosts = document.object().value(QStringLiteral("hosts")).toObject();
        for (auto it = hosts.begin(); it != hosts.end(); ++it) {
            if (!aliases.contains(it.key()))
                aliases << it.key();
        }
    }
    QVector<HostSettings> result;
    for (const QString& alias : aliases) {
        HostSettings host;
        host.alias = alias;
        const QJsonValue settings = hosts.value(alias);
        if (!settings.isUndefined() &&
            (!settings.isObject() || !readSettings(alias, settings.toObject(), &host, error))) {
            if (!settings.isObject())
                fail(error, QStringLiteral("hosts.%1 must be an object").arg(alias));
            return std::nullopt;
        }
        result << host;
    }
    return result;
}

std::optional<HostSettings> find(const QString& alias, QString* error)
{
    const auto hosts = load(error);
    if (!hosts)
        return std::nullopt;
    for (const HostSettings& host : *hosts) {
        if (host.alias == alias)
            return host;
    }
    if (error)
        *error = QStringLiteral("unknown host \"%1\": not a Host of %2 nor in %3")
                     .arg(alias, sshConfigPath(), settingsPath());
    return std::nullopt;
}

} // namespace HostCatalog

} // namespace jikken
