#include "FigureOptions.h"

#include <QJsonArray>

namespace jikken {

std::optional<XAxis> FigureOptions::xAxisFromString(const QString& name)
{
    if (name == QLatin1String("step"))
        return XAxis::Step;
    if (name == QLatin1String("relative"))
        return XAxis::RelativeTime;
    if (name == QLatin1String("wall"))
        return XAxis::WallTime;
    if (name == QLatin1String("epoch"))
        return XAxis::Epoch;
    return std::nullopt;
}

QString FigureOptions::toString(XAxis axis)
{
    switch (axis) {
    case XAxis::Step:
        return QStringLiteral("step");
    case XAxis::RelativeTime:
        return QStringLiteral("relative");
    case XAxis::WallTime:
        return QStringLiteral("wall");
    case XAxis::Epoch:
        return QStringLiteral("epoch");
    }
    return {};
}

QJsonObject FigureOptions::toJson() const
{
    QJsonObject json{
        {QStringLiteral("runs"), QJsonArray::fromStringList(runs)},
        {QStringLiteral("tags"), QJsonArray::fromStringList(tags)},
        {QStringLiteral("layout"), layout == Layout::Overlay ? QStringLiteral("overlay") : QStringLiteral("grid")},
        {QStringLiteral("x"), toString(xAxis)},
        {QStringLiteral("smoothing"), smoothing},
        {QStringLiteral("log_y"), logY}};
    if (xRange)
        json.insert(QStringLiteral("x_range"), QJsonArray{xRange->first, xRange->second});
    if (yRange)
        json.insert(QStringLiteral("y_range"), QJsonArray{yRange->first, yRange->second});
    if (!title.isEmpty())
        json.insert(QStringLiteral("title"), title);
    if (!legend.isEmpty())
        json.insert(QStringLiteral("legend"), legend);
    if (grouping.on)
        json.insert(QStringLiteral("group"), grouping.toJson());
    return json;
}

FigureOptions FigureOptions::fromJson(const QJsonObject& json)
{
    FigureOptions options;
    for (const QJsonValue& run : json.value(QStringLiteral("runs")).toArray())
        options.runs << run.toString();
    for (const QJsonValue& tag : json.value(QStringLiteral("tags")).toArray())
        options.tags << tag.toString();
    options.layout =
        json.value(QStringLiteral("layout")).toString() == QLatin1String("overlay") ? Layout::Overlay : Layout::Grid;
    options.xAxis = xAxisFromString(json.value(QStringLiteral("x")).toString()).value_or(XAxis::Step);
    options.smoothing = qBound(0.0, json.value(QStringLiteral("smoothing")).toDouble(0.6), 0.999);
    options.logY = json.value(QStringLiteral("log_y")).toBool();
    options.title = json.value(QStringLiteral("title")).toString();
    options.legend = json.value(QStringLiteral("legend")).toString();
    options.grouping = RunGroups::Grouping::fromJson(json.value(QStringLiteral("group")));
    const auto rangeOf = [&json](const char* key) -> std::optional<std::pair<double, double>> {
        const QJsonArray range = json.value(QLatin1String(key)).toArray();
        if (range.size() == 2 && range[0].isDouble() && range[1].isDouble() &&
            range[0].toDouble() < range[1].toDouble())
            return std::make_pair(range[0].toDouble(), range[1].toDouble());
        return std::nullopt;
    };
    options.xRange = rangeOf("x_range");
    options.yRange = rangeOf("y_range");
    return options;
}

} // namespace jikken
