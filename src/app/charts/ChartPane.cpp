#include "ChartPane.h"

#include "GroupingControls.h"
#include "OutlierRange.h"
#include "PlotView.h"
#include "RunColours.h"
#include "SmallMultiples.h"
#include "registry/RegistryReader.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QSlider>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>

namespace jikken {

namespace {
// What people look at besides the test error, in the order they look: shown small beside the main chart.
const QStringList kKeyTags{QStringLiteral("test/error"),    QStringLiteral("train/loss"),
                           QStringLiteral("test/loss"),     QStringLiteral("train/accuracy"),
                           QStringLiteral("test/accuracy"), QStringLiteral("learning_rate"),
                           QStringLiteral("train/lr")};
constexpr int kMostMultiples = 3;

} // namespace

ChartPane::ChartPane(RegistryReader& reader, QWidget* parent)
    : QWidget(parent), m_reader(reader), m_tag(new QComboBox), m_xAxis(new XAxisPicker), m_colourBy(new QComboBox),
      m_grouping(new GroupingControls), m_smoothing(new SmoothingControl), m_log(new QCheckBox(tr("Log y"))),
      m_outliers(new QCheckBox(tr("Ignore outliers"))), m_reset(new QPushButton(tr("Reset"))), m_chart(new CurveChart),
      m_view(new PlotView(m_chart)), m_multiples(new SmallMultiples), m_readout(new QLabel),
      m_drawSoon(new QTimer(this)), m_reloadSoon(new QTimer(this)), m_askSoon(new QTimer(this)),
      m_tip(new ReadoutTip(m_view->viewport()))
{
    m_tag->setMinimumContentsLength(16);
    m_reset->setToolTip(tr("Show the whole curves (Esc, double or right click)"));
    m_readout->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_readout->setWordWrap(true); // an error naming a long reason wraps, never widens the window
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Tag")));
    controls->addWidget(m_tag, 1);
    controls->addWidget(new QLabel(tr("x")));
    controls->addWidget(m_xAxis);
    m_colourBy->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_colourBy->setToolTip(tr("Colour the runs one by one, or by group: runs with the same value share a colour"));
    controls->addWidget(m_colourBy);
    controls->addWidget(m_grouping);
    controls->addWidget(m_smoothing, 1);
    controls->addWidget(m_log);
    m_outliers->setChecked(true);
    m_outliers->setToolTip(tr("Leave a run's spike (10 times the others' 99.9th percentile) out of the y range"));
    controls->addWidget(m_outliers);
    controls->addWidget(m_reset);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    auto* charts = new QHBoxLayout;
    charts->addWidget(m_view, 3);
    charts->addWidget(m_multiples, 2);
    m_multiples->hide();
    layout->addLayout(charts, 1);
    layout->addWidget(m_readout);
    connect(m_multiples, &SmallMultiples::tagChosen, m_tag, &QComboBox::setCurrentText);
    connect(m_tag, &QComboBox::currentTextChanged, this, [this](const QString& tag) {
        m_wantedTag = tag; // the user's choice (the pane's own changes block the signal)
        reload();
    });
    connect(m_xAxis, &QComboBox::currentIndexChanged, this, &ChartPane::reload);
    connect(m_log, &QCheckBox::toggled, this, &ChartPane::reload);
    connect(m_outliers, &QCheckBox::toggled, this, &ChartPane::reload);
    connect(m_colourBy, &QComboBox::currentIndexChanged, this, &ChartPane::reload);
    connect(m_grouping, &GroupingControls::changed, this, &ChartPane::reload);
    connect(m_smoothing, &SmoothingControl::weightChanged, this, &ChartPane::applySmoothing);
    connect(m_reset, &QPushButton::clicked, this, &ChartPane::reload);
    connect(m_view, &PlotView::resetRequested, this, &ChartPane::reload);
    // A zoom or pan by the user (not by this pane) moves the x axis: redraw what is in view.
    connect(m_chart, &CurveChart::xRangeMoved, this, [this] {
        m_zoomed = true;
        redraw();
    });
    connect(m_view, &PlotView::hoveredAt, this, [this](QPointF value, QPoint pixel) {
        if (!m_chart->isLayered()) {
            m_tip->showAt(xLabel(value.x()), readoutAt(value.x(), m_lineKeys), pixel);
            return;
        }
        const QString nearest = nearestRun(value); // picked out of the band, and named
        m_chart->highlight(m_lines.value(nearest));
        if (nearest.isEmpty())
            m_tip->hide();
        else
            m_tip->showAt(xLabel(value.x()), readoutAt(value.x(), {nearest}), pixel);
    });
    connect(m_view, &PlotView::hoverLeft, this, [this] {
        m_chart->highlight(nullptr);
        m_tip->hide();
    });
    m_view->setMouseTracking(true);
    m_drawSoon->setSingleShot(true);
    m_drawSoon->setInterval(kArrivalsMs);
    connect(m_drawSoon, &QTimer::timeout, this, &ChartPane::drawArrivals);
    m_reloadSoon->setSingleShot(true);
    connect(m_reloadSoon, &QTimer::timeout, this, &ChartPane::reload);
    m_askSoon->setSingleShot(true);
    connect(m_askSoon, &QTimer::timeout, this, &ChartPane::askGathered);
    applyTheme();
    showHint();
}

void ChartPane::saveSettings(QSettings& settings) const
{
    settings.beginGroup(QStringLiteral("chart"));
    settings.setValue(QStringLiteral("smoothingWeight"), m_smoothing->weight());
    settings.setValue(QStringLiteral("xAxis"), m_xAxis->currentIndex());
    settings.setValue(QStringLiteral("logY"), m_log->isChecked());
    settings.setValue(QStringLiteral("ignoreOutliers"), m_outliers->isChecked());
    settings.setValue(QStringLiteral("tag"), m_tag->currentText());
    settings.setValue(QStringLiteral("group"),
                      QJsonDocument(m_grouping->grouping().toJson()).toJson(QJsonDocument::Compact));
    settings.endGroup();
}

void ChartPane::restoreSettings(QSettings& settings)
{
    settings.beginGroup(QStringLiteral("chart"));
    // Kept as the weight; before, as the slider's hundredths under "smoothing".
    const QVariant hundredths = settings.value(QStringLiteral("smoothing"));
    m_smoothing->setWeight(settings
                               .value(QStringLiteral("smoothingWeight"),
                                      hundredths.isValid() ? hundredths.toInt() / 100.0 : m_smoothing->weight())
                               .toDouble());
    m_xAxis->setCurrentIndex(std::clamp(settings.value(QStringLiteral("xAxis"), 0).toInt(), 0, m_xAxis->count() - 1));
    m_log->setChecked(settings.value(QStringLiteral("logY"), false).toBool());
    m_outliers->setChecked(settings.value(QStringLiteral("ignoreOutliers"), true).toBool());
    const QJsonDocument group = QJsonDocument::fromJson(settings.value(QStringLiteral("group")).toByteArray());
    m_grouping->setGrouping(RunGroups::Grouping::fromJson(
        group.isObject() && !group.object().isEmpty() ? QJsonValue(group.object()) : QJsonValue()));
    const QString tag = settings.value(QStringLiteral("tag")).toString();
    if (!tag.isEmpty()) {
        const QSignalBlocker blocker(m_tag);
        m_tag->addItem(tag); // the tag chosen last time, picked again when the selected runs have it
        m_tag->setCurrentText(tag);
        m_wantedTag = tag;
    }
    settings.endGroup();
}

void ChartPane::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange)
        applyTheme();
    QWidget::changeEvent(event);
}

void ChartPane::applyTheme()
{
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    if (m_chart->setLook(dark, CurveChart::paper(dark)))
        reload(); // a theme repaints the lines in its own colours; each run keeps its own
}

int ChartPane::buckets() const
{
    return CurveChart::bucketsFor(m_chart->plotArea().width(), m_lineKeys.size());
}

const ChartCurve* ChartPane::curve(const QString& id, const QString& tag) const
{
    const auto it = m_curves.constFind({id, tag});
    return it == m_curves.constEnd() ? nullptr : &*it;
}

const ChartCurve* ChartPane::lineCurve(const QString& key) const
{
    if (m_groups.isEmpty())
        return curve(key, m_tag->currentText());
    const auto group = m_groups.constFind(key);
    return group == m_groups.cend() ? nullptr : &group->mean;
}

XAxis ChartPane::xAxis() const
{
    const XAxis picked = m_xAxis->axis();
    return m_groups.isEmpty() || picked == XAxis::Step || picked == XAxis::Epoch ? picked : XAxis::Step;
}

void ChartPane::showTags(const QStringList& tags)
{
    const QString current = m_tag->currentText();
    {
        const QSignalBlocker blocker(m_tag);
        m_tag->clear();
        m_tag->addItems(tags);
        const int keep = m_tag->findText(preferredTag());
        m_tag->setCurrentIndex(
            keep >= 0 ? keep : std::max(0, static_cast<int>(m_tag->findText(QStringLiteral("test/error")))));
    }
    fillColourBy();
    if (m_tag->currentText() != current || tags.isEmpty())
        reload();
    else
        refreshMultiples(); // more key tags may be known now
}

QString ChartPane::preferredTag() const
{
    return m_wantedTag.isEmpty() ? QStringLiteral("test/error") : m_wantedTag;
}

void ChartPane::curveChanged(const QString& tag)
{
    // Curves arriving together (a hundred runs selected) are drawn once, a moment after the first.
    m_multiplesStale |= keyTags().contains(tag);
    m_chartStale |= tag == m_tag->currentText();
    if (!m_drawSoon->isActive())
        m_drawSoon->start();
}

bool ChartPane::isDrawPending() const
{
    return m_drawSoon->isActive() || m_reloadSoon->isActive() || m_askSoon->isActive();
}

void ChartPane::drawArrivals()
{
    if (std::exchange(m_multiplesStale, false))
        refreshMultiples();
    if (!std::exchange(m_chartStale, false))
        return;
    if (!m_zoomed) {
        fitAxes(); // and draws
    } else {
        averageGroups();
        redraw();
    }
}

void ChartPane::markStale(const QStringList& ids)
{
    for (const QString& id : ids) {
        if (!m_ids.contains(id)) {
            m_curves.removeIf([&id](auto it) { return it.key().first == id; });
            continue;
        }
        // Shown: drop its other tags, read the shown ones again; the old curves stay until the new arrive.
        const QStringList shown = QStringList{m_tag->currentText()} + keyTags();
        m_curves.removeIf([&id, &shown](auto it) { return it.key().first == id && !shown.contains(it.key().second); });
        for (const QString& tag : shown) {
            if (tag == m_tag->currentText())
                readTail(id, tag);
            else
                previewCurve(id, tag, true); // a small chart's: its preview again
        }
        // Its colour changed (set here or by another client): drawn again in it.
        if (const QLineSeries* line = m_lines.value(id); line && line->color() != colourOf(id))
            m_reloadSoon->start();
    }
}

void ChartPane::reload()
{
    m_reloadSoon->stop();
    m_chart->clear();
    m_lines.clear();
    m_lineKeys.clear();
    groupRuns();
    m_zoomed = false;
    m_readout->clear();
    m_tip->hide();
    const QString tag = m_tag->currentText();
    showHint();
    refreshMultiples();
    if (tag.isEmpty())
        return;
    m_chart->setAxes(xAxis(), m_log->isChecked(), tag);
    if (!m_groups.isEmpty()) {
        for (const QString& id : std::as_const(m_ids))
            ensureCurve(id, tag);
        QVector<QColor> colours;
        for (const QString& label : std::as_const(m_lineKeys))
            colours.append(m_groups.value(label).colour);
        const QVector<Qt::PenStyle> styles = RunColours::stylesTellingApart(colours);
        for (int i = 0; i < m_lineKeys.size(); ++i)
            m_lines.insert(
                m_lineKeys[i],
                m_chart->addLine(
                    {QStringLiteral("%1 (n=%2)").arg(m_lineKeys[i]).arg(m_groups.value(m_lineKeys[i]).runs.size()),
                     colours[i], styles[i], 2.0}));
        fitAxes();
        return;
    }
    m_lineKeys = m_ids;
    // Groups (colouring by a field) get distinct colours in selection order; runs have their own, and
    // two runs of one colour are told apart by dash.
    QStringList groups;
    for (const QString& id : m_ids) {
        if (const QString group = colourKey(id); group != id && !groups.contains(group))
            groups << group;
    }
    RunColours::showGroups(groups);
    QVector<QColor> colours;
    for (const QString& id : m_ids)
        colours.append(colourOf(id));
    const QVector<Qt::PenStyle> styles = RunColours::stylesTellingApart(colours);
    // Past a screenful of names the legend says nothing (it squeezes the plot into a strip and takes longer
    // to lay out than the lines to draw; hidden first, it lays out none of them), and the lines are one
    // band in a layer: the readout names the run nearest the pointer.
    const bool crowded = m_ids.size() > kLegendLines;
    m_chart->setLayered(crowded);
    for (int i = 0; i < m_ids.size(); ++i) {
        const QString& id = m_ids[i];
        ensureCurve(id, tag);
        const QString group = colourKey(id);
        // A band's lines one pixel wide: a wider pen is stroked as a polygon, several times slower.
        QLineSeries* line =
            m_chart->addLine({group == id ? id : QStringLiteral("%1 (%2)").arg(id, group.section(u'=', 1)), colours[i],
                              group == id ? styles[i] : Qt::SolidLine, crowded ? 1.0 : 2.0});
        m_lines.insert(id, line);
    }
    fitAxes();
}

void ChartPane::fitAxes()
{
    if (!m_chart->hasAxes())
        return;
    averageGroups();
    const XAxis axis = xAxis();
    double lowX = qInf(), highX = -qInf();
    for (const QString& key : std::as_const(m_lineKeys)) {
        const ChartCurve* shown = lineCurve(key);
        if (!shown || shown->isEmpty())
            continue;
        lowX = std::min(lowX, shown->x(axis, 0));
        highX = std::max(highX, shown->x(axis, shown->size() - 1));
    }
    if (lowX <= highX)
        m_chart->setXRange(lowX, lowX == highX ? highX + 1 : highX, CurveChart::Ticks::RoundOut);
    // y holds what is drawn: each bucket's extremes, so every curve's own, and the faint measured lines,
    // so a spike the smoothing flattens stays in view — unless it is one run's spike that would flatten
    // every other curve, and outliers are ignored (as TensorBoard can): then the title says so.
    Drawn drawn = pointsInView();
    const auto clipped = m_outliers->isChecked() ? OutlierRange::highWithoutSpike(drawn.lines) : std::nullopt;
    m_clippedRun = clipped ? clipped->run : QString();
    if (clipped && drawn.lowY < clipped->high)
        drawn.highY = clipped->high;
    m_chart->setTitle(clipped ? tr("y leaves out %1's spike to %2 (Ignore outliers)")
                                    .arg(clipped->run, QString::number(clipped->reaches, 'g', 4))
                              : QString());
    if (drawn.lowY <= drawn.highY)
        m_chart->setYRange(drawn.lowY, drawn.lowY == drawn.highY ? drawn.highY + 1 : drawn.highY,
                           CurveChart::Ticks::RoundOut);
    apply(std::move(drawn));
}

ChartPane::Drawn ChartPane::pointsInView() const
{
    Drawn drawn;
    const XAxis axis = xAxis();
    const auto [low, high] = m_chart->xRange();
    const int across = buckets();
    const bool log = m_log->isChecked();
    const auto extend = [&drawn](const QList<QPointF>& points) {
        for (const QPointF& p : points) {
            drawn.lowY = std::min(drawn.lowY, p.y());
            drawn.highY = std::max(drawn.highY, p.y());
        }
    };
    for (const GroupLine& group : m_groups)
        extend(group.band);
    for (auto it = m_lines.cbegin(); it != m_lines.cend(); ++it) {
        const ChartCurve* shown = lineCurve(it.key());
        QList<QPointF> measured;
        QList<QPointF> points =
            shown ? shown->points(axis, low, high, across, log, shown->isSmoothed() ? &measured : nullptr)
                  : QList<QPointF>();
        extend(points);
        extend(measured);
        drawn.lines.insert(it.key(), std::move(points));
        if (!measured.isEmpty())
            drawn.measured.append({it.value(), colourOf(it.key()), std::move(measured)});
    }
    return drawn;
}

void ChartPane::apply(Drawn drawn)
{
    for (auto it = m_lines.cbegin(); it != m_lines.cend(); ++it)
        m_chart->setPoints(it.value(), drawn.lines.value(it.key()));
    m_chart->measured()->setLines(std::move(drawn.measured));
    m_chart->marks()->setMarks(marksOf(drawn));
    if (m_groups.isEmpty() && m_chart->bands()->lines().isEmpty())
        return; // no groups, no bands: nothing to repaint there on each zoom
    QVector<LineLayer::Line> bands;
    for (auto it = m_groups.cbegin(); it != m_groups.cend(); ++it) {
        if (!it->band.isEmpty())
            bands.append({m_lines.value(it.key()), it->colour, it->band});
    }
    m_chart->bands()->setLines(std::move(bands));
}

QVector<CurveMarks::Mark> ChartPane::marksOf(const Drawn& drawn) const
{
    using Mark = CurveMarks::Mark;
    QVector<Mark> marks;
    const XAxis axis = xAxis();
    const bool log = m_log->isChecked();
    for (auto it = m_lines.cbegin(); it != m_lines.cend(); ++it) {
        const ChartCurve* shown = lineCurve(it.key());
        const int stopped = shown ? shown->nonFiniteFrom() : -1;
        if (stopped >= 0) {
            const double value = shown->value(stopped);
            const double before =
                stopped == 0 ? qQNaN()
                             : (shown->isSmoothed() ? shown->smoothed(stopped - 1) : shown->value(stopped - 1));
            marks.append({Mark::Kind::NotFinite, it.value(), colourOf(it.key()),
                          QPointF(shown->x(axis, stopped), log && before <= 0 ? qQNaN() : before),
                          std::isnan(value) ? QStringLiteral("NaN")
                          : value > 0       ? QStringLiteral("inf")
                                            : QStringLiteral("-inf")});
        }
    }
    if (m_clippedRun.isEmpty() || !m_lines.contains(m_clippedRun))
        return marks;
    const double top = m_chart->yRange().second;
    for (const QPointF& p : drawn.lines.value(m_clippedRun)) {
        if (p.y() > top)
            marks.append({Mark::Kind::Above, m_lines.value(m_clippedRun), colourOf(m_clippedRun), p});
    }
    return marks;
}

void ChartPane::redraw()
{
    if (m_chart->hasAxes())
        apply(pointsInView());
}

void ChartPane::applySmoothing()
{
    for (ChartCurve& c : m_curves)
        c.setSmoothing(m_smoothing->weight());
    if (!m_zoomed) {
        fitAxes(); // and draws
    } else {
        averageGroups();
        redraw();
    }
    refreshMultiples();
}

QStringList ChartPane::keyTags() const
{
    QStringList tags;
    for (const QString& tag : kKeyTags) {
        if (tags.size() < kMostMultiples && tag != m_tag->currentText() && m_tag->findText(tag) >= 0)
            tags << tag;
    }
    return tags;
}

void ChartPane::refreshMultiples()
{
    QVector<SmallMultiples::Panel> panels;
    const XAxis axis = m_xAxis->axis();
    const bool log = m_log->isChecked();
    const int across = std::max(50, m_multiples->width() / std::max(1, kMostMultiples) / 2);
    for (const QString& tag : keyTags()) {
        SmallMultiples::Panel panel{tag, {}};
        for (const QString& id : std::as_const(m_ids)) {
            // A small chart is a few hundred pixels wide: a preview (min/max buckets, no spike lost) is all it
            // draws, and a hundred runs' every point would hold up the reads after it.
            previewCurve(id, tag);
            const ChartCurve* shown = curve(id, tag);
            if (!shown)
                continue;
            panel.lines.append({colourOf(id), shown->points(axis, -qInf(), qInf(), across, log)});
        }
        panels.append(std::move(panel));
    }
    m_multiples->setPanels(std::move(panels), axis, log);
}

void ChartPane::showHint()
{
    // An empty chart says how to fill it.
    m_chart->setTitle(m_ids.isEmpty() ? tr("Select runs in the table to plot them (Ctrl-click for several)")
                      : !m_tag->currentText().isEmpty() ? QString()
                      : m_tagsOf.size() < m_ids.size()  ? tr("Reading the selected runs' tags…")
                                                        : tr("The selected runs have logged no scalars yet"));
}

QString ChartPane::colourKey(const QString& id) const
{
    const QString field = m_colourBy->currentData().toString();
    const RunRecord* run = field.isEmpty() || !m_recordOf ? nullptr : m_recordOf(id);
    if (!run)
        return id;
    QString value;
    if (field == QLatin1String("method"))
        value = run->method;
    else if (field == QLatin1String("model"))
        value = run->model;
    else if (field == QLatin1String("dataset"))
        value = run->dataset;
    else
        value = run->hparams.value(field.mid(QStringLiteral("hparams/").size())).toVariant().toString();
    return field.section(u'/', -1) + u'=' + (value.isEmpty() ? QStringLiteral("–") : value);
}

QColor ChartPane::colourOf(const QString& id) const
{
    if (const auto line = m_groups.constFind(id); line != m_groups.cend())
        return line->colour;
    const QString group = colourKey(id);
    if (group != id)
        return RunColours::ofGroup(group);
    const RunRecord* run = m_recordOf ? m_recordOf(id) : nullptr;
    return run ? RunColours::of(*run) : RunColours::ofName(id);
}

void ChartPane::fillColourBy()
{
    const QString current = m_colourBy->currentData().toString();
    QStringList hparams;
    for (const QString& id : m_ids) {
        const RunRecord* run = m_recordOf ? m_recordOf(id) : nullptr;
        if (!run)
            continue;
        for (auto it = run->hparams.begin(); it != run->hparams.end(); ++it) {
            if (!hparams.contains(it.key()))
                hparams << it.key();
        }
    }
    hparams.sort();
    const QSignalBlocker blocker(m_colourBy);
    m_colourBy->clear();
    m_colourBy->addItem(tr("Colour: run"), QString());
    for (const char* field : {"method", "model", "dataset"})
        m_colourBy->addItem(tr("Colour: %1").arg(QLatin1String(field)), QString::fromLatin1(field));
    for (const QString& key : std::as_const(hparams))
        m_colourBy->addItem(tr("Colour: %1").arg(key), QString(QStringLiteral("hparams/") + key));
    m_colourBy->setCurrentIndex(std::max(0, m_colourBy->findData(current)));
    m_grouping->setFields(QStringList{QStringLiteral("method"), QStringLiteral("model"), QStringLiteral("dataset")} +
                          hparams);
}

} // namespace jikken
