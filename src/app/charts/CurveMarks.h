#pragma once

#include <QColor>
#include <QGraphicsItem>
#include <QMetaObject>
#include <QPointF>
#include <QString>
#include <QVector>

#include <optional>

class QAbstractSeries;
class QChart;

namespace jikken {

/// What a line cannot show by itself, marked in its colour over a chart: where a curve stopped being
/// finite (a cross and the value it became, "NaN" or "inf": after it there is nothing to draw), and the
/// points a y range leaves out above it (a small triangle at the plot's top edge for each, as TensorBoard
/// marks the points "Ignore outliers" clips).
class CurveMarks : public QGraphicsItem
{
public:
    struct Mark
    {
        enum class Kind {
            NotFinite, ///< `at`: the x where the values became `label`, and the last finite value drawn
                       ///< before it (NaN when there was none: the mark sits on the plot's bottom edge)
            Above,     ///< `at`: a point above the y range, marked at the top edge at its x
        };
        Kind kind;
        QAbstractSeries* series; ///< places `at` (its axes)
        QColor colour;
        QPointF at;
        QString label = {};
    };

    explicit CurveMarks(QChart* chart);
    ~CurveMarks() override;

    void setMarks(QVector<Mark> marks);
    const QVector<Mark>& marks() const { return m_marks; }
    /// Takes `series`' marks away (before the series goes).
    void remove(const QAbstractSeries* series);
    /// Where `mark` is drawn, in the chart's coordinates; nothing when its x is outside the plot.
    std::optional<QPointF> placeOf(const Mark& mark) const;

    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

private:
    QChart* m_chart;
    QVector<Mark> m_marks;
    QMetaObject::Connection m_plotAreaWatch; ///< the chart outlives the marks it takes away
};

} // namespace jikken
