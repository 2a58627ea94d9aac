#pragma once

#include <QColor>
#include <QFont>
#include <QGraphicsItem>
#include <QString>
#include <QVector>

namespace jikken {

/// The legend of the app's charts: a swatch and a name per line, in rows that wrap at the width given,
/// then, where several tags share a chart, which dash is which tag. QtCharts' own legend keeps to one row
/// and elides every name once they do not fit (twenty run IDs: "2019…" each), and names one chart's
/// series, where a figure's legend names each run once across its panels. The one legend under the main
/// window's chart and atop a viewer figure, on screen and exported.
class CurveLegend : public QGraphicsItem
{
public:
    struct Entry
    {
        QString text;
        QColor colour;                 ///< a run's swatch
        Qt::PenStyle dash = Qt::NoPen; ///< a tag's dash instead of a swatch; the first starts a row of them
    };

    explicit CurveLegend(QGraphicsItem* parent = nullptr);

    void setEntries(QVector<Entry> entries);
    const QVector<Entry>& entries() const { return m_entries; }
    void setFont(const QFont& font) { m_font = font; }
    /// Light text on a dark chart.
    void setDark(bool dark);
    /// Lays the entries out from the item's origin in rows `width` wide; the height they take (0: none).
    double layOut(double width);
    /// The rows the last layout took.
    int rows() const { return m_rows; }

    QRectF boundingRect() const override { return {QPointF(), m_size}; }
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;
    /// Draws the legend from the painter's origin, on any painter: a figure draws it beside its charts.
    void draw(QPainter& painter) const;

private:
    struct Placed
    {
        QRectF swatch; ///< or where a tag's dash is drawn
        QPointF textAt;
    };

    QVector<Entry> m_entries;
    QVector<Placed> m_placed;
    QFont m_font;
    bool m_dark = false;
    QSizeF m_size;
    int m_rows = 0;
};

} // namespace jikken
