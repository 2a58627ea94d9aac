#include "ReservationKeys.h"

#include <QCryptographicHash>
#include <QDateTime>

#include <algorithm>

namespace jikken {

ReservationKeys::ReservationKeys(int capacity, qint64 keepMs) : m_capacity(capacity), m_keepMs(keepMs) {}

QString ReservationKeys::keyError(const QByteArray& key)
{
    const bool visible = std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; });
    if (key.isEmpty() || key.size() > 128 || !visible)
        return QStringLiteral("Idempotency-Key must be 1 to 128 visible ASCII characters (a UUID, say)");
    return {};
}

std::optional<ModelId> ReservationKeys::find(const QByteArray& key) const
{
    const auto entry = m_byKey.constFind(key);
    if (entry == m_byKey.constEnd() || QDateTime::currentMSecsSinceEpoch() - entry->at > m_keepMs)
        return std::nullopt;
    return entry->id;
}

void ReservationKeys::remember(const QByteArray& key, const ModelId& id, qint64 at)
{
    if (!m_byKey.contains(key))
        m_order.push_back(key);
    m_byKey.insert(key, {id, at < 0 ? QDateTime::currentMSecsSinceEpoch() : at});
    forgetOld();
}

QByteArray ReservationKeys::scoped(const QByteArray& caller, const QByteArray& key)
{
    const QByteArray scopedKey = caller + '\n' + key;
    return QCryptographicHash::hash(scopedKey, QCryptographicHash::Sha256).toHex();
}

void ReservationKeys::forgetOld()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    while (!m_order.empty() &&
           (static_cast<int>(m_order.size()) > m_capacity || now - m_byKey.value(m_order.front()).at > m_keepMs)) {
        m_byKey.remove(m_order.front());
        m_order.pop_front();
    }
}

} // namespace jikken
