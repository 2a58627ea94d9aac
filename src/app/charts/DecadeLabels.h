#pragma once

#include <QGraphicsItem>
#include <QList>

class QChart;
class QGraphicsTextItem;
class QLogValueAxis;

namespace jikken {

/// The labels a log axis spanning few decades also wants, at 2 and 5 times each power of ten (QtCharts'
/// QLogValueAxis labels only the powers, leaving a 0.1–1 axis with two numbers): written beside the
/// axis' own in its font and colour, where its grid's minor lines are.
class DecadeLabels : public QGraphicsItem
{
public:
    explicit DecadeLabels(QChart* chart);

    /// Labels `axis` (on the left of `chart`'s plot) anew; none for no axis, one of more than two
    /// decades, or one too short to hold them apart.
    void place(const QLogValueAxis* axis);
    /// The values labelled, ascending.
    QList<double> values() const;

    QRectF boundingRect() const override { return {}; }
    void paint(QPainter*, const QStyleOptionGraphicsItem*, QWidget*) override {}

private:
    QChart* m_chart;
    QList<QGraphicsTextItem*> m_labels;
};

} // namespace jikken
