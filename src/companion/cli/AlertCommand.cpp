// `jikken alert add|ls|rm`: the user's alert rules (AlertRules), which `jikken serve` and the desktop judge
// runs by.

#include "Console.h"
#include "RegistryCommands.h"
#include "registry/AlertRules.h"

#include <QJsonObject>

#include <memory>

namespace jikken {

namespace {

struct AlertOptions
{
    std::string rules;
    std::string kind;
    std::string name;
    std::optional<double> minutes;
    std::optional<double> below;
    std::optional<double> above;
    std::string metric;
    std::optional<int> epochs;
    std::string mode;
};

QString rulesPath(const AlertOptions& options)
{
    return options.rules.empty() ? AlertRules::defaultPath() : QString::fromStdString(options.rules);
}

/// "stalled-60m", "gpu-idle-10-30m", "test-error-below-0.05", "test-error-flat-5": a name that says the rule.
QString nameFor(const AlertRule& rule)
{
    const QString metric = QString(rule.metric).replace(u'/', u'-');
    switch (rule.kind) {
    case AlertRule::Kind::Stalled:
        return QStringLiteral("stalled-%1m").arg(rule.minutes);
    case AlertRule::Kind::GpuIdle:
        return QStringLiteral("gpu-idle-%1-%2m").arg(rule.threshold).arg(rule.minutes);
    case AlertRule::Kind::Crossing:
        return QStringLiteral("%1-%2-%3")
            .arg(metric, rule.below ? QStringLiteral("below") : QStringLiteral("above"))
            .arg(rule.threshold);
    case AlertRule::Kind::NotImproving:
        return QStringLiteral("%1-flat-%2").arg(metric).arg(rule.epochs);
    }
    return {};
}

int addRule(const AlertOptions& options)
{
    QJsonObject json{{QStringLiteral("name"), QString::fromStdString(options.name)},
                     {QStringLiteral("kind"), QString::fromStdString(options.kind).replace(u'-', u'_')}};
    if (options.name.empty())
        json.insert(QStringLiteral("name"), QStringLiteral("unnamed"));
    if (options.minutes)
        json.insert(QStringLiteral("minutes"), *options.minutes);
    if (options.below)
        json.insert(QStringLiteral("below"), *options.below);
    if (options.above)
        json.insert(QStringLiteral("above"), *options.above);
    if (!options.metric.empty())
        json.insert(QStringLiteral("metric"), QString::fromStdString(options.metric));
    if (options.epochs)
        json.insert(QStringLiteral("epochs"), *options.epochs);
    if (!options.mode.empty())
        json.insert(QStringLiteral("mode"), QString::fromStdString(options.mode));
    QString error;
    std::optional<AlertRule> rule = AlertRule::fromJson(json, &error);
    if (!rule)
        return console::fail(error.replace(QStringLiteral("alert rule unnamed:"), QStringLiteral("the new alert rule:"))
                                 .replace(u'"', QString()),
                             console::kUsage);
    const QString path = rulesPath(options);
    std::optional<QVector<AlertRule>> rules = AlertRules::read(path, &error);
    if (!rules)
        return console::fail(error);
    const auto taken = [&](const QString& name) {
        return std::any_of(rules->cbegin(), rules->cend(), [&](const AlertRule& r) { return r.name == name; });
    };
    if (options.name.empty()) {
        rule->name = nameFor(*rule);
        for (int n = 2; taken(rule->name); ++n)
            rule->name = nameFor(*rule) + QStringLiteral("-%1").arg(n);
    } else if (taken(rule->name)) {
        return console::fail(
            QStringLiteral("an alert rule named %1 is in %2 already (jikken alert rm %1 first)").arg(rule->name, path),
            console::kUsage);
    }
    rules->append(*rule);
    if (!AlertRules::write(path, *rules, &error))
        return console::fail(error);
    console::out(QStringLiteral("%1: %2\n").arg(rule->name, rule->describe()));
    return console::kOk;
}

int listRules(const AlertOptions& options)
{
    QString error;
    const QString path = rulesPath(options);
    const std::optional<QVector<AlertRule>> rules = AlertRules::read(path, &error);
    if (!rules)
        return console::fail(error);
    if (rules->isEmpty())
        console::note(QStringLiteral("no alert rules in %1 (jikken alert add makes one)").arg(path));
    for (const AlertRule& rule : *rules)
        console::out(QStringLiteral("%1  %2  %3\n").arg(rule.name, -24).arg(rule.event(), -13).arg(rule.describe()));
    return console::kOk;
}

int removeRule(const AlertOptions& options)
{
    QString error;
    const QString path = rulesPath(options);
    std::optional<QVector<AlertRule>> rules = AlertRules::read(path, &error);
    if (!rules)
        return console::fail(error);
    const QString name = QString::fromStdString(options.name);
    const auto removed = rules->removeIf([&](const AlertRule& rule) { return rule.name == name; });
    if (removed == 0)
        return console::fail(
            QStringLiteral("no alert rule named %1 in %2 (jikken alert ls lists them)").arg(name, path));
    if (!AlertRules::write(path, *rules, &error))
        return console::fail(error);
    return console::kOk;
}

} // namespace

void addAlertCommand(CLI::App& app, CommandAction& action)
{
    auto options = std::make_shared<AlertOptions>();
    CLI::App* alert = app.add_subcommand(
        "alert", "The alert rules by which jikken serve tells the webhook and the phone page, and the desktop its "
                 "tray, of a run (each once per run)");
    alert->require_subcommand(1);
    alert->add_option("--rules", options->rules, "the rules file (default ~/.config/jikken/alert-rules.json)");

    CLI::App* add = alert->add_subcommand("add", "Add a rule: once per run, when it first holds");
    add->add_option("KIND", options->kind, "stalled, gpu-idle, crossing or not-improving")
        ->required()
        ->check(CLI::IsMember({"stalled", "gpu-idle", "gpu_idle", "crossing", "not-improving", "not_improving"}));
    add->add_option("--name", options->name, "what rm takes (default: one that says the rule)");
    add->add_option("--minutes", options->minutes,
                    "stalled: minutes without a new step; gpu-idle: minutes under --below");
    add->add_option("--below", options->below, "gpu-idle: percent utilization; crossing: the value to go under");
    add->add_option("--above", options->above, "crossing: the value to go over");
    add->add_option("--metric", options->metric, "crossing, not-improving: the tag, e.g. test/error");
    add->add_option("--epochs", options->epochs, "not-improving: epochs (evaluations) without a better value");
    add->add_option("--mode", options->mode, "not-improving: min (lower is better, the default) or max");
    add->callback([&action, options] { action = [options] { return addRule(*options); }; });

    CLI::App* list = alert->add_subcommand("ls", "List the rules");
    list->callback([&action, options] { action = [options] { return listRules(*options); }; });

    CLI::App* remove = alert->add_subcommand("rm", "Remove a rule");
    remove->add_option("NAME", options->name, "the rule's name")->required();
    remove->callback([&action, options] { action = [options] { return removeRule(*options); }; });
}

} // namespace jikken
