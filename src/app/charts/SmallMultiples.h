#pragma once

#include "series/ChartCurve.h"

#include <QColor>
#include <QGraphicsScene>
#include <QList>
#include <QPixmap>
#include <QPointF>
#include <QString>
#include <QVector>
#include <QWidget>

namespace jikken {

class CurveChart;

/// A row of small charts beside the main one, one per key tag (train loss, test loss, accuracy, …) of
/// the runs on show, each run in its colour: the whole run at a glance while the main chart zooms into
/// one tag. Each is a `CurveChart`, as the main chart and the viewer's figures are. Clicking a small
/// chart asks for its tag in the main chart (`tagChosen`). The charts are drawn once into a picture, kept
/// until their panels or the widget's size change: the window repaints around them often (a table row, a
/// new point in the main chart), and a hundred runs' lines in three charts took milliseconds each time.
class SmallMultiples : public QWidget
{
    Q_OBJECT

public:
    struct Line
    {
        QColor colour;
        QList<QPointF> points; ///< in data units (on a log axis, the values themselves)
    };
    struct Panel
    {
        QString tag;
        QVector<Line> lines;
    };

    explicit SmallMultiples(QWidget* parent = nullptr);
    ~SmallMultiples() override;

    void setPanels(QVector<Panel> panels, XAxis axis, bool logY);
    const QVector<Panel>& panels() const { return m_panels; }
    /// The charts of the last paint, one per panel.
    const QList<CurveChart*>& charts() const { return m_charts; }
    /// The tag of the panel at `point` (widget coordinates); empty outside every panel.
    QString tagAt(QPointF point) const;

    QSize sizeHint() const override { return {480, 160}; }

Q_SIGNALS:
    void tagChosen(const QString& tag);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    QRectF cellOf(int index) const;
    /// Makes a chart per panel and hands each its lines and ranges.
    void fillCharts();
    /// Draws the charts into `m_picture`, the widget's size at `ratio` device pixels per pixel.
    void drawPicture(qreal ratio);

    QVector<Panel> m_panels;
    XAxis m_axis = XAxis::Step;
    bool m_logY = false;
    bool m_stale = false;   ///< panels given since the charts were filled
    QPixmap m_picture;      ///< the charts as last drawn (null: to be drawn)
    QGraphicsScene m_scene; ///< holds the charts
    QList<CurveChart*> m_charts;
};

} // namespace jikken
