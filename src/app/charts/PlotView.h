#pragma once

#include <QChartView>

#include <optional>

namespace jikken {

/// A chart view that zooms and pans as plots do: drag a rectangle to zoom in, the wheel zooms along x,
/// a middle-button drag or the arrow keys pan, and a right click, a double click or Escape asks for the
/// whole curves again (`resetRequested`).
class PlotView : public QChartView
{
    Q_OBJECT

public:
    explicit PlotView(QChart* chart, QWidget* parent = nullptr);

Q_SIGNALS:
    void resetRequested();
    /// The pointer is over the plot at `value`, in the axes' units (for a read-out of the lines there), at
    /// `pixel` in the view's viewport.
    void hoveredAt(QPointF value, QPoint pixel);
    /// The pointer left the plot (for the axes, the legend, or out of the view).
    void hoverLeft();

protected:
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    std::optional<QPointF> m_panFrom;
};

} // namespace jikken
