#include "SweepRows.h"

#include "RegistryReader.h"
#include "RegistryTableModel.h"
#include "registry/RunQueue.h"

#include <QSet>
#include <QSettings>
#include <QTableView>
#include <QTimer>

namespace jikken {

SweepRows::SweepRows(RegistryReader& reader, RegistryTableModel* model, QTableView* table, QObject* parent)
    : QObject(parent), m_reader(reader), m_model(model), m_soon(new QTimer(this))
{
    m_soon->setSingleShot(true);
    m_soon->setInterval(kRefreshDelayMs);
    connect(m_soon, &QTimer::timeout, this, &SweepRows::read);
    connect(table, &QAbstractItemView::doubleClicked, this, &SweepRows::toggle);
}

void SweepRows::refreshSoon()
{
    if (!m_soon->isActive())
        m_soon->start();
}

void SweepRows::read()
{
    struct Answer
    {
        std::optional<QVector<SweepSummary>> sweeps;
    };
    m_reader.ask(
        this, RegistryReader::Kind::Quick,
        [](RegistryClient& registry, QString* error) {
            return withQueueOf<Answer>(registry, error,
                                       [error](QueueClient& queue) { return Answer{queue.sweeps(error)}; });
        },
        [this](const Answer& answer, const QString&) {
            // A registry without a queue has no sweeps; one out of reach says so with its runs.
            if (answer.sweeps)
                m_model->setSweeps(*answer.sweeps);
        });
}

void SweepRows::toggle(const QModelIndex& index)
{
    const QString sweep = index.data(RegistryTableModel::SweepRole).toString();
    if (index.data(RegistryTableModel::IsSweepRole).toBool())
        m_model->setCollapsed(sweep, !m_model->isCollapsed(sweep));
}

QStringList SweepRows::runsOf(const QModelIndexList& rows) const
{
    QStringList ids;
    QSet<QString> seen; // Ctrl+A over ten thousand rows: no quadratic search
    const auto add = [&ids, &seen](const QString& id) {
        if (!id.isEmpty() && !seen.contains(id)) {
            seen.insert(id);
            ids << id;
        }
    };
    for (const QModelIndex& row : rows) {
        if (!row.data(RegistryTableModel::IsSweepRole).toBool()) {
            add(row.data(RegistryTableModel::IdRole).toString());
            continue;
        }
        for (const QString& id : m_model->pointsOf(row.data(RegistryTableModel::SweepRole).toString())) {
            if (m_model->run(id))
                add(id);
        }
    }
    return ids;
}

void SweepRows::saveSettings(QSettings& settings) const
{
    const QSet<QString>& collapsed = m_model->collapsedSweeps();
    settings.setValue(QStringLiteral("collapsedSweeps"), QStringList(collapsed.cbegin(), collapsed.cend()));
}

void SweepRows::restoreSettings(QSettings& settings)
{
    for (const QString& sweep : settings.value(QStringLiteral("collapsedSweeps")).toStringList())
        m_model->setCollapsed(sweep, true);
}

} // namespace jikken
