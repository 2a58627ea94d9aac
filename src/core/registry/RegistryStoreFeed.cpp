// RegistryStore: the change feed of a SQLite file, from SQLite's own count of other connections' commits.
#include "RegistryStore.h"

#include <QAtomicInteger>
#include <QCoreApplication>
#include <QEventLoop>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>

namespace jikken {

namespace {
constexpr int kLookEveryMs = 250;
} // namespace

std::optional<bool> RegistryStore::fileChanged(QString* error)
{
    QSqlQuery query(database());
    if (!query.exec(QStringLiteral("PRAGMA data_version")) || !query.next()) {
        failQuery(error, query);
        return std::nullopt;
    }
    const qint64 version = query.value(0).toLongLong();
    const bool changed = m_dataVersion && *m_dataVersion != version;
    m_dataVersion = version;
    if (changed)
        ++m_feedRevision;
    return changed;
}

std::optional<RunChanges> RegistryStore::changes(const QString& feed, std::optional<qint64> since, int waitMs,
                                                 QString* error)
{
    if (isPostgresql()) {
        fail(error, RegistryFailure::Refused,
             QStringLiteral("%1 has no change feed (it is read again now and then)").arg(location()));
        return std::nullopt;
    }
    if (m_feed.isEmpty()) {
        // Named per store: another store's revisions (or this one's after a reopen) count other looks.
        static QAtomicInteger<qint64> stores;
        m_feed = QStringLiteral("%1 #%2:%3").arg(location()).arg(QCoreApplication::applicationPid()).arg(++stores);
    }
    const auto changed = fileChanged(error);
    if (!changed)
        return std::nullopt;
    RunChanges changes{m_feed, m_feedRevision, false, {}};
    if (!since || feed != m_feed) {
        changes.reset = since.has_value(); // a first look only learns where the feed is
        return changes;
    }
    if (*since != m_feedRevision) {
        changes.reset = true; // changed since the asker's revision
        return changes;
    }
    // Waited in an event loop, not asleep: a reader closing ends the wait (QThread::exit ends the loop).
    QEventLoop loop;
    QTimer look;
    std::optional<bool> seen = false;
    QObject::connect(&look, &QTimer::timeout, &loop, [&] {
        seen = fileChanged(error);
        if (!seen || *seen)
            loop.quit();
    });
    look.start(kLookEveryMs);
    QTimer::singleShot(waitMs, &loop, &QEventLoop::quit);
    loop.exec();
    if (!seen)
        return std::nullopt;
    changes.revision = m_feedRevision;
    changes.reset = *seen;
    return changes;
}

} // namespace jikken
