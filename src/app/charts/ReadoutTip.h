#pragma once

#include <QColor>
#include <QLabel>
#include <QVector>

#include <optional>

namespace jikken {

/// The read-out beside the pointer over a chart, as TensorBoard's tooltip: what each run holds at the
/// pointer's x, one line a run in its colour, best (lowest) first, and the runs that ended before that x
/// last, saying where. Lives in the chart view's viewport: never wider than it, and kept inside it, on the
/// side of the pointer where it fits.
class ReadoutTip : public QLabel
{
    Q_OBJECT

public:
    struct Line
    {
        QString run;
        QColor colour;
        double value = 0;               ///< as drawn (smoothed, where the curve is)
        std::optional<double> measured; ///< the measured value under a smoothed one
        QString where;                  ///< the point's own step, epoch and time
        bool ended = false;             ///< the run's last point is before the pointer's x
    };

    explicit ReadoutTip(QWidget* viewport);

    /// Shows `lines` under the heading `at` (the pointer's x: "step 3000") beside `pixel`.
    void showAt(const QString& at, QVector<Line> lines, QPoint pixel);
    /// The heading and the lines as plain text, in the order shown (sorting `lines` so).
    static QStringList plain(const QString& at, QVector<Line>& lines);
    /// What is shown now, as plain text.
    const QStringList& plainLines() const { return m_plain; }

private:
    /// A line's words after the run's name: "0.231 at step 3000, …", or "ended at step 1200, …: 0.3".
    static QString said(const Line& line);

    QStringList m_plain;
};

} // namespace jikken
