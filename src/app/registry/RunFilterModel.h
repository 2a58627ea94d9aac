#pragma once

#include "registry/RunQuery.h"
#include "registry/RunRecord.h"

#include <QSortFilterProxyModel>

#include <optional>

namespace jikken {

/// The registry table as the user narrows it: a query (RunQuery: `model:resnet18 lr<0.05 memo:"gamma"`,
/// free text for the ID, method and memo) and optionally one status. Sorts by `RegistryTableModel::SortRole`,
/// a sweep's points beneath its row in either order (the sweep placed by its own value), and hides the points
/// of a collapsed sweep; a sweep's row is shown while one of its points passes the filter.
class RunFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit RunFilterModel(QObject* parent = nullptr);

    /// The terms of the query that can be read select the runs; one being typed (`lr<`, a quote still
    /// open) is left out until it can be, so the table is never filtered by a half-typed query.
    void setText(const QString& text);
    void setStatus(std::optional<RunStatus> status);
    /// Why a term of the text last given cannot be read, or empty.
    QString problem() const { return m_problem; }
    const RunQuery& query() const { return m_query; }
    void setSourceModel(QAbstractItemModel* model) override;

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;

private:
    /// Whether the run in `sourceRow` passes the status and the query.
    bool runAccepted(int sourceRow) const;

    QString m_text;
    RunQuery m_query;
    QString m_problem;
    std::optional<QString> m_status;
};

} // namespace jikken
