// ChartPane's groups: the shown runs that share their settings drawn as one line, their mean, in a band.

#include "ChartPane.h"

#include "GroupingControls.h"
#include "viewer/RunGroups.h"

#include <QCheckBox>
#include <QComboBox>

namespace jikken {

void ChartPane::groupRuns()
{
    m_groups.clear();
    const RunGroups::Grouping grouping = m_grouping->grouping();
    if (!grouping.on || m_ids.isEmpty())
        return;
    // Grouped by what the table knows of each run (RunGroups reads its fields off a viewer's run).
    QVector<ViewerRun> runs(m_ids.size());
    QVector<const ViewerRun*> shown;
    for (qsizetype i = 0; i < m_ids.size(); ++i) {
        runs[i].key = runs[i].name = m_ids[i];
        if (const RunRecord* record = m_recordOf ? m_recordOf(m_ids[i]) : nullptr)
            runs[i].record = *record;
        shown.append(&runs[i]);
    }
    for (const RunGroups::Group& group : grouping.of(shown)) {
        GroupLine line;
        for (const ViewerRun* run : group.runs)
            line.runs << run->key;
        line.colour = colourOf(line.runs.first());
        m_groups.insert(group.label, std::move(line));
        m_lineKeys << group.label;
    }
}

void ChartPane::averageGroups()
{
    const RunGroups::Spread spread = m_grouping->grouping().spread;
    const QString tag = m_tag->currentText();
    const bool log = m_log->isChecked();
    const int across = buckets();
    for (GroupLine& group : m_groups) {
        QVector<const ChartCurve*> curves;
        for (const QString& id : std::as_const(group.runs)) {
            if (const ChartCurve* shown = curve(id, tag))
                curves.append(shown);
        }
        const RunGroups::Band band = RunGroups::band(curves, spread, 2 * across);
        group.mean = ChartCurve(band.meanSeries(), true);
        prepare(group.runs.first(), group.mean); // its epochs are its first run's
        group.mean.setSmoothing(0);              // the mean of what is drawn: smoothed already
        // The band by the axis' x, as the mean's points are (steps, or epochs).
        const double perEpoch = xAxis() == XAxis::Epoch ? group.mean.stepsPerEpoch() : 1;
        group.band.clear();
        if (group.runs.size() > 1 && !band.steps.isEmpty()) {
            for (QPointF p : band.outline(across, log))
                group.band.append(QPointF(p.x() / perEpoch, p.y()));
        }
    }
}

} // namespace jikken
