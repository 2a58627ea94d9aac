#include "AlertRules.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSaveFile>
#include <QStandardPaths>

#include <cmath>

namespace jikken {

namespace {

struct KindName
{
    AlertRule::Kind kind;
    const char* name;
    QStringList fields; ///< besides name and kind
};

const QVector<KindName>& kinds()
{
    static const QVector<KindName> all{
        {AlertRule::Kind::Stalled, "stalled", {QStringLiteral("minutes")}},
        {AlertRule::Kind::GpuIdle, "gpu_idle", {QStringLiteral("below"), QStringLiteral("minutes")}},
        {AlertRule::Kind::Crossing,
         "crossing",
         {QStringLiteral("metric"), QStringLiteral("below"), QStringLiteral("above")}},
        {AlertRule::Kind::NotImproving,
         "not_improving",
         {QStringLiteral("metric"), QStringLiteral("epochs"), QStringLiteral("mode")}},
    };
    return all;
}

QString number(double value)
{
    return QString::number(value, 'g', 10);
}

/// A positive finite number `key` of `json`, or an error naming it.
std::optional<double> positive(const QJsonObject& json, const QString& key, const QString& rule, QString* error)
{
    const QJsonValue value = json.value(key);
    if (!value.isDouble() || !std::isfinite(value.toDouble()) || value.toDouble() <= 0) {
        *error = QStringLiteral("alert rule %1: \"%2\" must be a positive number").arg(rule, key);
        return std::nullopt;
    }
    return value.toDouble();
}

} // namespace

QString AlertRule::event() const
{
    for (const KindName& k : kinds())
        if (k.kind == kind)
            return QString::fromLatin1(k.name);
    return {};
}

QString AlertRule::describe() const
{
    switch (kind) {
    case Kind::Stalled:
        return QStringLiteral("no new step for %1 min while running").arg(number(minutes));
    case Kind::GpuIdle:
        return QStringLiteral("system/gpu_utilization under %1% for %2 min while running")
            .arg(number(threshold), number(minutes));
    case Kind::Crossing:
        return QStringLiteral("%1 %2 %3")
            .arg(metric, below ? QStringLiteral("below") : QStringLiteral("above"), number(threshold));
    case Kind::NotImproving:
        return QStringLiteral("%1 not %2 for %3 epochs")
            .arg(metric, below ? QStringLiteral("lower") : QStringLiteral("higher"))
            .arg(epochs);
    }
    return {};
}

QJsonObject AlertRule::toJson() const
{
    QJsonObject json{{QStringLiteral("name"), name}, {QStringLiteral("kind"), event()}};
    switch (kind) {
    case Kind::Stalled:
        json.insert(QStringLiteral("minutes"), minutes);
        break;
    case Kind::GpuIdle:
        json.insert(QStringLiteral("below"), threshold);
        json.insert(QStringLiteral("minutes"), minutes);
        break;
    case Kind::Crossing:
        json.insert(QStringLiteral("metric"), metric);
        json.insert(below ? QStringLiteral("below") : QStringLiteral("above"), threshold);
        break;
    case Kind::NotImproving:
        json.insert(QStringLiteral("metric"), metric);
        json.insert(QStringLiteral("epochs"), epochs);
        json.insert(QStringLiteral("mode"), below ? QStringLiteral("min") : QStringLiteral("max"));
        break;
    }
    return json;
}

std::optional<AlertRule> AlertRule::fromJson(const QJsonObject& json, QString* error)
{
    AlertRule rule;
    rule.name = json.value(QLatin1String("name")).toString();
    if (rule.name.isEmpty() || rule.name.contains(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.\\-]")))) {
        *error = QStringLiteral("an alert rule needs a \"name\" of letters, digits, '-', '_' and '.'");
        return std::nullopt;
    }
    const QString kind = json.value(QLatin1String("kind")).toString();
    const auto known = std::find_if(kinds().cbegin(), kinds().cend(),
                                    [&](const KindName& k) { return kind == QLatin1String(k.name); });
    if (known == kinds().cend()) {
        *error = QStringLiteral("alert rule %1: \"kind\" must be stalled, gpu_idle, crossing or not_improving")
                     .arg(rule.name);
        return std::nullopt;
    }
    rule.kind = known->kind;
    for (auto it = json.begin(); it != json.end(); ++it) {
        if (it.key() != QLatin1String("name") && it.key() != QLatin1String("kind") &&
            !known->fields.contains(it.key())) {
            *error = QStringLiteral("alert rule %1: %2 has no \"%3\"").arg(rule.name, kind, it.key());
            return std::nullopt;
        }
    }
    if (known->fields.contains(QLatin1String("metric"))) {
        rule.metric = json.value(QLatin1String("metric")).toString();
        if (rule.metric.isEmpty()) {
            *error =
                QStringLiteral("alert rule %1: %2 needs a \"metric\" (a tag such as test/error)").arg(rule.name, kind);
            return std::nullopt;
        }
    }
    std::optional<double> value;
    switch (rule.kind) {
    case Kind::Stalled:
        if (!(value = positive(json, QStringLiteral("minutes"), rule.name, error)))
            return std::nullopt;
        rule.minutes = *value;
        break;
    case Kind::GpuIdle:
        if (!(value = positive(json, QStringLiteral("below"), rule.name, error)) || *value > 100) {
            *error =
                QStringLiteral("alert rule %1: \"below\" must be a percentage over 0 and at most 100").arg(rule.name);
            return std::nullopt;
        }
        rule.threshold = *value;
        if (!(value = positive(json, QStringLiteral("minutes"), rule.name, error)))
            return std::nullopt;
        rule.minutes = *value;
        break;
    case Kind::Crossing: {
        const bool below = json.contains(QLatin1String("below"));
        const QJsonValue threshold = json.value(below ? QLatin1String("below") : QLatin1String("above"));
        if (below == json.contains(QLatin1String("above")) || !threshold.isDouble() ||
            !std::isfinite(threshold.toDouble())) {
            *error = QStringLiteral("alert rule %1: crossing needs one number, \"below\" or \"above\"").arg(rule.name);
            return std::nullopt;
        }
        rule.below = below;
        rule.threshold = threshold.toDouble();
        break;
    }
    case Kind::NotImproving: {
        const QJsonValue epochs = json.value(QLatin1String("epochs"));
        const QString mode = json.value(QLatin1String("mode")).toString(QStringLiteral("min"));
        if (!epochs.isDouble() || epochs.toDouble() < 1 || epochs.toDouble() != std::floor(epochs.toDouble()) ||
            epochs.toDouble() > 1e6) {
            *error = QStringLiteral("alert rule %1: \"epochs\" must be a whole number of at least 1").arg(rule.name);
            return std::nullopt;
        }
        if (mode != QLatin1String("min") && mode != QLatin1String("max")) {
            *error = QStringLiteral("alert rule %1: \"mode\" must be min or max").arg(rule.name);
            return std::nullopt;
        }
        rule.epochs = epochs.toInt();
        rule.below = mode == QLatin1String("min");
        break;
    }
    }
    return rule;
}

namespace AlertRules {

QString defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           QStringLiteral("/jikken/alert-rules.json");
}

std::optional<QVector<AlertRule>> read(const QString& path, QString* error)
{
    QFile file(path);
    if (!file.exists())
        return QVector<AlertRule>();
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the alert rules %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    QJsonParseError parse{};
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parse);
    if (parse.error != QJsonParseError::NoError || !document.isObject() ||
        !document.object().value(QLatin1String("rules")).isArray()) {
        *error = QStringLiteral("%1 is not an alert rules file (want {\"rules\": [...]})").arg(path);
        return std::nullopt;
    }
    QVector<AlertRule> rules;
    for (const QJsonValue& value : document.object().value(QLatin1String("rules")).toArray()) {
        QString why;
        const std::optional<AlertRule> rule = AlertRule::fromJson(value.toObject(), &why);
        if (!rule ||
            std::any_of(rules.cbegin(), rules.cend(), [&](const AlertRule& r) { return r.name == rule->name; })) {
            *error = QStringLiteral("%1: %2").arg(
                path, rule ? QStringLiteral("two alert rules are named %1").arg(rule->name) : why);
            return std::nullopt;
        }
        rules << *rule;
    }
    return rules;
}

bool write(const QString& path, const QVector<AlertRule>& rules, QString* error)
{
    QJsonArray list;
    for (const AlertRule& rule : rules)
        list.append(rule.toJson());
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) ||
        file.write(QJsonDocument(QJsonObject{{QStringLiteral("rules"), list}}).toJson()) < 0 || !file.commit()) {
        *error = QStringLiteral("cannot write the alert rules %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

std::optional<QVector<AlertRule>> Followed::changed(QString* error)
{
    const QFileInfo file(m_path);
    const QDateTime modified = file.exists() ? file.lastModified() : QDateTime();
    if (m_read == modified)
        return std::nullopt;
    std::optional<QVector<AlertRule>> rules = read(m_path, error);
    if (rules)
        m_read = modified;
    return rules;
}

} // namespace AlertRules

} // namespace jikken
