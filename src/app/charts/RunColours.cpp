#include "RunColours.h"

#include "registry/RunColour.h"
#include "registry/RunRecord.h"
#include "viewer/ViewerRun.h"

#include <QHash>
#include <QSet>

namespace jikken::RunColours {

namespace {

struct Book
{
    QHash<QString, int> slots; ///< every group given a colour, and which
    QStringList shown;         ///< what was last shown together
};

Book& book()
{
    static Book instance; // the GUI thread's; charts and tables all draw there
    return instance;
}

} // namespace

QColor of(const RunRecord& run)
{
    const QColor kept(run.colour);
    return kept.isValid() ? kept : ofName(run.id);
}

QColor of(const ViewerRun& run)
{
    return run.record ? of(*run.record) : ofName(run.name);
}

QColor ofName(const QString& name)
{
    return QColor(RunColour::ofName(name));
}

QVector<Qt::PenStyle> stylesTellingApart(const QVector<QColor>& coloursInOrder)
{
    static const Qt::PenStyle kStyles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine,
                                           Qt::DashDotDotLine};
    QHash<QRgb, int> seen;
    QVector<Qt::PenStyle> styles;
    styles.reserve(coloursInOrder.size());
    for (const QColor& colour : coloursInOrder)
        styles.append(kStyles[seen[colour.rgb()]++ % std::size(kStyles)]);
    return styles;
}

QColor faint(const QColor& colour, const QColor& background)
{
    const double a = kMeasuredAlpha;
    return QColor::fromRgbF(colour.redF() * a + background.redF() * (1 - a),
                            colour.greenF() * a + background.greenF() * (1 - a),
                            colour.blueF() * a + background.blueF() * (1 - a));
}

void showGroups(const QStringList& groupsInOrder)
{
    Book& b = book();
    QSet<int> taken;
    QStringList needing;
    for (const QString& group : groupsInOrder) {
        const auto it = b.slots.constFind(group);
        if (it != b.slots.constEnd() && !taken.contains(*it))
            taken.insert(*it);
        else
            needing.append(group);
    }
    for (const QString& group : needing) {
        int slot = 0;
        while (taken.contains(slot) && slot < RunColour::kPaletteSize)
            ++slot;
        if (slot == RunColour::kPaletteSize) // more groups than colours: they repeat, in order
            slot = static_cast<int>(taken.size()) % RunColour::kPaletteSize;
        b.slots.insert(group, slot);
        taken.insert(slot);
    }
    b.shown = groupsInOrder;
}

QColor ofGroup(const QString& group)
{
    Book& b = book();
    if (!b.slots.contains(group))
        showGroups(b.shown + QStringList{group}); // on show from now: the next group asked for gets another
    return QColor(RunColour::dealt(b.slots.value(group)));
}

} // namespace jikken::RunColours
