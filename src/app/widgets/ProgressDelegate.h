#pragma once

#include <QStyledItemDelegate>

namespace jikken {

/// Draws the progress column as the platform's progress bar (from RegistryTableModel::ProgressRole) with
/// "epoch/total" on it; an empty cell for runs that report no epochs.
class ProgressDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace jikken
