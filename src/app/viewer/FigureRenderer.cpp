#include "FigureRenderer.h"

#include "CurveStore.h"
#include "charts/CurveChart.h"
#include "charts/RunColours.h"
#include "viewer/RunLibrary.h"

#include <QFontMetricsF>
#include <QGraphicsLayout>
#include <QLineSeries>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <limits>

namespace jikken {

namespace {

constexpr double kBaseFontPixels = 12;

// Line styles tell tags apart in an overlay of several tags (colour tells the runs apart).
Qt::PenStyle styleOf(int tagIndex)
{
    static const Qt::PenStyle styles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine,
                                          Qt::DashDotDotLine};
    return styles[tagIndex % 5];
}

QFont fontOf(const FigureOptions& options, double factor = 1.0)
{
    QFont font;
    font.setPixelSize(qMax(6, qRound(kBaseFontPixels * options.fontScale * factor)));
    return font;
}

QFont titleFont(const FigureOptions& options)
{
    QFont font = fontOf(options, 1.4);
    font.setBold(true);
    return font;
}

} // namespace

FigureRenderer::FigureRenderer(const RunLibrary& library, CurveStore& curves) : m_library(library), m_curves(curves) {}

FigureRenderer::~FigureRenderer() = default; // the scene deletes the charts

std::optional<std::pair<double, double>> FigureRenderer::wholeXRange(const FigureOptions& options)
{
    double low = std::numeric_limits<double>::infinity(), high = -low;
    for (const QString& key : options.runs) {
        for (const QString& tag : options.tags) {
            const ChartCurve* curve = m_curves.curve(key, tag, options.smoothing);
            if (!curve || curve->isEmpty())
                continue;
            for (int i : {0, curve->size() - 1}) { // x ascends with the index (steps; times, nearly always)
                low = qMin(low, curve->x(options.xAxis, i));
                high = qMax(high, curve->x(options.xAxis, i));
            }
        }
    }
    if (!(low <= high))
        return std::nullopt;
    if (low == high) // one point: a range around it
        return std::make_pair(low - 1, high + 1);
    return std::make_pair(low, high);
}

void FigureRenderer::prepare(const QRectF& area, const FigureOptions& given)
{
    FigureOptions options = given;
    if (options.grouping.on) // a group's runs share steps, not times
        options.xAxis = XAxis::Step;
    m_area = area;
    m_options = options;
    m_panels.clear();
    m_emptyText.clear();
    const double margin = 8 * options.fontScale;
    QRectF body = area.adjusted(margin, margin, -margin, -margin);
    m_titleRect = QRectF();
    if (!options.title.isEmpty()) {
        const QFontMetricsF metrics(titleFont(options));
        m_titleRect = QRectF(body.left(), body.top(), body.width(), metrics.height());
        body.setTop(body.top() + metrics.height() + margin);
    }
    m_legend.setEntries(legendEntries(options));
    m_legend.setFont(fontOf(options));
    m_legend.setDark(m_dark);
    m_legend.setPos(body.topLeft());
    if (const double height = m_legend.layOut(body.width()); height > 0)
        body.setTop(body.top() + height + margin);
    m_body = body;
    const auto xRange = options.xRange ? options.xRange : wholeXRange(options);
    if (!xRange || options.tags.isEmpty()) {
        m_emptyText = options.runs.isEmpty() || options.tags.isEmpty() ? QStringLiteral("Choose runs and tags")
                                                                       : QStringLiteral("No points in these tags");
        placeCharts(body, 0, margin);
        return;
    }
    const bool overlay = options.layout == FigureOptions::Layout::Overlay;
    const auto count = static_cast<int>(overlay ? 1 : options.tags.size());
    placeCharts(body, count, margin);
    for (int i = 0; i < count; ++i) {
        const QStringList tags = overlay ? options.tags : QStringList{options.tags[i]};
        fillChart(*m_charts[i], tags.join(QStringLiteral(", ")), tags, m_options, *xRange);
    }
}

void FigureRenderer::render(QPainter& painter)
{
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    painter.fillRect(m_area, background());
    if (!m_titleRect.isEmpty()) {
        const QFont font = titleFont(m_options);
        painter.setFont(font);
        painter.setPen(m_dark ? QColor(0xee, 0xee, 0xee) : QColor(0x11, 0x11, 0x11));
        painter.drawText(m_titleRect, Qt::AlignCenter,
                         QFontMetricsF(font).elidedText(m_options.title, Qt::ElideRight, m_titleRect.width()));
    }
    painter.translate(m_legend.pos());
    m_legend.draw(painter);
    painter.translate(-m_legend.pos());
    if (!m_emptyText.isEmpty()) {
        painter.setFont(fontOf(m_options, 1.2));
        painter.setPen(m_dark ? Qt::lightGray : Qt::darkGray);
        painter.drawText(m_body, Qt::AlignCenter, m_emptyText);
    }
    for (CurveChart* chart : std::as_const(m_charts)) {
        const QRectF cell = chart->geometry();
        m_scene.render(&painter, cell, cell);
    }
    painter.restore();
}

void FigureRenderer::placeCharts(const QRectF& body, int count, double margin)
{
    while (m_charts.size() > count)
        delete m_charts.takeLast(); // and out of the scene
    while (m_charts.size() < count) {
        auto* chart = new CurveChart(CurveChart::Mode::Figure); // the figure's legend names the runs once
        m_scene.addItem(chart);
        m_charts.append(chart);
    }
    if (count == 0)
        return;
    // Small multiples in a near-square grid; the scene's coordinates are the painter's.
    const int columns = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(count))));
    const int rows = (count + columns - 1) / columns;
    const double width = body.width() / columns, height = body.height() / rows;
    for (int i = 0; i < count; ++i) {
        const QRectF cell(body.left() + (i % columns) * width, body.top() + (i / columns) * height, width, height);
        m_charts[i]->setGeometry(count == 1 ? body : cell.adjusted(0, 0, -margin, -margin));
    }
    m_scene.setSceneRect(body);
}

QVector<CurveLegend::Entry> FigureRenderer::legendEntries(const FigureOptions& options) const
{
    QVector<CurveLegend::Entry> entries;
    if (options.grouping.on) {
        for (const RunGroups::Group& group : options.grouping.of(shownRuns(options)))
            entries.append({QStringLiteral("%1 (n=%2)").arg(group.label).arg(group.runs.size()),
                            RunColours::of(*group.runs.first())});
    }
    for (const QString& key : options.grouping.on ? QStringList() : options.runs) {
        const ViewerRun* run = m_library.run(key);
        // Only runs drawn in the figure: one without any of its tags has no line to name.
        if (!run || std::none_of(options.tags.cbegin(), options.tags.cend(),
                                 [run](const QString& tag) { return run->scalars.contains(tag); }))
            continue;
        const QString method = run->method();
        entries.append({!options.legend.isEmpty()                        ? run->label(options.legend)
                        : method.isEmpty() || run->name.endsWith(method) ? run->name
                                                                         : run->name + u" · " + method,
                        RunColours::of(*run)});
    }
    if (options.layout == FigureOptions::Layout::Overlay && options.tags.size() > 1) {
        for (int t = 0; t < options.tags.size(); ++t)
            entries.append({options.tags[t], QColor(), styleOf(t)});
    }
    return entries;
}

void FigureRenderer::ChartLines::extend(const QList<QPointF>& some, std::pair<double, double> xRange)
{
    for (const QPointF& p : some) {
        if (p.x() >= xRange.first && p.x() <= xRange.second) {
            yLow = qMin(yLow, p.y());
            yHigh = qMax(yHigh, p.y());
        }
    }
}

QVector<const ViewerRun*> FigureRenderer::shownRuns(const FigureOptions& options) const
{
    QVector<const ViewerRun*> runs;
    for (const QString& key : options.runs) {
        if (const ViewerRun* run = m_library.run(key))
            runs.append(run);
    }
    return runs;
}

FigureRenderer::ChartLines FigureRenderer::runLines(const QStringList& tags, const FigureOptions& options,
                                                    std::pair<double, double> xRange, int buckets)
{
    ChartLines lines;
    // Lines of one tag are told apart by dash where two runs share a colour; of several tags, by the tag's.
    QVector<QColor> runColours;
    for (const QString& key : options.runs) {
        const ViewerRun* run = m_library.run(key);
        runColours.append(run ? RunColours::of(*run) : QColor());
    }
    const QVector<Qt::PenStyle> runStyles = RunColours::stylesTellingApart(runColours);
    for (int r = 0; r < options.runs.size(); ++r) {
        const QString& key = options.runs[r];
        const ViewerRun* run = m_library.run(key);
        for (int t = 0; run && t < tags.size(); ++t) {
            const ChartCurve* curve = m_curves.curve(key, tags[t], options.smoothing);
            if (!curve)
                continue;
            lines.smoothed = lines.smoothed || curve->isSmoothed();
            QList<QPointF> faint;
            lines.points.append(curve->points(options.xAxis, xRange.first, xRange.second, buckets, options.logY,
                                              curve->isSmoothed() ? &faint : nullptr));
            // The y range holds the measured values too: a spike the smoothing flattens still shows.
            lines.extend(lines.points.last(), xRange);
            lines.extend(faint, xRange);
            lines.styles.append({run->name, runColours[r], tags.size() == 1 ? runStyles[r] : styleOf(t)});
            if (!faint.isEmpty())
                lines.faint.append({static_cast<int>(lines.styles.size()) - 1, std::move(faint)});
        }
    }
    return lines;
}

FigureRenderer::ChartLines FigureRenderer::groupLines(const QStringList& tags, const FigureOptions& options,
                                                      std::pair<double, double> xRange, int buckets) const
{
    ChartLines lines;
    const QVector<RunGroups::Group> groups = options.grouping.of(shownRuns(options));
    QVector<QColor> colours;
    for (const RunGroups::Group& group : groups)
        colours.append(RunColours::of(*group.runs.first()));
    const QVector<Qt::PenStyle> groupStyles = RunColours::stylesTellingApart(colours);
    for (int g = 0; g < groups.size(); ++g) {
        for (int t = 0; t < tags.size(); ++t) {
            const RunGroups::Band band = RunGroups::band(groups[g], tags[t], options.grouping.spread);
            if (band.steps.isEmpty())
                continue;
            lines.points.append(ChartCurve(band.meanSeries(), true)
                                    .points(XAxis::Step, xRange.first, xRange.second, buckets, options.logY));
            lines.extend(lines.points.last(), xRange);
            const QList<QPointF> area = band.outline(buckets, options.logY);
            lines.extend(area, xRange);
            lines.styles.append({QStringLiteral("%1 (n=%2)").arg(groups[g].label).arg(groups[g].runs.size()),
                                 colours[g], tags.size() == 1 ? groupStyles[g] : styleOf(t)});
            if (groups[g].runs.size() > 1)
                lines.bands.append({static_cast<int>(lines.styles.size()) - 1, area});
        }
    }
    return lines;
}

void FigureRenderer::fillChart(CurveChart& chart, const QString& title, const QStringList& tags,
                               const FigureOptions& options, std::pair<double, double> xRange)
{
    // The points first, to know the y range of what is in view.
    const QFontMetricsF metrics(fontOf(options));
    const double roughWidth = chart.geometry().width() - 6 * metrics.height();
    const int buckets = CurveChart::bucketsFor(roughWidth, options.runs.size() * tags.size());
    ChartLines lines =
        options.grouping.on ? groupLines(tags, options, xRange, buckets) : runLines(tags, options, xRange, buckets);
    auto& [styles, points, faintLines, bands, smoothed, yLow, yHigh] = lines;
    CurveChart::fitWidths(styles, points, roughWidth, options.fontScale, 1.6 * options.fontScale);
    // A figure says when its lines are not the values: it leaves the app for slides and papers.
    chart.setTitle(options.grouping.on ? QStringLiteral("%1 · %2").arg(title, options.grouping.caption())
                   : smoothed          ? QStringLiteral("%1 · smoothed, EMA %2 (curves under %3 points as measured)")
                                    .arg(title, QString::number(options.smoothing, 'g', 3))
                                    .arg(ChartCurve::kFewestSmoothedPoints)
                              : title);
    const QString yTitle = tags.join(QStringLiteral(", "));
    if (chart.setLook(m_dark, background()) || !chart.hasAxes() || chart.xAxisKind() != options.xAxis ||
        chart.isLogY() != options.logY || chart.yTitle() != yTitle)
        chart.setAxes(options.xAxis, options.logY, yTitle);
    chart.setLines(styles);
    chart.setTextScale(options.fontScale);
    if (!(yLow <= yHigh)) {
        yLow = options.logY ? 0.1 : 0;
        yHigh = 1;
    } else if (yLow == yHigh) { // a constant (a learning rate): a band around it at its own scale
        const double pad = yLow != 0 ? std::abs(yLow) * 0.1 : 0.5;
        yLow -= options.logY ? yLow / 2 : pad;
        yHigh += options.logY ? yHigh : pad;
    } else if (options.logY) { // 4% of the decades spanned, at either end
        const double pad = std::pow(yHigh / yLow, 0.04);
        yLow /= pad;
        yHigh *= pad;
    } else {
        const double pad = (yHigh - yLow) * 0.04;
        yLow -= pad;
        yHigh += pad;
    }
    chart.setRangesAndPoints(xRange, options.yRange.value_or(std::make_pair(yLow, yHigh)), points);
    QVector<LineLayer::Line> measured;
    for (auto& [line, faint] : faintLines)
        measured.append({chart.lines()[line], styles[line].colour, std::move(faint)});
    chart.measured()->setLines(std::move(measured));
    QVector<LineLayer::Line> areas;
    for (auto& [line, area] : bands)
        areas.append({chart.lines()[line], styles[line].colour, std::move(area)});
    chart.bands()->setLines(std::move(areas));
    if (chart.layout())
        chart.layout()->activate(); // the plot area after the axes' labels, for the panel below
    const auto [shownLow, shownHigh] = chart.yRange();
    const QString caption = chart.title();
    m_panels.append({chart.mapRectToScene(chart.plotArea()), caption, xRange.first, xRange.second,
                     options.logY ? std::log10(shownLow) : shownLow, options.logY ? std::log10(shownHigh) : shownHigh});
}

} // namespace jikken
