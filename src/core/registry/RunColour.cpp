#include "RunColour.h"

#include <QRegularExpression>

#include <array>

namespace jikken::RunColour {

namespace {

// Drawn from Tableau 10, D3's category10, Kelly's colours of maximum contrast and Okabe–Ito, those readable
// on a white figure (ΔE ≥ 40 from it, L* ≤ 72), ordered greedily as Glasbey does: each the farthest (CIE76)
// from all before it, starting with Tableau's blue. The smallest difference of any two is 24.6.
constexpr std::array<const char*, kPaletteSize> kPalette{
    "#4e79a7", "#ff7f0e", "#2ca02c", "#654522", "#e377c2", "#be0032", "#f99379", "#17becf", "#009e73", "#7b4173",
    "#637939", "#8db600", "#848482", "#882d17", "#2b3d26", "#e69f00", "#b3446c", "#9467bd", "#393b79", "#e68fac"};

} // namespace

QString dealt(qint64 n)
{
    const qint64 slot = ((n % kPaletteSize) + kPaletteSize) % kPaletteSize;
    return QString::fromLatin1(kPalette[static_cast<size_t>(slot)]);
}

QString ofName(const QString& name)
{
    // FNV-1a over the UTF-8 name: the same in every process and Qt version (qHash is seeded per process).
    quint32 hash = 2166136261u;
    for (const char byte : name.toUtf8()) {
        hash ^= static_cast<quint8>(byte);
        hash *= 16777619u;
    }
    return dealt(hash % kPaletteSize);
}

QString normalized(const QString& text)
{
    static const QRegularExpression kHex(QStringLiteral("^#[0-9A-Fa-f]{6}$"));
    return kHex.match(text).hasMatch() ? text.toLower() : QString();
}

QString error(const QString& text)
{
    return normalized(text).isEmpty()
               ? QStringLiteral("colour: \"%1\" is not a colour as #rrggbb (six hex digits)").arg(text.left(40))
               : QString();
}

} // namespace jikken::RunColour
