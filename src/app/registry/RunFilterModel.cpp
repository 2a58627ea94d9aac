#include "RunFilterModel.h"

#include "RegistryTableModel.h"

namespace jikken {

RunFilterModel::RunFilterModel(QObject* parent) : QSortFilterProxyModel(parent)
{
    setSortRole(RegistryTableModel::SortRole);
    setDynamicSortFilter(true);
}

void RunFilterModel::setText(const QString& text)
{
    if (text.trimmed() == m_text)
        return;
    m_text = text.trimmed();
    m_query = RunQuery::readable(m_text, &m_problem);
    invalidateRowsFilter();
}

void RunFilterModel::setStatus(std::optional<RunStatus> status)
{
    m_status = status ? std::optional<QString>(toString(*status)) : std::nullopt;
    invalidateRowsFilter();
}

void RunFilterModel::setSourceModel(QAbstractItemModel* model)
{
    if (const auto* before = qobject_cast<RegistryTableModel*>(sourceModel()))
        disconnect(before, &RegistryTableModel::sweepsRearranged, this, nullptr);
    QSortFilterProxyModel::setSourceModel(model);
    if (const auto* table = qobject_cast<RegistryTableModel*>(model))
        connect(table, &RegistryTableModel::sweepsRearranged, this, &RunFilterModel::invalidate);
}

bool RunFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const auto* table = qobject_cast<const RegistryTableModel*>(sourceModel());
    if (!table || table->sweeps().isEmpty())
        return runAccepted(sourceRow); // no sweep rows: a keystroke over ten thousand runs as before
    const QModelIndex row = sourceModel()->index(sourceRow, 0, sourceParent);
    if (row.data(RegistryTableModel::CollapsedRole).toBool())
        return false;
    if (!row.data(RegistryTableModel::IsSweepRole).toBool())
        return runAccepted(sourceRow);
    for (const QString& id : table->pointsOf(row.data(RegistryTableModel::SweepRole).toString())) {
        if (const int point = table->rowOf(id); point >= 0 && runAccepted(point))
            return true;
    }
    return !m_status && m_query.isEmpty(); // a sweep none of whose points are read yet
}

bool RunFilterModel::runAccepted(int sourceRow) const
{
    const QAbstractItemModel* source = sourceModel();
    if (m_status && source->index(sourceRow, RegistryTableModel::Status).data().toString() != *m_status)
        return false;
    if (m_query.isEmpty())
        return true;
    const auto* table = qobject_cast<const RegistryTableModel*>(source);
    const RunRecord* run =
        table ? table->run(source->index(sourceRow, 0).data(RegistryTableModel::IdRole).toString()) : nullptr;
    return run && m_query.matches(*run);
}

bool RunFilterModel::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    // A row's place: its sweep's row for a sweep's points (and the sweep itself), else its own. Rows of one
    // place stay together, the sweep's own first whichever the order.
    const auto* table = qobject_cast<const RegistryTableModel*>(sourceModel());
    if (!table || table->sweeps().isEmpty())
        return QSortFilterProxyModel::lessThan(left, right); // ten thousand runs sort as fast as they did
    struct Place
    {
        QModelIndex by; ///< the row whose value places it
        bool isSweep;
    };
    const auto placeOf = [table](const QModelIndex& index) {
        const QString sweep = index.data(RegistryTableModel::SweepRole).toString();
        const int row = sweep.isEmpty() ? -1 : table->sweepRow(sweep);
        return row < 0 ? Place{index, false} : Place{index.siblingAtRow(row), index.row() == row};
    };
    const Place a = placeOf(left);
    const Place b = placeOf(right);
    if (a.by.row() != b.by.row()) {
        if (QSortFilterProxyModel::lessThan(a.by, b.by))
            return true;
        if (QSortFilterProxyModel::lessThan(b.by, a.by))
            return false;
        return a.by.row() < b.by.row(); // equal: by the table's order, a sweep's rows not split by another's
    }
    if (a.isSweep != b.isSweep)
        return a.isSweep == (sortOrder() == Qt::AscendingOrder);
    return QSortFilterProxyModel::lessThan(left, right);
}

} // namespace jikken
