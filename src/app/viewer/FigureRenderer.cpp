#include "FigureRenderer.h"

#include "AxisTicks.h"
#include "CurveStore.h"
#include "charts/RunColours.h"
#include "viewer/RunLibrary.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>

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

QString xAxisName(XAxis axis)
{
    switch (axis) {
    case XAxis::Step:
        return QStringLiteral("step");
    case XAxis::RelativeTime:
        return QStringLiteral("hours since the first point");
    case XAxis::WallTime:
        return QStringLiteral("wall time");
    case XAxis::Epoch:
        return QStringLiteral("epoch");
    }
    return {};
}

QFont fontOf(const FigureOptions& options, double factor = 1.0)
{
    QFont font;
    font.setPixelSize(qMax(6, qRound(kBaseFontPixels * options.fontScale * factor)));
    return font;
}

} // namespace

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

void FigureRenderer::paint(QPainter& painter, const QRectF& area, const FigureOptions& options)
{
    m_panels.clear();
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    painter.fillRect(area, background());
    const double margin = 8 * options.fontScale;
    QRectF body = area.adjusted(margin, margin, -margin, -margin);
    if (!options.title.isEmpty()) {
        QFont font = fontOf(options, 1.4);
        font.setBold(true);
        painter.setFont(font);
        painter.setPen(m_dark ? QColor(0xee, 0xee, 0xee) : QColor(0x11, 0x11, 0x11));
        const QFontMetricsF metrics(font);
        painter.drawText(QRectF(body.left(), body.top(), body.width(), metrics.height()), Qt::AlignCenter,
                         metrics.elidedText(options.title, Qt::ElideRight, body.width()));
        body.setTop(body.top() + metrics.height() + margin);
    }
    const QRectF legend = paintLegend(painter, body, options);
    body.setTop(legend.bottom() + margin);
    const auto xRange = options.xRange ? options.xRange : wholeXRange(options);
    if (!xRange || options.tags.isEmpty()) {
        painter.setFont(fontOf(options, 1.2));
        painter.setPen(m_dark ? Qt::lightGray : Qt::darkGray);
        painter.drawText(body, Qt::AlignCenter,
                         options.runs.isEmpty() || options.tags.isEmpty() ? QStringLiteral("Choose runs and tags")
                                                                          : QStringLiteral("No points in these tags"));
        painter.restore();
        return;
    }
    if (options.layout == FigureOptions::Layout::Overlay) {
        paintPanel(painter, body,
                   options.tags.size() == 1 ? options.tags.first() : options.tags.join(QStringLiteral(", ")),
                   options.tags, options, *xRange);
    } else {
        const int count = static_cast<int>(options.tags.size());
        const int columns = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(count))));
        const int rows = (count + columns - 1) / columns;
        const double width = body.width() / columns, height = body.height() / rows;
        for (int i = 0; i < count; ++i) {
            const QRectF cell(body.left() + (i % columns) * width, body.top() + (i / columns) * height, width, height);
            paintPanel(painter, cell.adjusted(0, 0, -margin, -margin), options.tags[i], {options.tags[i]}, options,
                       *xRange);
        }
    }
    painter.restore();
}

QRectF FigureRenderer::paintLegend(QPainter& painter, const QRectF& area, const FigureOptions& options)
{
    painter.setFont(fontOf(options));
    const QFontMetricsF metrics(painter.font());
    const double swatch = metrics.height() * 0.8, gap = metrics.height();
    double x = area.left(), y = area.top();
    for (const QString& key : options.runs) {
        const ViewerRun* run = m_library.run(key);
        // Only runs drawn in the figure: one without any of its tags has no line to name.
        if (!run || std::none_of(options.tags.cbegin(), options.tags.cend(),
                                 [run](const QString& tag) { return run->scalars.contains(tag); }))
            continue;
        const QString method = run->method();
        const QString text = !options.legend.isEmpty()                        ? run->label(options.legend)
                             : method.isEmpty() || run->name.endsWith(method) ? run->name
                                                                              : run->name + u" · " + method;
        const double width = swatch + metrics.height() * 0.3 + metrics.horizontalAdvance(text);
        if (x > area.left() && x + width > area.right()) {
            x = area.left();
            y += metrics.height() * 1.3;
        }
        painter.fillRect(QRectF(x, y + (metrics.height() - swatch) / 2, swatch, swatch), RunColours::colour(run->name));
        painter.setPen(m_dark ? QColor(0xdd, 0xdd, 0xdd) : QColor(0x22, 0x22, 0x22));
        painter.drawText(QPointF(x + swatch + metrics.height() * 0.3, y + metrics.ascent()), text);
        x += width + gap;
    }
    if (options.layout == FigureOptions::Layout::Overlay && options.tags.size() > 1) {
        // Which dash is which tag.
        x = area.left();
        y += metrics.height() * 1.3;
        for (int t = 0; t < options.tags.size(); ++t) {
            painter.setPen(QPen(m_dark ? Qt::lightGray : Qt::darkGray, 1.5 * options.fontScale, styleOf(t)));
            painter.drawLine(QPointF(x, y + metrics.height() / 2), QPointF(x + 2 * swatch, y + metrics.height() / 2));
            painter.drawText(QPointF(x + 2.4 * swatch, y + metrics.ascent()), options.tags[t]);
            x += 2.4 * swatch + metrics.horizontalAdvance(options.tags[t]) + gap;
        }
    }
    return QRectF(area.left(), area.top(), area.width(), y - area.top() + metrics.height());
}

void FigureRenderer::paintPanel(QPainter& painter, const QRectF& cell, const QString& title, const QStringList& tags,
                                const FigureOptions& options, std::pair<double, double> xRange)
{
    const QFont font = fontOf(options);
    const QFontMetricsF metrics(font);
    const QColor ink = m_dark ? QColor(0xdd, 0xdd, 0xdd) : QColor(0x33, 0x33, 0x33);
    const QColor grid = m_dark ? QColor(0x3a, 0x3a, 0x3a) : QColor(0xe4, 0xe4, 0xe4);

    // The lines first, in data units, to know the y range of what is in view.
    const double roughWidth = cell.width() - 6 * metrics.height();
    const int buckets = qMax(16, static_cast<int>(roughWidth / 2));
    QVector<Line> lines;
    bool smoothed = false;
    double yLow = std::numeric_limits<double>::infinity(), yHigh = -yLow;
    for (const QString& key : options.runs) {
        const ViewerRun* run = m_library.run(key);
        for (int t = 0; run && t < tags.size(); ++t) {
            const ChartCurve* curve = m_curves.curve(key, tags[t], options.smoothing);
            if (!curve)
                continue;
            smoothed = smoothed || curve->isSmoothed();
            Line line{RunColours::colour(run->name), styleOf(t), {}, {}};
            line.points = curve->points(options.xAxis, xRange.first, xRange.second, buckets, options.logY,
                                        curve->isSmoothed() ? &line.measured : nullptr);
            // The y range holds the measured values too: a spike the smoothing flattens still shows.
            for (QList<QPointF>* points : {&line.points, &line.measured}) {
                for (QPointF& p : *points) {
                    if (options.logY)
                        p.setY(std::log10(p.y()));
                    if (p.x() >= xRange.first && p.x() <= xRange.second) {
                        yLow = qMin(yLow, p.y());
                        yHigh = qMax(yHigh, p.y());
                    }
                }
            }
            lines.append(std::move(line));
        }
    }
    if (!(yLow <= yHigh)) {
        yLow = 0;
        yHigh = 1;
    } else if (yLow == yHigh) { // a constant (a learning rate): a band around it at its own scale
        const double pad = yLow != 0 && !options.logY ? std::abs(yLow) * 0.1 : 0.5;
        yLow -= pad;
        yHigh += pad;
    } else {
        const double pad = (yHigh - yLow) * 0.04;
        yLow -= pad;
        yHigh += pad;
    }

    // Axes: the y labels' width decides where the plot starts.
    const int tickCount = qMax(2, static_cast<int>(cell.height() / (metrics.height() * 3)));
    const QVector<double> yTicks =
        options.logY ? AxisTicks::logarithmic(yLow, yHigh, tickCount) : AxisTicks::linear(yLow, yHigh, tickCount);
    const double ySpacing = yTicks.size() > 1 ? yTicks[1] - yTicks[0] : 1;
    QStringList yLabels;
    double labelWidth = 0;
    for (double t : yTicks) {
        yLabels << (options.logY ? QString::number(std::pow(10.0, t), 'g', 3) : AxisTicks::yLabel(t, ySpacing));
        labelWidth = qMax(labelWidth, metrics.horizontalAdvance(yLabels.last()));
    }
    // Room on the left for the y axis' name (turned), below for the x axis'.
    const double axisName = metrics.height() * 1.2;
    const QRectF plot(cell.left() + axisName + labelWidth + metrics.height() * 0.5, cell.top() + metrics.height() * 1.4,
                      cell.width() - axisName - labelWidth - metrics.height() * 1.0,
                      cell.height() - metrics.height() * 2.9 - axisName);
    if (plot.width() < 10 || plot.height() < 10)
        return;
    // A figure says when its lines are not the values: it leaves the app for slides and papers.
    const QString caption = smoothed ? QStringLiteral("%1 · smoothed, EMA %2 (curves under %3 points as measured)")
                                           .arg(title, QString::number(options.smoothing, 'g', 3))
                                           .arg(ChartCurve::kFewestSmoothedPoints)
                                     : title;
    m_panels.append({plot, caption, xRange.first, xRange.second, yLow, yHigh});
    const auto toPixel = [&](QPointF p) {
        return QPointF(plot.left() + (p.x() - xRange.first) / (xRange.second - xRange.first) * plot.width(),
                       plot.bottom() - (p.y() - yLow) / (yHigh - yLow) * plot.height());
    };

    painter.setFont(font);
    painter.setPen(ink);
    painter.drawText(QRectF(plot.left(), cell.top(), plot.width(), metrics.height() * 1.3),
                     Qt::AlignLeft | Qt::AlignVCenter, metrics.elidedText(caption, Qt::ElideMiddle, plot.width()));
    for (int i = 0; i < yTicks.size(); ++i) {
        const double y = toPixel({xRange.first, yTicks[i]}).y();
        painter.setPen(QPen(grid, 1));
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
        painter.setPen(ink);
        painter.drawText(QRectF(cell.left() + axisName, y - metrics.height() / 2, labelWidth, metrics.height()),
                         Qt::AlignRight | Qt::AlignVCenter, yLabels[i]);
    }
    const int xCount = qMax(2, static_cast<int>(plot.width() / (metrics.height() * 5)));
    const QVector<double> xTicks = AxisTicks::linear(xRange.first, xRange.second, xCount);
    const double xSpacing = xTicks.size() > 1 ? xTicks[1] - xTicks[0] : 1;
    for (double t : xTicks) {
        const double x = toPixel({t, yLow}).x();
        painter.setPen(QPen(grid, 1));
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        painter.setPen(ink);
        const QString label = AxisTicks::xLabel(options.xAxis, t, xSpacing);
        const double w = metrics.horizontalAdvance(label);
        painter.drawText(
            QPointF(qBound(cell.left(), x - w / 2, cell.right() - w), plot.bottom() + metrics.ascent() + 3), label);
    }
    painter.setPen(QPen(ink, 1));
    painter.drawRect(plot);
    // The axes' names: what x counts, and the tags on y.
    painter.drawText(QRectF(plot.left(), plot.bottom() + metrics.height() * 1.2, plot.width(), axisName),
                     Qt::AlignCenter, xAxisName(options.xAxis));
    painter.save();
    painter.translate(cell.left(), plot.center().y());
    painter.rotate(-90);
    const QString yName =
        (options.logY ? QStringLiteral("%1 (log)") : QStringLiteral("%1")).arg(tags.join(QStringLiteral(", ")));
    painter.drawText(QRectF(-plot.height() / 2, 0, plot.height(), axisName), Qt::AlignCenter,
                     metrics.elidedText(yName, Qt::ElideMiddle, plot.height()));
    painter.restore();

    painter.save();
    painter.setClipRect(plot);
    const auto polylineOf = [&](const QList<QPointF>& points) {
        QPolygonF polyline;
        polyline.reserve(points.size());
        for (const QPointF& p : points)
            polyline.append(toPixel(p));
        return polyline;
    };
    // The measured lines first, faint, so that every smoothed line is drawn over all of them.
    painter.setRenderHint(QPainter::Antialiasing, false);
    for (const Line& line : std::as_const(lines)) {
        if (line.measured.isEmpty())
            continue;
        painter.setPen(QPen(RunColours::faint(line.colour, background()), options.fontScale, line.style));
        painter.drawPolyline(polylineOf(line.measured));
    }
    for (const Line& line : std::as_const(lines)) {
        const QPolygonF polyline = polylineOf(line.points);
        // A dense curve (a point or more per pixel, min/max buckets) looks the same without antialiasing
        // and draws several times faster; sparse ones keep smooth edges.
        const bool dense = polyline.size() > plot.width() / 2;
        painter.setRenderHint(QPainter::Antialiasing, !dense);
        QPen pen(line.colour, (dense ? 1.0 : 1.6) * options.fontScale, line.style);
        pen.setJoinStyle(Qt::RoundJoin);
        painter.setPen(pen);
        if (polyline.size() == 1)
            painter.drawEllipse(polyline.first(), 2 * options.fontScale, 2 * options.fontScale);
        else
            painter.drawPolyline(polyline);
    }
    painter.restore();
}

} // namespace jikken
