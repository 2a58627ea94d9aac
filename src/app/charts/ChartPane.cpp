#include "ChartPane.h"

#include "RunColours.h"
#include "registry/RegistryClient.h"
#include "series/Downsampling.h"
#include "series/Smoothing.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QSet>
#include <QSlider>
#include <QVBoxLayout>
#include <QValueAxis>

#include <cmath>

namespace jikken {

namespace {

constexpr int kSmoothingSteps = 100; // the slider's range: weight = value / 100, at most 0.99

ScalarSeries toSeries(const QVector<ScalarPoint>& points)
{
    ScalarSeries series;
    series.reserve(static_cast<int>(points.size()));
    for (const ScalarPoint& p : points)
        series.append(p.step, p.wallTime, p.value);
    return series;
}

} // namespace

ChartPane::ChartPane(RegistryClient& registry, QWidget* parent)
    : QWidget(parent), m_registry(registry), m_tag(new QComboBox), m_smoothing(new QSlider(Qt::Horizontal)),
      m_log(new QCheckBox(tr("Log y"))), m_chart(new QChart), m_view(new QChartView(m_chart))
{
    m_smoothing->setRange(0, kSmoothingSteps - 1);
    m_smoothing->setValue(60); // TensorBoard's default 0.6
    m_tag->setMinimumContentsLength(16);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setRubberBand(QChartView::RectangleRubberBand);
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Tag")));
    controls->addWidget(m_tag, 1);
    controls->addWidget(new QLabel(tr("Smoothing")));
    controls->addWidget(m_smoothing, 1);
    controls->addWidget(m_log);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(controls);
    layout->addWidget(m_view, 1);
    connect(m_tag, &QComboBox::currentTextChanged, this, &ChartPane::reload);
    connect(m_smoothing, &QSlider::valueChanged, this, &ChartPane::reload);
    connect(m_log, &QCheckBox::toggled, this, &ChartPane::reload);
}

void ChartPane::showRuns(const QStringList& ids)
{
    m_ids = ids;
    // Keep only what is shown: the cache holds the selected runs, not every run ever clicked.
    m_cache.removeIf([&ids](auto it) { return !ids.contains(it.key().first); });
    QStringList tags;
    for (const QString& id : ids) {
        QString error;
        for (const QString& tag : m_registry.tags(id, &error)) {
            if (!tags.contains(tag))
                tags << tag;
        }
    }
    tags.sort();
    const QString current = m_tag->currentText();
    {
        const QSignalBlocker blocker(m_tag);
        m_tag->clear();
        m_tag->addItems(tags);
        // Keep the tag the user chose; else the test error, the curve people look at first.
        const int keep = m_tag->findText(current.isEmpty() ? QStringLiteral("test/error") : current);
        m_tag->setCurrentIndex(
            keep >= 0 ? keep : std::max(0, static_cast<int>(m_tag->findText(QStringLiteral("test/error")))));
    }
    reload();
}

void ChartPane::markStale(const QStringList& ids)
{
    m_cache.removeIf([&ids](auto it) { return ids.contains(it.key().first); });
}

const ScalarSeries& ChartPane::points(const QString& id, const QString& tag)
{
    const QPair<QString, QString> key{id, tag};
    auto it = m_cache.find(key);
    if (it == m_cache.end()) {
        QString error;
        it = m_cache.insert(key, toSeries(m_registry.scalars(id, tag, &error)));
    }
    return *it;
}

void ChartPane::reload()
{
    m_chart->removeAllSeries();
    for (QAbstractAxis* axis : m_chart->axes())
        m_chart->removeAxis(axis);
    const QString tag = m_tag->currentText();
    if (tag.isEmpty())
        return;
    const double weight = m_smoothing->value() / static_cast<double>(kSmoothingSteps);
    const int buckets = std::max(200, 2 * m_view->width());
    const bool log = m_log->isChecked();
    auto* x = new QValueAxis;
    x->setTitleText(tr("step"));
    QAbstractAxis* y = log ? static_cast<QAbstractAxis*>(new QLogValueAxis) : new QValueAxis;
    y->setTitleText(tag);
    m_chart->addAxis(x, Qt::AlignBottom);
    m_chart->addAxis(y, Qt::AlignLeft);
    double lowX = 0, highX = 1, lowY = 1, highY = 0;
    for (const QString& id : m_ids) {
        ScalarSeries series = points(id, tag);
        if (series.isEmpty())
            continue;
        series.values = Smoothing::debiasedEma(series.values, weight);
        const ScalarSeries shown = Downsampling::downsample(series, buckets, Downsampling::Method::MinMax);
        QList<QPointF> points;
        points.reserve(shown.size());
        for (int i = 0; i < shown.size(); ++i) {
            const double value = shown.values[i];
            if (!std::isfinite(value) || (log && value <= 0))
                continue; // a log axis cannot place zero or less; NaN has no place at all
            points.append(QPointF(static_cast<double>(shown.steps[i]), value));
            lowY = lowY > highY ? value : std::min(lowY, value);
            highY = std::max(highY, value);
        }
        auto* line = new QLineSeries;
        line->setName(id);
        line->setColor(RunColours::colour(id));
        line->replace(points);
        m_chart->addSeries(line);
        line->attachAxis(x);
        line->attachAxis(y);
        lowX = std::min(lowX, static_cast<double>(shown.steps.first()));
        highX = std::max(highX, static_cast<double>(shown.steps.last()));
    }
    x->setRange(lowX, highX);
    if (lowY <= highY)
        y->setRange(lowY, lowY == highY ? highY + 1 : highY);
}

} // namespace jikken
