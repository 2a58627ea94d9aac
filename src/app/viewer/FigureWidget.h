#pragma once

#include "FigureOptions.h"
#include "FigureRenderer.h"

#include <QTimer>
#include <QWidget>

#include <optional>

namespace jikken {

/// The viewer's figure on screen, drawn by the same renderer as the exports. Drag across a chart to
/// zoom x (every chart follows: x is shared), double-click to see the whole curves again. New options (or
/// data) are laid out a moment later, apart from the paint that draws them: the two halves of a figure of
/// a hundred runs, done in one go, held the window up twice as long.
class FigureWidget : public QWidget
{
    Q_OBJECT

public:
    FigureWidget(FigureRenderer& renderer, QWidget* parent = nullptr);

    /// Shows `options`, and the curves as they are now.
    void setOptions(const FigureOptions& options);
    const FigureOptions& options() const { return m_options; }
    /// What the last paint drew (its panels, their captions).
    const FigureRenderer& renderer() const { return m_renderer; }

Q_SIGNALS:
    /// The user zoomed (a range) or reset (none).
    void xRangeChanged(std::optional<std::pair<double, double>> range);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    const FigureRenderer::Panel* panelAt(QPointF position) const;
    void prepare();

    FigureRenderer& m_renderer;
    FigureOptions m_options;
    std::optional<double> m_dragFrom; ///< pixel x where a zoom drag started
    double m_dragTo = 0;
    QTimer* m_prepareSoon;
    QSize m_preparedSize; ///< empty until prepared, and again when the options change
};

} // namespace jikken
