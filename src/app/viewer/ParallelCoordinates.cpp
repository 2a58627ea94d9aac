#include "ParallelCoordinates.h"

#include "charts/RunColours.h"
#include "viewer/RunSummary.h"

#include <QJsonObject>
#include <QPainter>
#include <QPainterPath>

#include <cmath>
#include <limits>
#include <map>

namespace jikken {

ParallelCoordinates::ParallelCoordinates(QWidget* parent) : QWidget(parent)
{
    setMinimumHeight(200);
}

void ParallelCoordinates::setRuns(const QVector<const ViewerRun*>& runs, const QString& metricTag)
{
    m_layout.clear();
    m_axes.clear();
    m_colours.clear();
    m_positions.clear();
    // Each hyperparameter's value per run; only those that differ become axes.
    std::map<QString, QVector<QJsonValue>> values;
    for (int r = 0; r < runs.size(); ++r) {
        const QJsonObject hparams = runs[r]->hyperparameters();
        for (auto it = hparams.begin(); it != hparams.end(); ++it) {
            auto& column = values[it.key()];
            column.resize(runs.size());
            column[r] = it.value();
        }
    }
    QVector<QVector<QJsonValue>> columns;
    for (auto& [name, column] : values) {
        column.resize(runs.size());
        bool differs = false;
        for (const QJsonValue& v : column)
            differs |= v != column.first();
        if (!differs)
            continue;
        Axis axis{name, {}, std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
        bool numeric = true;
        for (const QJsonValue& v : column)
            numeric &= v.isDouble() || v.isUndefined() || v.isNull();
        for (const QJsonValue& v : column) {
            if (numeric && v.isDouble()) {
                axis.low = qMin(axis.low, v.toDouble());
                axis.high = qMax(axis.high, v.toDouble());
            } else if (!numeric && !v.isUndefined()) {
                const QString text = v.isString() ? v.toString() : v.toVariant().toString();
                if (!axis.categories.contains(text))
                    axis.categories << text;
            }
        }
        m_layout.append(axis);
        columns.append(column);
    }
    if (!metricTag.isEmpty()) {
        const auto cells = RunSummary::compute(runs, {metricTag}, QString());
        Axis axis{metricTag + tr(" (final)"),
                  {},
                  std::numeric_limits<double>::infinity(),
                  -std::numeric_limits<double>::infinity()};
        QVector<QJsonValue> column(runs.size());
        for (int r = 0; r < runs.size(); ++r) {
            if (cells[r].final) {
                column[r] = *cells[r].final;
                axis.low = qMin(axis.low, *cells[r].final);
                axis.high = qMax(axis.high, *cells[r].final);
            }
        }
        m_layout.append(axis);
        columns.append(column);
    }
    for (const Axis& axis : std::as_const(m_layout))
        m_axes << axis.name;
    for (int r = 0; r < runs.size(); ++r) {
        m_colours.append(RunColours::of(*runs[r]));
        QVector<double> positions;
        for (int a = 0; a < m_layout.size(); ++a) {
            const Axis& axis = m_layout[a];
            const QJsonValue v = columns[a][r];
            if (!axis.categories.isEmpty()) {
                const QString text = v.isString() ? v.toString() : v.toVariant().toString();
                const qsizetype index = axis.categories.indexOf(text);
                positions.append(index < 0                     ? qQNaN()
                                 : axis.categories.size() == 1 ? 0.5
                                                               : double(index) / (axis.categories.size() - 1));
            } else if (v.isDouble()) {
                positions.append(axis.high > axis.low ? (v.toDouble() - axis.low) / (axis.high - axis.low) : 0.5);
            } else {
                positions.append(qQNaN());
            }
        }
        m_positions.append(positions);
    }
    update();
}

void ParallelCoordinates::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QColor ink = palette().color(QPalette::WindowText);
    if (m_layout.size() < 2) {
        painter.setPen(ink);
        painter.drawText(rect(), Qt::AlignCenter, tr("Parallel coordinates need runs whose hyperparameters differ"));
        return;
    }
    const QRectF area = QRectF(rect()).adjusted(60, 30, -60, -30);
    const double gap = area.width() / (m_layout.size() - 1);
    const auto point = [&](int axis, double position) {
        return QPointF(area.left() + axis * gap, area.bottom() - position * area.height());
    };
    for (int r = 0; r < m_positions.size(); ++r) {
        QPainterPath path;
        bool drawing = false;
        for (int a = 0; a < m_layout.size(); ++a) {
            const double p = m_positions[r][a];
            if (std::isnan(p)) {
                drawing = false;
                continue;
            }
            drawing ? path.lineTo(point(a, p)) : path.moveTo(point(a, p));
            drawing = true;
        }
        painter.setPen(QPen(m_colours[r], 2));
        painter.drawPath(path);
    }
    painter.setPen(ink);
    for (int a = 0; a < m_layout.size(); ++a) {
        const Axis& axis = m_layout[a];
        painter.drawLine(point(a, 0), point(a, 1));
        painter.drawText(QRectF(point(a, 1).x() - gap / 2, 4, gap, 20), Qt::AlignCenter, axis.name);
        const QString low = axis.categories.isEmpty() ? RunSummary::format(axis.low) : axis.categories.first();
        const QString high = axis.categories.isEmpty() ? RunSummary::format(axis.high) : axis.categories.last();
        painter.drawText(QRectF(point(a, 0).x() - gap / 2, area.bottom() + 4, gap, 20), Qt::AlignCenter, low);
        painter.drawText(QRectF(point(a, 1).x() + 4, area.top() - 2, gap / 2, 16), Qt::AlignLeft, high);
    }
}

} // namespace jikken
