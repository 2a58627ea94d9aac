// RegistryStore: handing out model IDs, each number of a day once across every client, and the keys that
// let a client retry a reservation whose answer it lost.
#include "RegistryStore.h"

#include "RegistryStoreRows.h"
#include "RunColour.h"
#include "SqlTransaction.h"

#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

namespace jikken {

namespace {

constexpr int kReserveAttempts = 50;

} // namespace

std::optional<ModelId> RegistryStore::reserve(const QString& method, QString* error)
{
    const auto ids = reserve(QStringList{method}, error);
    return ids ? std::optional<ModelId>(ids->first()) : std::nullopt;
}

std::optional<QVector<ModelId>> RegistryStore::reserve(const QStringList& methods, QString* error)
{
    return reserve(methods, {}, error);
}

std::optional<QVector<ModelId>> RegistryStore::reserve(const QStringList& methods, const QList<QByteArray>& keys,
                                                       QString* error)
{
    for (const QString& method : methods) {
        const QString problem = ModelId::methodError(method);
        if (!problem.isEmpty()) {
            fail(error, RegistryFailure::Refused, problem);
            return std::nullopt;
        }
    }
    const int count = static_cast<int>(methods.size());
    QSqlDatabase db = database();
    QString lastError;
    for (int attempt = 0; attempt < kReserveAttempts; ++attempt) {
        if (attempt > 0)
            QThread::msleep(QRandomGenerator::global()->bounded(5, 50));
        const QDate day = today();
        const int dayKey = day.toString(QStringLiteral("yyyyMMdd")).toInt();
        SqlTransaction transaction(db);
        if (!transaction.begin(&lastError))
            break; // no conflict to wait out: the database is away (or SQLite's busy timeout passed already)
        // The day's counter row is the lock: concurrent reservations queue on it (PostgreSQL's row lock,
        // SQLite's write lock) and each takes the next numbers, so numbers are distinct and gap-free. A batch
        // takes `count` numbers in one step and commits once.
        QSqlQuery& next =
            prepared(QStringLiteral("INSERT INTO day_counters (day, last_number) VALUES (?, ?) ON CONFLICT "
                                    "(day) DO UPDATE SET last_number = day_counters.last_number + "
                                    "excluded.last_number RETURNING last_number"));
        next.bindValue(0, dayKey);
        next.bindValue(1, count);
        if (!next.exec() || !next.next()) {
            lastError = next.lastError().text();
            continue;
        }
        const int last = next.value(0).toInt();
        next.finish();
        if (last > ModelId::kMaxNumber) {
            fail(error, RegistryFailure::Conflict,
                 QStringLiteral("the registry has handed out all %1 IDs of %2")
                     .arg(ModelId::kMaxNumber)
                     .arg(day.toString(Qt::ISODate)));
            return std::nullopt;
        }
        QVector<ModelId> ids;
        for (int i = 0; i < count; ++i)
            ids.append(ModelId(day, last - count + 1 + i, methods[i]));
        const auto firstColour = dealColours(count, &lastError);
        if (!firstColour || !insertReserved(ids, *firstColour, &lastError) ||
            !keepReservationKeys(ids, keys, &lastError))
            continue;
        if (transaction.commit(&lastError))
            return ids;
    }
    fail(
        error, RegistryFailure::ServiceError,
        QStringLiteral("registry: could not reserve an ID after %1 attempts: %2").arg(kReserveAttempts).arg(lastError));
    return std::nullopt;
}

bool RegistryStore::keepReservationKeys(const QVector<ModelId>& ids, const QList<QByteArray>& keys, QString* error)
{
    if (std::all_of(keys.begin(), keys.end(), [](const QByteArray& key) { return key.isEmpty(); }))
        return true;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QSqlQuery& keep = prepared(QStringLiteral(
        "INSERT INTO reservation_keys (key_sha256, run_id, made_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"));
    for (qsizetype i = 0; i < ids.size() && i < keys.size(); ++i) {
        if (keys[i].isEmpty())
            continue;
        keep.bindValue(0, QString::fromLatin1(keys[i]));
        keep.bindValue(1, ids[i].toString());
        keep.bindValue(2, now);
        if (!keep.exec()) {
            *error = keep.lastError().text();
            return false;
        }
    }
    QSqlQuery& forget = prepared(QStringLiteral("DELETE FROM reservation_keys WHERE made_at < ?"));
    forget.bindValue(0, now - kReservationKeyMs);
    if (!forget.exec()) {
        *error = forget.lastError().text();
        return false;
    }
    return true;
}

std::optional<QVector<RegistryStore::ReservationKey>> RegistryStore::reservationKeys(QString* error)
{
    QSqlQuery& read = prepared(
        QStringLiteral("SELECT key_sha256, run_id, made_at FROM reservation_keys WHERE made_at >= ? ORDER BY made_at"));
    read.bindValue(0, QDateTime::currentMSecsSinceEpoch() - kReservationKeyMs);
    if (!read.exec()) {
        fail(error, RegistryFailure::ServiceError, QStringLiteral("registry: %1").arg(read.lastError().text()));
        return std::nullopt;
    }
    QVector<ReservationKey> kept;
    while (read.next()) {
        if (const auto id = ModelId::parse(read.value(1).toString()))
            kept.append({read.value(0).toString().toLatin1(), *id, read.value(2).toLongLong()});
    }
    read.finish();
    return kept;
}

std::optional<qint64> RegistryStore::dealColours(int count, QString* error)
{
    QSqlQuery& deal =
        prepared(QStringLiteral("UPDATE colours_dealt SET dealt = dealt + ? WHERE id = 1 RETURNING dealt"));
    deal.bindValue(0, count);
    if (!deal.exec() || !deal.next()) {
        failQuery(error, deal);
        return std::nullopt;
    }
    const qint64 last = deal.value(0).toLongLong();
    deal.finish();
    return last - count;
}

bool RegistryStore::insertReserved(const QVector<ModelId>& ids, qint64 firstColour, QString* error)
{
    const qint64 now = nowMs();
    if (isPostgresql()) {
        // One statement for the whole batch: on PostgreSQL every statement is a round trip.
        QStringList idTexts;
        QStringList numbers;
        QStringList methods;
        QStringList colours;
        for (const ModelId& id : ids) {
            idTexts << u'"' + id.toString() + u'"'; // IDs, methods and colours need no escaping
            numbers << QString::number(id.number());
            methods << u'"' + id.method() + u'"';
            colours << u'"' + RunColour::dealt(firstColour + colours.size()) + u'"';
        }
        QSqlQuery& insert = prepared(QStringLiteral(
            "INSERT INTO runs (id, day, number, method, created_at, colour) SELECT u.id, ?, u.number, u.method, ?, "
            "u.colour FROM unnest(?::text[], ?::int[], ?::text[], ?::text[]) AS u (id, number, method, colour)"));
        insert.bindValue(0, ids.first().date().toString(QStringLiteral("yyyyMMdd")).toInt());
        insert.bindValue(1, now);
        insert.bindValue(2, QString(u'{' + idTexts.join(u',') + u'}'));
        insert.bindValue(3, QString(u'{' + numbers.join(u',') + u'}'));
        insert.bindValue(4, QString(u'{' + methods.join(u',') + u'}'));
        insert.bindValue(5, QString(u'{' + colours.join(u',') + u'}'));
        return insert.exec() || failQuery(error, insert);
    }
    QSqlQuery& insert = prepared(
        QStringLiteral("INSERT INTO runs (id, day, number, method, created_at, colour) VALUES (?, ?, ?, ?, ?, ?)"));
    qint64 colour = firstColour;
    for (const ModelId& id : ids) {
        insert.bindValue(0, id.toString());
        insert.bindValue(1, id.date().toString(QStringLiteral("yyyyMMdd")).toInt());
        insert.bindValue(2, id.number());
        insert.bindValue(3, id.method());
        insert.bindValue(4, now);
        insert.bindValue(5, RunColour::dealt(colour++));
        if (!insert.exec())
            return failQuery(error, insert);
    }
    return true;
}

} // namespace jikken
