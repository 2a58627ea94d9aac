#include "RunColours.h"

#include <QCryptographicHash>

#include <array>

namespace jikken::RunColours {

QColor colour(const QString& id)
{
    // Tableau 10: distinct for the handful of runs compared at once.
    static constexpr std::array<QRgb, 10> kPalette{0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f,
                                                   0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f, 0xbab0ac};
    // A hash that is the same in every process (qHash is seeded per process).
    const QByteArray digest = QCryptographicHash::hash(id.toUtf8(), QCryptographicHash::Md5);
    return QColor::fromRgb(kPalette[static_cast<unsigned char>(digest[0]) % kPalette.size()]);
}

} // namespace jikken::RunColours
