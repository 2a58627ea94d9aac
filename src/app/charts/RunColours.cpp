#include "RunColours.h"

#include <QHash>
#include <QSet>

#include <array>

namespace jikken::RunColours {

namespace {

// Tableau 10, then ten more hues of the same weight, so that twenty runs shown together are told apart.
constexpr std::array<QRgb, 20> kPalette{0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f, 0xedc948, 0xb07aa1,
                                        0xff9da7, 0x9c755f, 0xbab0ac, 0x1f77b4, 0xd62728, 0x2ca02c, 0x9467bd,
                                        0x8c564b, 0xe377c2, 0x17becf, 0xbcbd22, 0x393b79, 0x637939};

struct Book
{
    QHash<QString, int> slots; ///< every key given a colour, and which
    QStringList shown;         ///< what was last shown together
};

Book& book()
{
    static Book instance; // the GUI thread's; charts and tables all draw there
    return instance;
}

} // namespace

QColor faint(const QColor& colour, const QColor& background)
{
    const double a = kMeasuredAlpha;
    return QColor::fromRgbF(colour.redF() * a + background.redF() * (1 - a),
                            colour.greenF() * a + background.greenF() * (1 - a),
                            colour.blueF() * a + background.blueF() * (1 - a));
}

int paletteSize()
{
    return static_cast<int>(kPalette.size());
}

void show(const QStringList& keysInOrder)
{
    Book& b = book();
    QSet<int> taken;
    QStringList needing;
    for (const QString& key : keysInOrder) {
        const auto it = b.slots.constFind(key);
        if (it != b.slots.constEnd() && !taken.contains(*it))
            taken.insert(*it);
        else
            needing.append(key);
    }
    for (const QString& key : needing) {
        int slot = 0;
        while (taken.contains(slot) && slot < paletteSize())
            ++slot;
        if (slot == paletteSize()) // more keys than colours: they repeat, in order
            slot = static_cast<int>(taken.size()) % paletteSize();
        b.slots.insert(key, slot);
        taken.insert(slot);
    }
    b.shown = keysInOrder;
}

QColor colour(const QString& key)
{
    Book& b = book();
    if (!b.slots.contains(key))
        show(b.shown + QStringList{key}); // on show from now: the next key asked for gets another colour
    return QColor::fromRgb(kPalette[static_cast<size_t>(b.slots.value(key))]);
}

} // namespace jikken::RunColours
