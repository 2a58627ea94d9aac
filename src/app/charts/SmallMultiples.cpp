#include "SmallMultiples.h"

#include "AxisTicks.h"

#include "CurveChart.h"

#include <QGraphicsLayout>
#include <QMouseEvent>
#include <QPainter>
#include <QTimer>

#include <algorithm>
#include <limits>

namespace jikken {

namespace {
constexpr double kTextScale = 0.8; // of a chart's 12-pixel labels: small charts, small print
} // namespace

SmallMultiples::SmallMultiples(QWidget* parent) : QWidget(parent)
{
    setCursor(Qt::PointingHandCursor);
    setToolTip(tr("Click a chart to show its tag in the main chart"));
    setMinimumHeight(120);
}

SmallMultiples::~SmallMultiples() = default; // the scene deletes the charts

void SmallMultiples::setPanels(QVector<Panel> panels, XAxis axis, bool logY)
{
    m_panels = std::move(panels);
    m_axis = axis;
    m_logY = logY;
    m_stale = true;
    m_picture = QPixmap();
    setVisible(!m_panels.isEmpty());
    update();
}

QRectF SmallMultiples::cellOf(int index) const
{
    const double width = static_cast<double>(this->width()) / std::max<qsizetype>(1, m_panels.size());
    return QRectF(index * width, 0, width, height()).adjusted(4, 2, -4, -2);
}

QString SmallMultiples::tagAt(QPointF point) const
{
    for (int i = 0; i < m_panels.size(); ++i) {
        if (cellOf(i).contains(point))
            return m_panels[i].tag;
    }
    return {};
}

void SmallMultiples::mousePressEvent(QMouseEvent* event)
{
    const QString tag = tagAt(event->position());
    if (!tag.isEmpty())
        Q_EMIT tagChosen(tag);
}

void SmallMultiples::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::PaletteChange) { // the charts take the window's colours
        m_stale = true;
        m_picture = QPixmap();
    }
    QWidget::changeEvent(event);
}

void SmallMultiples::fillCharts()
{
    while (m_charts.size() > m_panels.size())
        delete m_charts.takeLast(); // and out of the scene
    const QColor background = palette().color(QPalette::Window);
    bool newAxes = false;
    for (int i = 0; i < m_panels.size(); ++i) {
        if (i == m_charts.size()) {
            auto* chart = new CurveChart(CurveChart::Mode::Figure); // the main chart's legend names the runs
            chart->setAxisTitlesVisible(false);
            m_scene.addItem(chart);
            m_charts.append(chart);
        }
        CurveChart& chart = *m_charts[i];
        const Panel& panel = m_panels[i];
        if (chart.setLook(background.lightness() < 128, background) || !chart.hasAxes() ||
            chart.xAxisKind() != m_axis || chart.isLogY() != m_logY) {
            chart.setAxes(m_axis, m_logY, panel.tag);
            newAxes = true;
        }
        chart.setTextScale(kTextScale);
        chart.setTitle(panel.tag);
        QVector<CurveChart::Style> styles;
        QVector<QList<QPointF>> points;
        double lowX = std::numeric_limits<double>::infinity(), highX = -lowX, lowY = lowX, highY = -lowX;
        for (const Line& line : panel.lines) {
            styles.append({QString(), line.colour, Qt::SolidLine, 1.5});
            points.append(line.points);
            for (const QPointF& p : line.points) {
                lowX = std::min(lowX, p.x());
                highX = std::max(highX, p.x());
                lowY = std::min(lowY, p.y());
                highY = std::max(highY, p.y());
            }
        }
        CurveChart::fitWidths(styles, points, cellOf(i).width(), 1.0, 1.5);
        chart.setLines(styles);
        if (!(lowX <= highX)) { // nothing read yet
            lowX = lowY = m_logY ? 0.1 : 0;
            highX = highY = 1;
        }
        if (highX == lowX)
            highX = lowX + 1;
        if (highY == lowY) { // a constant: a band around it
            lowY = m_logY ? lowY / 2 : lowY - 0.5;
            highY = m_logY ? highY * 2 : highY + 0.5;
        } else if (m_logY) { // whole decades: QtCharts labels the powers of ten, DecadeLabels 2 and 5 between
            std::tie(lowY, highY) = AxisTicks::decadesAround(lowY, highY);
        } else { // the lines clear of the frame
            const double pad = (highY - lowY) * 0.04;
            lowY -= pad;
            highY += pad;
        }
        chart.setRangesAndPoints({lowX, highX}, {lowY, highY}, points);
    }
    // QtCharts deletes the old axes' labels later (deleteLater): until then a picture would show both.
    if (newAxes)
        QTimer::singleShot(0, this, [this] {
            m_picture = QPixmap();
            update();
        });
}

void SmallMultiples::paintEvent(QPaintEvent*)
{
    if (std::exchange(m_stale, false) || m_charts.size() != m_panels.size())
        fillCharts();
    const qreal ratio = devicePixelRatioF();
    if (m_picture.isNull() || m_picture.deviceIndependentSize() != QSizeF(size()) ||
        m_picture.devicePixelRatio() != ratio)
        drawPicture(ratio);
    QPainter(this).drawPixmap(0, 0, m_picture);
}

void SmallMultiples::drawPicture(qreal ratio)
{
    m_picture = QPixmap(size() * ratio);
    m_picture.setDevicePixelRatio(ratio);
    m_picture.fill(Qt::transparent); // the widget's own background shows between the charts
    QPainter painter(&m_picture);
    painter.setRenderHint(QPainter::Antialiasing);
    for (int i = 0; i < m_charts.size(); ++i) {
        const QRectF cell = cellOf(i);
        if (m_charts[i]->geometry() != cell)
            m_charts[i]->setGeometry(cell);
        m_charts[i]->layout()->activate();
        m_scene.render(&painter, cell, cell);
    }
}

} // namespace jikken
