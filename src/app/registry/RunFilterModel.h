#pragma once

#include "registry/RunRecord.h"

#include <QSortFilterProxyModel>

#include <optional>

namespace jikken {

/// The registry table as the user narrows it: a text that must appear in the ID, method or memo (case
/// ignored), and optionally one status. Sorts by `RegistryTableModel::SortRole`.
class RunFilterModel : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit RunFilterModel(QObject* parent = nullptr);

    void setText(const QString& text);
    void setStatus(std::optional<RunStatus> status);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QString m_text;
    std::optional<QString> m_status;
};

} // namespace jikken
