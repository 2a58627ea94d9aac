#pragma once

#include <QColor>
#include <QList>
#include <QPointF>
#include <QString>
#include <QVector>
#include <QWidget>

namespace jikken {

/// A row of small charts beside the main one, one per key tag (train loss, test loss, accuracy, …) of
/// the runs on show, each run in its colour: the whole run at a glance while the main chart zooms into
/// one tag. Clicking a small chart asks for its tag in the main chart (`tagChosen`).
class SmallMultiples : public QWidget
{
    Q_OBJECT

public:
    struct Line
    {
        QColor colour;
        QList<QPointF> points; ///< in data units; y in log10 units on a log axis
    };
    struct Panel
    {
        QString tag;
        QVector<Line> lines;
    };

    explicit SmallMultiples(QWidget* parent = nullptr);

    void setPanels(QVector<Panel> panels);
    const QVector<Panel>& panels() const { return m_panels; }
    /// The tag of the panel at `point` (widget coordinates); empty outside every panel.
    QString tagAt(QPointF point) const;

    QSize sizeHint() const override { return {480, 160}; }

Q_SIGNALS:
    void tagChosen(const QString& tag);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    QRectF cellOf(int index) const;

    QVector<Panel> m_panels;
};

} // namespace jikken
