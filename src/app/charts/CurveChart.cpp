#include "CurveChart.h"

#include "AxisTicks.h"

#include <QDateTime>
#include <QDateTimeAxis>
#include <QGraphicsLayout>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QValueAxis>

#include <cmath>
#include <tuple>

namespace jikken {

namespace {

constexpr double kLabelPixels = 12;
constexpr qsizetype kFullDetailLines = 20;
constexpr int kFewestBuckets = 100;

QString xTitle(XAxis axis)
{
    switch (axis) {
    case XAxis::Step:
        return QObject::tr("step");
    case XAxis::RelativeTime:
        return QObject::tr("hours");
    case XAxis::WallTime:
        return QObject::tr("wall time");
    case XAxis::Epoch:
        return QObject::tr("epoch");
    }
    return {};
}

std::pair<double, double> rangeOf(const QAbstractAxis* axis)
{
    if (const auto* time = qobject_cast<const QDateTimeAxis*>(axis))
        return {static_cast<double>(time->min().toMSecsSinceEpoch()),
                static_cast<double>(time->max().toMSecsSinceEpoch())};
    if (const auto* log = qobject_cast<const QLogValueAxis*>(axis))
        return {log->min(), log->max()};
    const auto* value = static_cast<const QValueAxis*>(axis);
    return {value->min(), value->max()};
}

/// Sets the range, then the ticks, always at round values (AxisTicks), about one per 70 pixels of
/// `length`: `RoundOut` first widens the range to the round values just past the data (at most one tick's
/// spacing of margin), `Exact` keeps it as given.
void applyRange(QAbstractAxis* axis, double low, double high, CurveChart::Ticks ticks, double length)
{
    if (auto* time = qobject_cast<QDateTimeAxis*>(axis)) {
        time->setRange(QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(std::floor(low))),
                       QDateTime::fromMSecsSinceEpoch(static_cast<qint64>(std::ceil(high))));
        return;
    }
    auto* value = qobject_cast<QValueAxis*>(axis);
    if (!value) { // a log axis: QtCharts labels only the powers of its base, so a fitted one spans whole decades
        if (ticks == CurveChart::Ticks::RoundOut)
            std::tie(low, high) = AxisTicks::decadesAround(low, high);
        axis->setRange(low, high);
        return;
    }
    value->setLabelFormat(QStringLiteral("%.10g")); // 2000, not 2000.0; 0.0995, not 0.1 (nor 0.0995000001)
    if (ticks == CurveChart::Ticks::RoundOut)
        std::tie(low, high) = AxisTicks::roundOut(low, high, std::max(2, static_cast<int>(length / 70)));
    // A short axis (a small chart's y) may find a single round value at that spacing: finer, until there
    // are two, so that no axis is left with fixed ticks at unround values (2.11964, 1.61523, …).
    QVector<double> round;
    for (int count = std::max(2, static_cast<int>(length / 70)); round.size() < 2 && count <= 64; count *= 2)
        round = AxisTicks::linear(low, high, count);
    if (round.size() >= 2 && value->tickType() == QValueAxis::TicksDynamic) {
        // Round ticks already: the spacing and the range change in the order that never asks for more ticks
        // than either end has (a wider spacing first, a narrower one last). Switched to fixed ticks and back,
        // QtCharts kept the fixed ticks' labels (0, 1122.5, 2245, … as a small chart's curve grew).
        const double interval = round[1] - round[0];
        const bool wider = interval > value->tickInterval();
        if (wider)
            value->setTickInterval(interval);
        value->setRange(low, high);
        value->setTickAnchor(round[0]);
        if (!wider)
            value->setTickInterval(interval);
        return;
    }
    // Five fixed ticks while the range changes: ticks of the old spacing over a range a thousand times
    // wider would be a thousand labels made, and dropped a moment later.
    value->setTickType(QValueAxis::TicksFixed);
    value->setRange(low, high);
    if (round.size() < 2)
        return;
    value->setTickAnchor(round[0]);
    value->setTickInterval(round[1] - round[0]);
    value->setTickType(QValueAxis::TicksDynamic);
}

} // namespace

CurveChart::CurveChart(Mode mode, QGraphicsItem* parent)
    : QChart(parent), m_mode(mode), m_measured(new LineLayer(this, LineLayer::Kind::Measured)),
      m_bands(new LineLayer(this, LineLayer::Kind::Band)), m_marks(new CurveMarks(this)),
      m_decadeLabels(new DecadeLabels(this))
{
    connect(this, &QChart::plotAreaChanged, this, &CurveChart::placeDecadeLabels);
    keepPainted(m_measured);
    keepPainted(m_bands);
    setLayered(mode == Mode::Figure);
    setBackgroundRoundness(0);
    legend()->hide(); // QtCharts' own: one row, every name elided once they do not fit
    if (mode == Mode::Figure) {
        setMargins(QMargins(0, 0, 0, 0));
        layout()->setContentsMargins(0, 0, 0, 0);
    } else {
        m_legend = new CurveLegend(this);
        connect(this, &QGraphicsWidget::geometryChanged, this, &CurveChart::placeLegend);
    }
    m_margins = margins();
}

bool CurveChart::setLook(bool dark, const QColor& background)
{
    const ChartTheme wanted = dark ? ChartThemeDark : ChartThemeLight;
    const bool changed = theme() != wanted || backgroundBrush().color() != background;
    if (theme() != wanted)
        setTheme(wanted);
    setBackgroundBrush(background);
    setBackgroundRoundness(0);
    if (m_legend)
        m_legend->setDark(dark);
    placeDecadeLabels(); // in the theme's colour
    return changed;
}

void CurveChart::removeLines()
{
    m_measured->setLines({});
    m_bands->setLines({});
    m_marks->setMarks({});
    if (m_drawn)
        m_drawn->setLines({});
    removeAllSeries();
    m_lines.clear();
    updateLegend();
}

void CurveChart::clear()
{
    removeLines();
    for (QAbstractAxis* old : axes())
        removeAxis(old);
    delete std::exchange(m_x, nullptr);
    delete std::exchange(m_y, nullptr);
    placeDecadeLabels();
}

void CurveChart::setAxes(XAxis axis, bool logY, const QString& yTitle)
{
    clear();
    m_xKind = axis;
    m_logY = logY;
    if (axis == XAxis::WallTime) {
        auto* time = new QDateTimeAxis;
        time->setFormat(QStringLiteral("MM-dd hh:mm"));
        m_x = time;
    } else {
        m_x = new QValueAxis;
    }
    m_x->setTitleText(xTitle(axis));
    m_y = logY ? static_cast<QAbstractAxis*>(new QLogValueAxis) : new QValueAxis;
    if (auto* log = qobject_cast<QLogValueAxis*>(m_y)) {
        log->setLabelFormat(QStringLiteral("%g"));
        log->setMinorTickCount(-1); // a grid line at 2, 3, … 9 times each power of ten
    }
    m_y->setTitleText(yTitle);
    m_x->setTitleVisible(m_axisTitles);
    m_y->setTitleVisible(m_axisTitles);
    addAxis(m_x, Qt::AlignBottom);
    addAxis(m_y, Qt::AlignLeft);
    applyTextScale(); // on the new axes, and after a theme that set its own sizes
    watchAxes();
}

void CurveChart::watchAxes()
{
    // A zoom or a pan (QChart's zoomIn and scroll set the range themselves) gets round ticks for the new
    // range, as a range set here does.
    const auto retick = [this](QAbstractAxis* axis, double length) {
        const bool setting = std::exchange(m_settingRange, true);
        const auto [low, high] = rangeOf(axis);
        applyRange(axis, low, high, Ticks::Exact, length);
        m_settingRange = setting;
    };
    const auto xMoved = [this, retick] {
        redrawLayers();
        if (m_settingRange)
            return;
        retick(m_x, plotArea().width());
        Q_EMIT xRangeMoved();
    };
    const auto yMoved = [this, retick] {
        redrawLayers();
        if (!m_settingRange)
            retick(m_y, plotArea().height());
        placeDecadeLabels();
    };
    if (auto* time = qobject_cast<QDateTimeAxis*>(m_x))
        connect(time, &QDateTimeAxis::rangeChanged, this, xMoved);
    else
        connect(static_cast<QValueAxis*>(m_x), &QValueAxis::rangeChanged, this, xMoved);
    if (auto* log = qobject_cast<QLogValueAxis*>(m_y))
        connect(log, &QLogValueAxis::rangeChanged, this, yMoved);
    else
        connect(static_cast<QValueAxis*>(m_y), &QValueAxis::rangeChanged, this, yMoved);
}

void CurveChart::placeDecadeLabels()
{
    m_decadeLabels->place(qobject_cast<const QLogValueAxis*>(m_y));
}

void CurveChart::redrawLayers()
{
    m_measured->update();
    m_bands->update();
    m_marks->update();
    if (m_drawn)
        m_drawn->update();
}

void CurveChart::setAxisTitlesVisible(bool visible)
{
    m_axisTitles = visible;
    for (QAbstractAxis* axis : axes())
        axis->setTitleVisible(visible);
}

void CurveChart::setLines(const QVector<Style>& styles)
{
    // Series are kept and restyled, and only the difference is added or removed: QtCharts makes a series'
    // items, legend entry and theme anew on each add (a hundred runs arriving one by one were seconds).
    while (m_lines.size() > styles.size()) {
        QLineSeries* line = m_lines.takeLast();
        if (m_drawn)
            m_drawn->remove(line);
        m_measured->remove(line); // nothing is left that places its points by the series
        m_bands->remove(line);
        m_marks->remove(line);
        removeSeries(line);
        delete line;
    }
    for (qsizetype i = 0; i < m_lines.size(); ++i)
        restyle(m_lines[i], styles[i]);
    for (qsizetype i = m_lines.size(); i < styles.size(); ++i)
        addLine(styles[i]);
    updateLegend();
}

void CurveChart::restyle(QLineSeries* line, const Style& style)
{
    QPen pen(style.colour, style.width, style.dash);
    pen.setJoinStyle(Qt::RoundJoin);
    if (line->pen() != pen)
        line->setPen(pen);
    if (line->name() != style.name)
        line->setName(style.name);
    line->setMarkerSize(3 * style.width);
}

void CurveChart::keepPainted(LineLayer* layer) const
{
    // On screen a layer is painted once and shown from a picture until its lines or the axes change:
    // the window repaints around it often (a new window takes the focus: every widget of this one). A
    // figure's is not: it is exported to SVG and PDF too, where a picture would stand in for the lines.
    if (m_mode == Mode::Interactive)
        layer->setCacheMode(QGraphicsItem::DeviceCoordinateCache);
}

void CurveChart::setLayered(bool layered)
{
    layered |= m_mode == Mode::Figure;
    if (layered == isLayered())
        return;
    Q_ASSERT(m_lines.isEmpty()); // a series holds its points or the layer does, from its start
    if (layered) {
        m_drawn = new LineLayer(this, LineLayer::Kind::Drawn);
        keepPainted(m_drawn);
    } else {
        delete std::exchange(m_drawn, nullptr);
    }
    updateLegend();
}

void CurveChart::highlight(const QLineSeries* line)
{
    if (m_drawn)
        m_drawn->setHighlighted(line);
}

QString CurveChart::yTitle() const
{
    return m_y ? m_y->titleText() : QString();
}

QLineSeries* CurveChart::addLine(const Style& style)
{
    auto* line = new QLineSeries;
    restyle(line, style);
    const bool setting = std::exchange(m_settingRange, true); // attaching is not the user's move
    addSeries(line);
    line->attachAxis(m_x);
    line->attachAxis(m_y);
    m_settingRange = setting;
    m_lines.append(line);
    updateLegend();
    return line;
}

int CurveChart::bucketsFor(double width, qsizetype lines)
{
    const double perLine = width / 2;
    const double shared = lines > kFullDetailLines ? perLine * kFullDetailLines / static_cast<double>(lines) : perLine;
    return std::max(kFewestBuckets, static_cast<int>(shared));
}

void CurveChart::fitWidths(QVector<Style>& styles, const QVector<QList<QPointF>>& points, double plotWidth, double thin,
                           double wide)
{
    qsizetype allPoints = 0;
    for (const QList<QPointF>& line : points)
        allPoints += line.size();
    for (qsizetype i = 0; i < styles.size() && i < points.size(); ++i)
        styles[i].width = LineLayer::isCrisp(points[i].size(), allPoints, plotWidth) ? thin : wide;
}

void CurveChart::setPoints(QLineSeries* line, const QList<QPointF>& points)
{
    if (m_drawn) {
        m_drawn->setPoints(line, points);
        return;
    }
    if (line->points() == points)
        return; // unchanged (most lines when a few of many arrive): QtCharts would lay it out again
    if (line->pointsVisible() != (points.size() == 1))
        line->setPointsVisible(points.size() == 1); // a line of one point has nothing to stroke
    line->replace(points);
}

QList<QPointF> CurveChart::pointsOf(const QLineSeries* line) const
{
    if (m_drawn)
        return m_drawn->pointsOf(line);
    return line->points();
}

std::pair<double, double> CurveChart::xRange() const
{
    return m_x ? rangeOf(m_x) : std::make_pair(0.0, 1.0);
}

std::pair<double, double> CurveChart::yRange() const
{
    return m_y ? rangeOf(m_y) : std::make_pair(0.0, 1.0);
}

void CurveChart::setXRange(double low, double high, Ticks ticks)
{
    if (!m_x)
        return;
    const bool setting = std::exchange(m_settingRange, true);
    applyRange(m_x, low, high, ticks, plotArea().width() > 0 ? plotArea().width() : 400);
    m_settingRange = setting;
}

void CurveChart::setYRange(double low, double high, Ticks ticks)
{
    if (!m_y)
        return;
    const bool setting = std::exchange(m_settingRange, true);
    applyRange(m_y, low, high, ticks, plotArea().height() > 0 ? plotArea().height() : 300);
    m_settingRange = setting;
}

void CurveChart::setRangesAndPoints(std::pair<double, double> x, std::pair<double, double> y,
                                    const QVector<QList<QPointF>>& points)
{
    setXRange(x.first, x.second, Ticks::Exact);
    setYRange(y.first, y.second, Ticks::Exact);
    for (qsizetype i = 0; i < points.size() && i < m_lines.size(); ++i)
        setPoints(m_lines[i], points[i]);
}

void CurveChart::setTextScale(double scale)
{
    if (std::exchange(m_textScale, scale) != scale)
        applyTextScale(); // only when changed: new fonts lay the chart out again
}

void CurveChart::applyTextScale()
{
    if (!m_textScale)
        return; // QtCharts' own sizes
    QFont labels = font();
    labels.setPixelSize(std::max(6, static_cast<int>(std::lround(kLabelPixels * *m_textScale))));
    QFont titles = labels;
    titles.setPixelSize(std::max(6, static_cast<int>(std::lround(kLabelPixels * 1.1 * *m_textScale))));
    setTitleFont(titles);
    for (QAbstractAxis* axis : axes()) {
        axis->setLabelsFont(labels);
        axis->setTitleFont(labels);
    }
    if (m_legend) {
        m_legend->setFont(labels);
        placeLegend();
    }
    placeDecadeLabels();
}

void CurveChart::updateLegend()
{
    if (!m_legend)
        return;
    QVector<CurveLegend::Entry> entries;
    if (!isLayered()) { // a crowded chart adds a hundred lines one by one: none named, none laid out
        for (const QLineSeries* line : std::as_const(m_lines)) {
            if (!line->name().isEmpty())
                entries.append({line->name(), line->pen().color()});
        }
    }
    m_legend->setEntries(std::move(entries));
    placeLegend();
}

void CurveChart::placeLegend()
{
    const bool shown = !m_legend->entries().isEmpty();
    m_legend->setVisible(shown);
    qreal left = 0, top = 0, right = 0, bottom = 0;
    layout()->getContentsMargins(&left, &top, &right, &bottom);
    const QRectF inside = rect().adjusted(left + m_margins.left(), top, -right - m_margins.right(), -bottom);
    const double height = shown ? m_legend->layOut(inside.width()) : 0;
    m_legend->setPos(inside.left(), inside.bottom() - m_margins.bottom() - height);
    QMargins room = m_margins;
    if (height > 0)
        room.setBottom(m_margins.bottom() + static_cast<int>(std::ceil(height)) + m_margins.bottom() / 2);
    if (margins() != room)
        setMargins(room);
}

} // namespace jikken
