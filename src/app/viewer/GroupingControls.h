#pragma once

#include "FigureOptions.h"

#include <QToolButton>

class QAction;
class QActionGroup;

namespace jikken {

/// The viewer's "Group" button: runs drawn one by one, or as groups (RunGroups) — by every setting but the
/// seed, or by the fields ticked in its menu — each its mean with a min–max or ± std band.
class GroupingControls : public QToolButton
{
    Q_OBJECT

public:
    explicit GroupingControls(QWidget* parent = nullptr);

    /// The fields the menu offers: the runs' hyperparameters, and method, model, dataset.
    void setFields(const QStringList& fields);
    /// Writes the grouping into `options`.
    void apply(FigureOptions& options) const;
    /// Shows the grouping `options` has (a saved view).
    void show(const FigureOptions& options);

Q_SIGNALS:
    void changed();

private:
    void fieldToggled();
    void relabel();

    bool m_grouped = false;
    QStringList m_fields; ///< the fields ticked; none: every setting but the seed
    QAction* m_off;
    QAction* m_settings;
    QAction* m_std;
    QActionGroup* m_modes;
    QMenu* m_fieldMenu;
};

} // namespace jikken
