#include "RegistrySchema.h"

#include "RunColour.h"
#include "RunRecord.h"
#include "SqlTransaction.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimeZone>

#include <vector>

namespace jikken {

namespace {

// Times are milliseconds since the Unix epoch (UTC); `day` is the registry's local date as yyyymmdd.
const std::vector<std::vector<const char*>> kMigrations = {
    // 1: runs and their scalar series
    {
        "CREATE TABLE runs ("
        " id TEXT PRIMARY KEY,"
        " day INTEGER NOT NULL,"
        " number INTEGER NOT NULL,"
        " method TEXT NOT NULL,"
        " model TEXT NOT NULL DEFAULT '',"
        " dataset TEXT NOT NULL DEFAULT '',"
        " hparams TEXT NOT NULL DEFAULT '{}',"
        " memo TEXT NOT NULL DEFAULT '',"
        " status TEXT NOT NULL DEFAULT 'reserved',"
        " status_reason TEXT NOT NULL DEFAULT '',"
        " host TEXT NOT NULL DEFAULT '',"
        " device TEXT NOT NULL DEFAULT '',"
        " command TEXT NOT NULL DEFAULT '',"
        " spec TEXT NOT NULL DEFAULT '{}',"
        " git_commit TEXT NOT NULL DEFAULT '',"
        " git_dirty INTEGER NOT NULL DEFAULT 0,"
        " versions TEXT NOT NULL DEFAULT '{}',"
        " log_dir TEXT NOT NULL DEFAULT '',"
        " created_at BIGINT NOT NULL,"
        " started_at BIGINT,"
        " finished_at BIGINT,"
        " heartbeat_at BIGINT,"
        " epoch INTEGER NOT NULL DEFAULT 0,"
        " total_epochs INTEGER NOT NULL DEFAULT 0,"
        " step BIGINT NOT NULL DEFAULT 0,"
        " latest_test_error DOUBLE PRECISION,"
        " best_test_error DOUBLE PRECISION,"
        " final_metrics TEXT NOT NULL DEFAULT '{}',"
        " UNIQUE (day, number))",
        "CREATE INDEX runs_by_method ON runs (method)",
        "CREATE INDEX runs_by_status ON runs (status)",
        "CREATE TABLE scalars ("
        " run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
        " tag TEXT NOT NULL,"
        " step BIGINT NOT NULL,"
        " wall_time DOUBLE PRECISION NOT NULL,"
        " value DOUBLE PRECISION NOT NULL,"
        " PRIMARY KEY (run_id, tag, step))",
    },
    // 2: per-day counters that hand out numbers, access tokens for `jikken serve`, imported extra columns
    {
        "CREATE TABLE day_counters (day INTEGER PRIMARY KEY, last_number INTEGER NOT NULL)",
        "INSERT INTO day_counters (day, last_number) SELECT day, MAX(number) FROM runs GROUP BY day",
        "CREATE TABLE access_tokens ("
        " name TEXT PRIMARY KEY,"
        " secret_sha256 TEXT NOT NULL UNIQUE,"
        " read_only INTEGER NOT NULL,"
        " created_at BIGINT NOT NULL,"
        " revoked_at BIGINT)",
        "ALTER TABLE runs ADD COLUMN fields TEXT NOT NULL DEFAULT '{}'",
    },
    // 3: scalars as series (one row per run and tag) and compact points clustered by (series, step): a
    // third of the bytes per point, and a million points are written in bulk. A NULL value is NaN.
    {
        "CREATE TABLE series ("
        " id {SERIAL_KEY},"
        " run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
        " tag TEXT NOT NULL,"
        " UNIQUE (run_id, tag))",
        "CREATE TABLE points ("
        " series_id BIGINT NOT NULL REFERENCES series (id) ON DELETE CASCADE,"
        " step BIGINT NOT NULL,"
        " wall_time DOUBLE PRECISION NOT NULL,"
        " value DOUBLE PRECISION,"
        " PRIMARY KEY (series_id, step)){WITHOUT_ROWID}",
        "INSERT INTO series (run_id, tag) SELECT DISTINCT run_id, tag FROM scalars",
        "INSERT INTO points (series_id, step, wall_time, value) SELECT s.id, p.step, p.wall_time, p.value "
        "FROM scalars p JOIN series s ON s.run_id = p.run_id AND s.tag = p.tag",
        "DROP TABLE scalars",
    },
    // 4: the sequence number of the last journal report applied to each run: a report the service has
    // applied already, or one older than it, is acknowledged without being applied again.
    {
        "ALTER TABLE runs ADD COLUMN journal_seq BIGINT NOT NULL DEFAULT 0",
    },
    // 5: PostgreSQL keeps points in blocks of up to 1,024 (PointBlocks): a row, an index entry and a
    // foreign-key check per point held its ingest to a tenth of SQLite's. The blocks are packed here as
    // PointBlocks packs them: step, wall time and value, big-endian, 24 bytes a point. SQLite keeps rows.
    {
        "{POSTGRESQL_ONLY}CREATE TABLE point_blocks ("
        " series_id BIGINT NOT NULL REFERENCES series (id) ON DELETE CASCADE,"
        " first_step BIGINT NOT NULL,"
        " last_step BIGINT NOT NULL,"
        " points INTEGER NOT NULL,"
        " data BYTEA NOT NULL,"
        " PRIMARY KEY (series_id, first_step))",
        "{POSTGRESQL_ONLY}CREATE UNIQUE INDEX point_blocks_by_last_step ON point_blocks (series_id, last_step)",
        // Points do not compress: no attempt per block.
        "{POSTGRESQL_ONLY}ALTER TABLE point_blocks ALTER COLUMN data SET STORAGE EXTERNAL",
        "{POSTGRESQL_ONLY}INSERT INTO point_blocks (series_id, first_step, last_step, points, data) "
        "SELECT series_id, min(step), max(step), count(*), string_agg(int8send(step) || float8send(wall_time) || "
        "float8send(COALESCE(value, 'NaN')), ''::bytea ORDER BY step) FROM (SELECT *, (row_number() OVER "
        "(PARTITION BY series_id ORDER BY step) - 1) / 1024 AS block FROM points) AS numbered "
        "GROUP BY series_id, block",
        "{POSTGRESQL_ONLY}DROP TABLE points",
    },
    // 6: the user's labels on a run (`jikken tag`), a JSON array of strings.
    {
        "ALTER TABLE runs ADD COLUMN labels TEXT NOT NULL DEFAULT '[]'",
    },
    // 7: each run's colour (RunColour), the runs there are dealt theirs in the order they were made, and
    // how many colours were dealt: the next run's is the next in the palette.
    {
        "ALTER TABLE runs ADD COLUMN colour TEXT NOT NULL DEFAULT ''",
        "UPDATE runs SET colour = {DEALT_COLOUR} FROM (SELECT id AS run, row_number() OVER (ORDER BY created_at, id) "
        "- 1 AS position FROM runs) AS dealt WHERE runs.id = dealt.run",
        "CREATE TABLE colours_dealt (id INTEGER PRIMARY KEY, dealt BIGINT NOT NULL)",
        "INSERT INTO colours_dealt (id, dealt) SELECT 1, COUNT(*) FROM runs",
    },
    // 8: the idempotency keys of reservations (a hash of the caller and its key) with the ID each took, kept
    // a day, so a POST retried across a restart of the service takes no second ID; and the labels stored
    // before labels were normalized (NFC, case variants merged into the first), normalized.
    {
        "CREATE TABLE reservation_keys (key_sha256 TEXT PRIMARY KEY, run_id TEXT NOT NULL, made_at BIGINT NOT NULL)",
        "CREATE INDEX reservation_keys_by_age ON reservation_keys (made_at)",
        "{NORMALIZE_LABELS}",
    },
    // 9: the queue (RunQueue): a queued run's spec and what it needs, and which agent took it on which host.
    // `hosts` is ",gpu1,gpu2," (empty: any), so that one LIKE finds a host among them.
    {
        "CREATE TABLE run_queue ("
        " run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,"
        " spec TEXT NOT NULL,"
        " hosts TEXT NOT NULL DEFAULT '',"
        " gpus INTEGER NOT NULL DEFAULT 0,"
        " priority INTEGER NOT NULL DEFAULT 0,"
        " retries INTEGER NOT NULL DEFAULT 0,"
        " attempts INTEGER NOT NULL DEFAULT 0,"
        " sweep TEXT NOT NULL DEFAULT '',"
        " queued_at BIGINT NOT NULL,"
        " agent TEXT NOT NULL DEFAULT '',"
        " host TEXT NOT NULL DEFAULT '',"
        " claimed_at BIGINT)",
        "CREATE INDEX run_queue_waiting ON run_queue (agent, priority, queued_at)",
        "CREATE INDEX run_queue_by_sweep ON run_queue (sweep)",
    },
    // 10: the model files a run's trainer kept (Checkpoints: best, last, every N epochs), a JSON array.
    {
        "ALTER TABLE runs ADD COLUMN checkpoints TEXT NOT NULL DEFAULT '[]'",
    },
};

/// Stores each run's labels as RunRecord::normalizedLabels has them (labels written by Jikken before they
/// were normalized: `Ablation` beside `ablation`, a decomposed é).
bool normalizeLabels(QSqlDatabase& db, QString* error)
{
    QSqlQuery read(db);
    if (!read.exec(QStringLiteral("SELECT id, labels FROM runs WHERE labels <> '[]'"))) {
        if (error)
            *error = QStringLiteral("registry schema: %1 (reading labels)").arg(read.lastError().text());
        return false;
    }
    QVector<QPair<QString, QString>> changed;
    while (read.next()) {
        const QString stored = read.value(1).toString();
        QStringList labels;
        for (const QJsonValue& label : QJsonDocument::fromJson(stored.toUtf8()).array())
            labels << label.toString();
        const QString normal =
            QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(RunRecord::normalizedLabels(labels)))
                                  .toJson(QJsonDocument::Compact));
        if (normal != stored)
            changed.append({read.value(0).toString(), normal});
    }
    read.finish();
    QSqlQuery write(db);
    write.prepare(QStringLiteral("UPDATE runs SET labels = ? WHERE id = ?"));
    for (const auto& [id, labels] : std::as_const(changed)) {
        write.bindValue(0, labels);
        write.bindValue(1, id);
        if (!write.exec()) {
            if (error)
                *error = QStringLiteral("registry schema: %1 (normalizing labels)").arg(write.lastError().text());
            return false;
        }
    }
    return true;
}

// The few words in which the two backends' SQL differs; empty: a statement for the other backend only.
QString dialect(const char* statement, bool postgresql)
{
    QString sql = QString::fromUtf8(statement);
    const QString postgresqlOnly = QStringLiteral("{POSTGRESQL_ONLY}");
    if (sql.startsWith(postgresqlOnly))
        return postgresql ? sql.mid(postgresqlOnly.size()) : QString();
    sql.replace(QStringLiteral("{SERIAL_KEY}"),
                postgresql ? QStringLiteral("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
                           : QStringLiteral("INTEGER PRIMARY KEY"));
    sql.replace(QStringLiteral("{WITHOUT_ROWID}"), postgresql ? QString() : QStringLiteral(" WITHOUT ROWID"));
    if (sql.contains(QStringLiteral("{DEALT_COLOUR}"))) {
        QString dealt = QStringLiteral("CASE dealt.position % %1").arg(RunColour::kPaletteSize);
        for (int slot = 0; slot < RunColour::kPaletteSize; ++slot)
            dealt += QStringLiteral(" WHEN %1 THEN '%2'").arg(slot).arg(RunColour::dealt(slot));
        sql.replace(QStringLiteral("{DEALT_COLOUR}"), dealt + QStringLiteral(" END"));
    }
    return sql;
}

constexpr qint64 kMigrationLockKey = 0x6a696b6b656e; // "jikken"

bool run(QSqlQuery& query, const QString& sql, QString* error)
{
    if (query.exec(sql))
        return true;
    if (error)
        *error = QStringLiteral("registry schema: %1 (%2)").arg(query.lastError().text(), sql.left(60));
    return false;
}

} // namespace

int RegistrySchema::latestVersion()
{
    return static_cast<int>(kMigrations.size());
}

bool RegistrySchema::migrate(QSqlDatabase& db, int target, QString* error)
{
    SqlTransaction transaction(db);
    if (!transaction.begin(error))
        return false;
    QSqlQuery query(db);
    // Several servers may open a new PostgreSQL registry at once; one migrates, the others wait and see it done.
    // (SQLite's BEGIN IMMEDIATE already serializes them.)
    if (db.driverName() == QLatin1String("QPSQL") &&
        !run(query, QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(kMigrationLockKey), error))
        return false;
    if (!run(query, QStringLiteral("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
             error))
        return false;
    int version = 0;
    if (!run(query, QStringLiteral("SELECT value FROM meta WHERE key = 'schema_version'"), error))
        return false;
    if (query.next())
        version = query.value(0).toInt();
    if (version > latestVersion()) {
        if (error)
            *error = QStringLiteral("the registry's schema version %1 is newer than this Jikken knows (%2); "
                                    "upgrade Jikken")
                         .arg(version)
                         .arg(latestVersion());
        return false;
    }
    if (version == 0) {
        // A new registry dates its IDs in the time zone of the machine that created it, until told otherwise.
        query.prepare(QStringLiteral("INSERT INTO meta (key, value) VALUES ('time_zone', ?)"));
        query.addBindValue(QString::fromUtf8(QTimeZone::systemTimeZoneId()));
        if (!query.exec())
            return run(query, QStringLiteral("INSERT time_zone"), error);
    }
    for (int next = version; next < target; ++next) {
        for (const char* statement : kMigrations[static_cast<size_t>(next)]) {
            if (qstrcmp(statement, "{NORMALIZE_LABELS}") == 0) {
                if (!normalizeLabels(db, error))
                    return false;
                continue;
            }
            const QString sql = dialect(statement, db.driverName() == QLatin1String("QPSQL"));
            if (!sql.isEmpty() && !run(query, sql, error))
                return false;
        }
    }
    if (version < target) {
        query.prepare(version == 0 ? QStringLiteral("INSERT INTO meta (key, value) VALUES ('schema_version', ?)")
                                   : QStringLiteral("UPDATE meta SET value = ? WHERE key = 'schema_version'"));
        query.addBindValue(QString::number(target));
        if (!query.exec())
            return run(query, QStringLiteral("UPDATE schema_version"), error);
    }
    query.finish();
    return transaction.commit(error);
}

} // namespace jikken
