#pragma once

#include "ids/ModelId.h"
#include "registry/RunRecord.h"

#include <QDate>
#include <QSqlDatabase>
#include <QString>
#include <QVector>

#include <functional>
#include <optional>

namespace jikken {

/// Which runs `RegistryStore::runs` returns; empty fields match everything.
struct RunFilter
{
    QDate day;
    QString method;
    std::optional<RunStatus> status;
};

/// The model registry on a SQL database (SQLite by default): hands out model IDs and keeps every run's
/// record and scalar series. One store is one connection; use it from one thread.
class RegistryStore
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

    /// Opens (creating if needed) the SQLite registry at `path` and migrates it to the latest schema.
    bool open(const QString& path, QString* error);
    void close();
    QString path() const { return m_path; }

    /// The registry's clock; tests replace it to cross midnight.
    void setClock(Clock clock) { m_clock = std::move(clock); }
    /// IANA zone in which the registry dates its IDs (set when the registry was created).
    QByteArray timeZoneId() const;
    bool setTimeZoneId(const QByteArray& ianaId, QString* error);
    /// Today in the registry's time zone.
    QDate today() const;

    /// Hands out the next ID of today for `method`: numbers are distinct and gap-free across every
    /// process sharing the database, and never reused.
    std::optional<ModelId> reserve(const QString& method, QString* error);

    bool describe(const QString& id, const RunDescription& description, QString* error);
    /// Moves the run to `status`; running stamps the start time once, the terminal states the end time.
    bool setStatus(const QString& id, RunStatus status, const QString& reason, QString* error);
    /// Progress of a running model; `testError`, when given, becomes the latest and maybe the best.
    bool reportProgress(const QString& id, int epoch, qint64 step, std::optional<double> testError, QString* error);
    bool heartbeat(const QString& id, QString* error);
    /// The device the run actually trains on ("cpu", "cuda:0"), once the trainer has chosen it.
    bool setDevice(const QString& id, const QString& device, QString* error);
    bool setMemo(const QString& id, const QString& memo, QString* error);
    bool setFinalMetrics(const QString& id, const QJsonObject& metrics, QString* error);
    /// Stores points idempotently by (run, tag, step): a replayed point replaces, never duplicates.
    bool addScalars(const QString& id, const QVector<ScalarPoint>& points, QString* error);

    std::optional<RunRecord> run(const QString& id, QString* error) const;
    /// Runs in ID order (date, then number).
    QVector<RunRecord> runs(const RunFilter& filter, QString* error) const;
    /// The run's points of `tag` (every tag when empty), by tag then step.
    QVector<ScalarPoint> scalars(const QString& id, const QString& tag, QString* error) const;

private:
    bool execUpdate(const QString& id, const QString& sql, const QVariantList& values, QString* error);
    qint64 nowMs() const;

    QString m_connectionName;
    QString m_path;
    Clock m_clock;
};

} // namespace jikken
