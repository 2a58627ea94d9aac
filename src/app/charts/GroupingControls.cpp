#include "GroupingControls.h"

#include <QActionGroup>
#include <QMenu>

namespace jikken {

GroupingControls::GroupingControls(QWidget* parent) : QToolButton(parent)
{
    auto* menu = new QMenu(this);
    auto* modes = new QActionGroup(this);
    m_off = menu->addAction(tr("Each run on its own"));
    m_settings = menu->addAction(tr("Every setting but the seed"));
    for (QAction* mode : {m_off, m_settings}) {
        mode->setCheckable(true);
        modes->addAction(mode);
    }
    m_off->setChecked(true);
    m_fieldMenu = menu->addMenu(tr("By fields"));
    menu->addSeparator();
    auto* spreads = new QActionGroup(this);
    m_minMax = menu->addAction(tr("Band: lowest to highest run"));
    m_std = menu->addAction(tr("Band: mean ± 1 standard deviation"));
    for (QAction* spread : {m_minMax, m_std}) {
        spread->setCheckable(true);
        spreads->addAction(spread);
        connect(spread, &QAction::triggered, this, &GroupingControls::changed);
    }
    m_minMax->setChecked(true);
    connect(m_off, &QAction::triggered, this, [this] {
        m_grouped = false;
        relabel();
        Q_EMIT changed();
    });
    connect(m_settings, &QAction::triggered, this, [this] {
        m_grouped = true;
        m_fields.clear();
        relabel();
        Q_EMIT changed();
    });
    setMenu(menu);
    setPopupMode(QToolButton::InstantPopup);
    setToolTip(tr("Draw runs that share their settings as one line, their mean, with a band around it; the "
                  "Summary then gives mean ± std per group"));
    relabel();
}

void GroupingControls::setFields(const QStringList& fields)
{
    QStringList offered;
    for (const QAction* action : m_fieldMenu->actions())
        offered << action->text();
    if (offered == fields)
        return;
    m_fieldMenu->clear();
    for (const QString& field : fields) {
        QAction* action = m_fieldMenu->addAction(field);
        action->setCheckable(true);
        action->setChecked(m_grouped && m_fields.contains(field));
        connect(action, &QAction::triggered, this, &GroupingControls::fieldToggled);
    }
}

void GroupingControls::fieldToggled()
{
    m_fields.clear();
    for (const QAction* action : m_fieldMenu->actions()) {
        if (action->isChecked())
            m_fields << action->text();
    }
    m_grouped = true;
    relabel();
    Q_EMIT changed();
}

void GroupingControls::relabel()
{
    m_off->setChecked(!m_grouped);
    m_settings->setChecked(m_grouped && m_fields.isEmpty());
    for (QAction* action : m_fieldMenu->actions())
        action->setChecked(m_grouped && m_fields.contains(action->text()));
    setText(!m_grouped           ? tr("Group: off")
            : m_fields.isEmpty() ? tr("Group: all but seed")
                                 : tr("Group: %1").arg(m_fields.join(QStringLiteral(", "))));
}

RunGroups::Grouping GroupingControls::grouping() const
{
    return {m_grouped, m_grouped ? m_fields : QStringList(),
            m_std->isChecked() ? RunGroups::Spread::StdDev : RunGroups::Spread::MinMax};
}

void GroupingControls::setGrouping(const RunGroups::Grouping& grouping)
{
    m_grouped = grouping.on;
    m_fields = grouping.fields;
    (grouping.spread == RunGroups::Spread::StdDev ? m_std : m_minMax)->setChecked(true);
    relabel();
}

} // namespace jikken
