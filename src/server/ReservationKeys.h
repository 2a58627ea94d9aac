#pragma once

#include "ids/ModelId.h"

#include <QByteArray>
#include <QHash>

#include <deque>
#include <optional>

namespace jikken {

/// The IDs handed out by reservations that carried an `Idempotency-Key`: a POST sent again because its
/// answer was lost (Qt resends one whose connection closed; the client retries a timeout) gets the ID the
/// first one took, not a second one. The newest `capacity` for `keepMs` are held here; the registry keeps
/// them too (RegistryStore::reserve with keys), so a service restarted between a POST and its retry reads
/// them back (`remember` at start).
class ReservationKeys
{
public:
    explicit ReservationKeys(int capacity = 10'000, qint64 keepMs = 24 * 3600 * 1000);

    /// Why `key` is not an idempotency key (1 to 128 visible ASCII characters), or empty.
    static QString keyError(const QByteArray& key);
    /// The ID reserved under `key` (whose, by the caller's prefix: keys of one token never meet another's).
    std::optional<ModelId> find(const QByteArray& key) const;
    /// `at`: when the ID was reserved (ms since the epoch); -1, now.
    void remember(const QByteArray& key, const ModelId& id, qint64 at = -1);
    /// The key a caller's `Idempotency-Key` is kept under: a hash of both (the caller names its token,
    /// which the registry must not hold in the clear), as hex.
    static QByteArray scoped(const QByteArray& caller, const QByteArray& key);

private:
    struct Entry
    {
        ModelId id;
        qint64 at = 0;
    };
    void forgetOld();

    int m_capacity;
    qint64 m_keepMs;
    QHash<QByteArray, Entry> m_byKey;
    std::deque<QByteArray> m_order; ///< oldest first
};

} // namespace jikken
