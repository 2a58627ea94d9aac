#include "ViewerCommandLine.h"

#include "FigureExport.h"

#include <QCommandLineParser>
#include <QRegularExpression>

#include <cmath>

namespace jikken {

QStringList ViewerCommandLine::spreadTags(const QStringList& arguments)
{
    QStringList out;
    for (int i = 0; i < arguments.size(); ++i) {
        if (arguments[i] != QLatin1String("--tags")) {
            out << arguments[i];
            continue;
        }
        int taken = 0;
        while (i + 1 < arguments.size() && !arguments[i + 1].startsWith(u'-')) {
            out << QStringLiteral("--tags=") + arguments[++i];
            ++taken;
        }
        if (taken == 0)
            out << arguments[i]; // QCommandLineParser says the value is missing
    }
    return out;
}

void ViewerCommandLine::addOptions(QCommandLineParser& parser)
{
    parser.addOptions({
        {QStringLiteral("viewer"), QStringLiteral("Open the plot viewer on the LOGDIR or model ID arguments.")},
        {QStringLiteral("tags"), QStringLiteral("Tags to show (several after one --tags, or --tags again)."),
         QStringLiteral("TAG")},
        {QStringLiteral("export"),
         QStringLiteral("Render the figure (or its data) to FILE.png|svg|pdf|csv without a window, then exit."),
         QStringLiteral("FILE")},
        {QStringLiteral("size"), QStringLiteral("Figure size in points, WIDTHxHEIGHT (default 1280x720)."),
         QStringLiteral("WxH")},
        {QStringLiteral("scale"), QStringLiteral("Pixels per point of a PNG (default 2)."), QStringLiteral("N")},
        {QStringLiteral("layout"), QStringLiteral("grid (a chart per tag, default) or overlay."), QStringLiteral("L")},
        {QStringLiteral("x"), QStringLiteral("x axis: step (default), epoch, relative or wall."),
         QStringLiteral("AXIS")},
        {QStringLiteral("smoothing"), QStringLiteral("TensorBoard's smoothing weight, 0 to 0.999 (default 0.6)."),
         QStringLiteral("W")},
        {QStringLiteral("log"), QStringLiteral("Log scale on y.")},
        {QStringLiteral("x-range"),
         QStringLiteral("Show x from LOW to HIGH only, in the x axis' units (a zoomed figure), like 0:5000."),
         QStringLiteral("LOW:HIGH")},
        {QStringLiteral("y-range"), QStringLiteral("Show y from LOW to HIGH only, like 0:0.5."),
         QStringLiteral("LOW:HIGH")},
        {QStringLiteral("font-scale"), QStringLiteral("Text and line size (default 1; 1.5 for slides)."),
         QStringLiteral("F")},
        {QStringLiteral("title"), QStringLiteral("A title above the figure."), QStringLiteral("TEXT")},
        {QStringLiteral("legend"),
         QStringLiteral("Each run's legend entry: {id}, {method}, {model}, {dataset}, {status} or any "
                        "hyperparameter, like '{id} · {model} · lr={lr}' (default '{id} · {method}')."),
         QStringLiteral("TEMPLATE")},
    });
    parser.addPositionalArgument(QStringLiteral("sources"), QStringLiteral("Logdirs, event files or model IDs."),
                                 QStringLiteral("[LOGDIR|ID…]"));
}

std::optional<ViewerCommandLine> ViewerCommandLine::read(const QCommandLineParser& parser, QString* error)
{
    ViewerCommandLine line;
    line.sources = parser.positionalArguments();
    if (line.sources.isEmpty() && parser.isSet(QStringLiteral("export"))) {
        *error = QStringLiteral("--export needs a logdir or model ID to draw");
        return std::nullopt;
    }
    line.options.tags = parser.values(QStringLiteral("tags"));
    line.exportPath = parser.value(QStringLiteral("export"));
    if (!line.exportPath.isEmpty() && !FigureExport::formatOf(line.exportPath, error))
        return std::nullopt;
    line.size = FigureExport::defaultSize();
    if (parser.isSet(QStringLiteral("size"))) {
        static const QRegularExpression pattern(QStringLiteral("^(\\d{2,5})x(\\d{2,5})$"));
        const auto match = pattern.match(parser.value(QStringLiteral("size")));
        if (!match.hasMatch()) {
            *error = QStringLiteral("--size must be WIDTHxHEIGHT in points, like 1280x720, not '%1'")
                         .arg(parser.value(QStringLiteral("size")));
            return std::nullopt;
        }
        line.size = QSize(match.captured(1).toInt(), match.captured(2).toInt());
    }
    const auto number = [&](const char* flag, double low, double high, double fallback, double* out) {
        const QString name = QString::fromLatin1(flag);
        if (!parser.isSet(name)) {
            *out = fallback;
            return true;
        }
        bool ok = false;
        *out = parser.value(name).toDouble(&ok);
        if (ok && *out >= low && *out <= high)
            return true;
        *error = QStringLiteral("--%1 must be a number from %2 to %3, not '%4'")
                     .arg(name)
                     .arg(low)
                     .arg(high)
                     .arg(parser.value(name));
        return false;
    };
    if (!number("scale", 0.25, 8, 2, &line.scale) || !number("smoothing", 0, 0.999, 0.6, &line.options.smoothing) ||
        !number("font-scale", 0.5, 4, 1, &line.options.fontScale))
        return std::nullopt;
    const auto range = [&](const char* flag, std::optional<std::pair<double, double>>* out) {
        const QString name = QString::fromLatin1(flag);
        if (!parser.isSet(name))
            return true;
        const QString text = parser.value(name);
        bool lowOk = false;
        bool highOk = false;
        const double low = text.section(u':', 0, 0).toDouble(&lowOk);
        const double high = text.section(u':', 1).toDouble(&highOk);
        if (text.count(u':') == 1 && lowOk && highOk && std::isfinite(low) && std::isfinite(high) && low < high) {
            *out = std::make_pair(low, high);
            return true;
        }
        *error = QStringLiteral("--%1 must be LOW:HIGH with LOW below HIGH, like 0:5000, not '%2'").arg(name, text);
        return false;
    };
    if (!range("x-range", &line.options.xRange) || !range("y-range", &line.options.yRange))
        return std::nullopt;
    const QString layout = parser.value(QStringLiteral("layout"));
    if (layout == QLatin1String("overlay"))
        line.options.layout = FigureOptions::Layout::Overlay;
    else if (!layout.isEmpty() && layout != QLatin1String("grid")) {
        *error = QStringLiteral("--layout must be grid or overlay, not '%1'").arg(layout);
        return std::nullopt;
    }
    if (parser.isSet(QStringLiteral("x"))) {
        const auto axis = FigureOptions::xAxisFromString(parser.value(QStringLiteral("x")));
        if (!axis) {
            *error = QStringLiteral("--x must be step, epoch, relative or wall, not '%1'")
                         .arg(parser.value(QStringLiteral("x")));
            return std::nullopt;
        }
        line.options.xAxis = *axis;
    }
    line.options.logY = parser.isSet(QStringLiteral("log"));
    line.options.title = parser.value(QStringLiteral("title"));
    line.options.legend = parser.value(QStringLiteral("legend"));
    return line;
}

} // namespace jikken
