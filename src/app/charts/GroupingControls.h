#pragma once

#include "viewer/RunGroups.h"

#include <QToolButton>

class QAction;
class QActionGroup;

namespace jikken {

/// A chart's "Group" button: runs drawn one by one, or as groups (RunGroups) — by every setting but the
/// seed, or by the fields ticked in its menu — each its mean with a min–max or ± std band. The main
/// window's chart and the viewer's figures have one each.
class GroupingControls : public QToolButton
{
    Q_OBJECT

public:
    explicit GroupingControls(QWidget* parent = nullptr);

    /// The fields the menu offers: method, model, dataset and the runs' hyperparameters.
    void setFields(const QStringList& fields);
    RunGroups::Grouping grouping() const;
    /// Shows `grouping` (a saved view, the settings); says nothing (`changed` is for the user's choices).
    void setGrouping(const RunGroups::Grouping& grouping);

Q_SIGNALS:
    void changed();

private:
    void fieldToggled();
    void relabel();

    bool m_grouped = false;
    QStringList m_fields; ///< the fields ticked; none: every setting but the seed
    QAction* m_off;
    QAction* m_settings;
    QAction* m_minMax;
    QAction* m_std;
    QMenu* m_fieldMenu;
};

} // namespace jikken
