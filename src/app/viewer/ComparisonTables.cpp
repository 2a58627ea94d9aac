#include "ComparisonTables.h"

#include "charts/RunColours.h"
#include "util/JsonText.h"
#include "viewer/RunSummary.h"

#include <QHeaderView>
#include <QJsonObject>
#include <QJsonValue>
#include <QTableWidget>

#include <map>

namespace jikken::ComparisonTables {

namespace {

QTableWidgetItem* item(const QString& text, Qt::Alignment alignment = Qt::AlignLeft | Qt::AlignVCenter)
{
    auto* cell = new QTableWidgetItem(text);
    cell->setTextAlignment(alignment);
    cell->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    return cell;
}

} // namespace

void fillSummary(QTableWidget* table, const QVector<const ViewerRun*>& runs, const QStringList& tags,
                 const QString& baseline)
{
    QStringList headers{QObject::tr("Run"), QObject::tr("Method")};
    for (const QString& tag : tags)
        headers << tag + QObject::tr(" final") << QObject::tr("best") << QObject::tr("Δ baseline");
    table->clear();
    table->setColumnCount(static_cast<int>(headers.size()));
    table->setHorizontalHeaderLabels(headers);
    table->setRowCount(static_cast<int>(runs.size()));
    const QVector<RunSummary::Cell> cells = RunSummary::compute(runs, tags, baseline);
    const auto number = Qt::AlignRight | Qt::AlignVCenter;
    for (int r = 0; r < runs.size(); ++r) {
        auto* name = item(runs[r]->name + (runs[r]->key == baseline ? QObject::tr(" (baseline)") : QString()));
        name->setForeground(RunColours::of(*runs[r]));
        table->setItem(r, 0, name);
        table->setItem(r, 1, item(runs[r]->method()));
        for (int t = 0; t < tags.size(); ++t) {
            const RunSummary::Cell& cell = cells[r * tags.size() + t];
            table->setItem(r, 2 + 3 * t, item(cell.final ? RunSummary::format(*cell.final) : QString(), number));
            auto* best = item(cell.best ? RunSummary::format(*cell.best) : QString(), number);
            best->setToolTip(QObject::tr("at step %1").arg(cell.bestStep));
            table->setItem(r, 3 + 3 * t, best);
            auto* delta = item(cell.finalVsBaseline ? RunSummary::format(*cell.finalVsBaseline) : QString(), number);
            if (cell.finalVsBaseline && *cell.finalVsBaseline != 0) {
                const bool better = (*cell.finalVsBaseline > 0) == RunSummary::higherIsBetter(tags[t]);
                delta->setForeground(better ? QColor(0x2c, 0xa0, 0x2c) : QColor(0xd6, 0x27, 0x28));
            }
            table->setItem(r, 4 + 3 * t, delta);
        }
    }
    table->resizeColumnsToContents();
}

void fillGroupSummary(QTableWidget* table, const QVector<RunGroups::Group>& groups, const QStringList& tags)
{
    QStringList headers{QObject::tr("Group"), QObject::tr("n")};
    for (const QString& tag : tags)
        headers << tag + QObject::tr(" final") << QObject::tr("best");
    table->clear();
    table->setColumnCount(static_cast<int>(headers.size()));
    table->setHorizontalHeaderLabels(headers);
    table->setRowCount(static_cast<int>(groups.size()));
    const auto number = Qt::AlignRight | Qt::AlignVCenter;
    for (int g = 0; g < groups.size(); ++g) {
        auto* name = item(groups[g].label);
        name->setForeground(RunColours::of(*groups[g].runs.first()));
        QStringList members;
        for (const ViewerRun* run : groups[g].runs)
            members << run->name;
        name->setToolTip(members.join(u'\n'));
        table->setItem(g, 0, name);
        table->setItem(g, 1, item(QString::number(groups[g].runs.size()), number));
        for (int t = 0; t < tags.size(); ++t) {
            const RunGroups::Summary summary = RunGroups::summarize(groups[g], tags[t]);
            table->setItem(g, 2 + 2 * t, item(summary.final ? RunGroups::format(*summary.final) : QString(), number));
            table->setItem(g, 3 + 2 * t, item(summary.best ? RunGroups::format(*summary.best) : QString(), number));
        }
    }
    table->resizeColumnsToContents();
}

void fillHyperparameters(QTableWidget* table, const QVector<const ViewerRun*>& runs)
{
    std::map<QString, QStringList> values; // name -> a value per run
    for (int r = 0; r < runs.size(); ++r) {
        const QJsonObject hparams = runs[r]->hyperparameters();
        for (auto it = hparams.begin(); it != hparams.end(); ++it) {
            QStringList& row = values[it.key()];
            while (row.size() < runs.size())
                row << QString();
            row[r] = JsonText::of(it.value(), 10);
        }
    }
    QVector<std::pair<QString, QStringList>> differing, same;
    for (auto& [name, row] : values)
        (QSet<QString>(row.cbegin(), row.cend()).size() > 1 ? differing : same).append({name, row});
    table->clear();
    table->setColumnCount(static_cast<int>(runs.size()));
    QStringList headers;
    for (const ViewerRun* run : runs)
        headers << run->name;
    table->setHorizontalHeaderLabels(headers);
    table->setRowCount(static_cast<int>(differing.size() + same.size()));
    QStringList rowNames;
    int r = 0;
    for (const auto* group : {&differing, &same}) {
        for (const auto& [name, row] : *group) {
            rowNames << name;
            for (int c = 0; c < row.size(); ++c) {
                auto* cell = item(row[c]);
                if (group == &differing) {
                    QFont bold = cell->font();
                    bold.setBold(true);
                    cell->setFont(bold);
                    cell->setBackground(QColor(0xff, 0xd7, 0x00, 70));
                }
                table->setItem(r, c, cell);
            }
            ++r;
        }
    }
    table->setVerticalHeaderLabels(rowNames);
    table->resizeColumnsToContents();
}

} // namespace jikken::ComparisonTables
