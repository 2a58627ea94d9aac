#pragma once

#include "registry/RegistryClient.h"
#include "series/ScalarSeries.h"

#include <QDate>
#include <QElapsedTimer>
#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVector>

#include <functional>
#include <memory>
#include <optional>

namespace jikken {

struct DatabaseUrl;

/// The model registry on a SQL database (SQLite by default, or PostgreSQL): hands out model IDs and keeps
/// every run's record and scalar series. One store is one connection; use it from one thread.
class RegistryStore : public RegistryClient
{
public:
    using Clock = std::function<QDateTime()>;

    RegistryStore();
    ~RegistryStore();
    RegistryStore(const RegistryStore&) = delete;
    RegistryStore& operator=(const RegistryStore&) = delete;

    /// `$JIKKEN_HOME`, else the platform's app-data folder + "/jikken" (~/.local/share/jikken on Linux,
    /// ~/Library/Application Support/jikken on macOS).
    static QString defaultHome();
    /// `defaultHome()` + "/registry.sqlite".
    static QString defaultDatabasePath();

    /// Opens the registry at `location` (a SQLite file, created if needed, or a postgresql:// URL; see
    /// DatabaseUrl) and migrates it to the latest schema.
    bool open(const QString& location, QString* error);
    void close();
    /// The open registry, for messages (a PostgreSQL URL without its password).
    QString path() const { return m_path; }
    QString location() const override { return m_path; }
    bool isPostgresql() const;
    /// The connection, for the other tables of the registry (access tokens).
    QSqlDatabase database() const;

    /// The registry's clock; tests replace it to cross midnight.
    void setClock(Clock clock) { m_clock = std::move(clock); }
    /// IANA zone in which the registry dates its IDs (set when the registry was created).
    QByteArray timeZoneId() const;
    bool setTimeZoneId(const QByteArray& ianaId, QString* error);
    /// Today in the registry's time zone.
    QDate today() const;
    std::optional<QDate> today(QString*) override { return today(); }
    /// On SQLite, a feed of whether the file changed: what other connections (another process, another
    /// thread's store) committed, as SQLite counts it (`PRAGMA data_version`), checked four times a second
    /// while waiting; every change is a reset (read everything), as which runs changed is not known. This
    /// store's own writes are its caller's to know. PostgreSQL refuses (it is polled).
    std::optional<RunChanges> changes(const QString& feed, std::optional<qint64> since, int waitMs,
                                      QString* error) override;
    RegistryFailure lastFailure() const override { return m_failure; }

    std::optional<ModelId> reserve(const QString& method, QString* error) override;
    /// Several IDs in one transaction, in the order of `methods` (consecutive numbers); all or none. The
    /// service reserves the requests that arrive together this way, with one commit for all.
    std::optional<QVector<ModelId>> reserve(const QStringList& methods, QString* error);
    /// As above, keeping each non-empty `keys[i]` (a hash of a caller's Idempotency-Key) with the i-th ID,
    /// in the same transaction: a reservation retried after a restart of the service finds its ID.
    std::optional<QVector<ModelId>> reserve(const QStringList& methods, const QList<QByteArray>& keys, QString* error);
    /// How long reservation keys are kept.
    static constexpr qint64 kReservationKeyMs = 24 * 3600 * 1000;
    /// The reservation keys kept, with the ID each took and when (ms since the epoch).
    struct ReservationKey
    {
        QByteArray key;
        ModelId id;
        qint64 madeAt = 0;
    };
    std::optional<QVector<ReservationKey>> reservationKeys(QString* error);
    bool describe(const QString& id, const RunDescription& description, QString* error) override;
    bool setStatus(const QString& id, RunStatus status, const QString& reason, QString* error) override;
    bool reportProgress(const QString& id, int epoch, qint64 step, std::optional<double> testError,
                        QString* error) override;
    bool heartbeat(const QString& id, QString* error) override;
    bool setDevice(const QString& id, const QString& device, QString* error) override;
    bool setMemo(const QString& id, const QString& memo, QString* error) override;
    bool setColour(const QString& id, const QString& colour, QString* error) override;
    bool setLabels(const QString& id, const QStringList& labels, QString* error) override;
    std::optional<QStringList> editLabels(const QString& id, const QStringList& add, const QStringList& remove,
                                          QString* error) override;
    bool setFinalMetrics(const QString& id, const QJsonObject& metrics, QString* error) override;
    bool setCheckpoints(const QString& id, const QVector<CheckpointRecord>& checkpoints, QString* error) override;
    bool addScalars(const QString& id, const QVector<ScalarPoint>& points, QString* error) override;
    bool importRuns(const QVector<RunRecord>& runs, QString* error) override;
    /// As addScalars, for points that come as columns per tag (the service's protobuf batches).
    bool addSeries(const QString& id, const QVector<TaggedSeries>& batch, QString* error);

    std::optional<RunRecord> run(const QString& id, QString* error) override;
    std::optional<QVector<RunRecord>> runs(const RunFilter& filter, QString* error) override;
    std::optional<QVector<ScalarPoint>> scalars(const QString& id, const QString& tag, QString* error) override;

    std::optional<QStringList> tags(const QString& id, QString* error) override;
    std::optional<ScalarSeries> series(const QString& id, const QString& tag, QString* error) override;
    std::optional<ScalarSeries> seriesAfter(const QString& id, const QString& tag, qint64 step, int* total,
                                            QString* error) override;
    std::optional<ScalarSeries> seriesPreview(const QString& id, const QString& tag, int points,
                                              QString* error) override;

    enum class Connection { Fine, Reopened, Lost };
    /// After a failed statement: whether the database connection still answers, and if not (PostgreSQL
    /// restarted, the network dropped) one attempt to open it again, at most once per backoff interval
    /// (doubling to 5 s). SQLite's connection is a file and is always Fine.
    Connection reconnectIfLost(QString* error);

    enum class Applied { Yes, AlreadyNewer, Failed };
    /// Applies a journal report numbered `sequence` with `apply` (one of the run's updates above) only if
    /// it is newer than the last one applied to the run, and records it, in one transaction: a report sent
    /// again (a retry after a timeout) or overtaken by a later one is not applied a second time.
    Applied applyJournalReport(const QString& id, qint64 sequence, const std::function<bool(QString*)>& apply,
                               QString* error);

    /// Marks running models whose last heartbeat is older than `silentForMs` as lost; returns their IDs.
    QStringList markLost(qint64 silentForMs, QString* error);

private:
    /// Opens the connection to `url` and brings its schema up to date; on failure the caller closes it.
    bool connectTo(const DatabaseUrl& url, QString* error);
    bool fail(QString* error, RegistryFailure kind, const QString& message) const;
    bool failQuery(QString* error, const QSqlQuery& query) const;
    /// Runs a query of one run's row and steps onto it; UnknownRun when there is none.
    bool stepToRun(QSqlQuery& query, const QString& id, QString* error) const;
    /// The runs that the filter's fields other than its query select, in SQL.
    std::optional<QVector<RunRecord>> selectRuns(const RunFilter& filter, QString* error);
    /// The key of the run's series of `tag`; -1 when there is none.
    std::optional<qint64> seriesId(const QString& id, const QString& tag, QString* error);
    bool execUpdate(const QString& id, const QString& sql, const QVariantList& values, QString* error);
    qint64 nowMs() const;
    QSqlQuery& prepared(const QString& sql);
    /// Marks the run diverged for `why` (Divergence), unless `why` is empty or the run failed or stopped.
    bool markDiverged(const QString& id, const QString& why, QString* error);
    /// Deals `count` runs their colours, inside the transaction that makes them: the position in the
    /// palette of the first (RunColour::dealt).
    std::optional<qint64> dealColours(int count, QString* error);
    /// The rows of freshly numbered IDs, inside the reserving transaction, the first with colour `firstColour`.
    bool insertReserved(const QVector<ModelId>& ids, qint64 firstColour, QString* error);
    /// Keeps the reservation keys with their IDs, and forgets those older than a day.
    bool keepReservationKeys(const QVector<ModelId>& ids, const QList<QByteArray>& keys, QString* error);

    QString m_connectionName;
    QString m_path;
    Clock m_clock;
    QHash<QString, std::shared_ptr<QSqlQuery>> m_prepared;
    int m_reconnectDelayMs = 0;
    QElapsedTimer m_sinceReconnect;
    mutable QByteArray m_timeZone;
    mutable QElapsedTimer m_timeZoneAge;
    mutable RegistryFailure m_failure = RegistryFailure::None;
    /// The change feed (SQLite): its name, its revision, and the data_version it last saw.
    QString m_feed;
    qint64 m_feedRevision = 0;
    std::optional<qint64> m_dataVersion;
    /// Whether the file changed since the feed last looked (another connection committed); nothing, with
    /// `error`, when the database cannot say.
    std::optional<bool> fileChanged(QString* error);
};

} // namespace jikken
