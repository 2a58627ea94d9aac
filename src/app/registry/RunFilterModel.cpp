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

bool RunFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    const QAbstractItemModel* source = sourceModel();
    const auto text = [&](int column) { return source->index(sourceRow, column, sourceParent).data().toString(); };
    if (m_status && text(RegistryTableModel::Status) != *m_status)
        return false;
    if (m_query.isEmpty())
        return true;
    const auto* table = qobject_cast<const RegistryTableModel*>(source);
    const RunRecord* run =
        table ? table->run(source->index(sourceRow, 0, sourceParent).data(RegistryTableModel::IdRole).toString())
              : nullptr;
    return run && m_query.matches(*run);
}

} // namespace jikken
