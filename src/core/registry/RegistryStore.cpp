#include "RegistryStore.h"

#include "DatabaseUrl.h"
#include "PointReader.h"
#include "PointWriter.h"
#include "RegistrySchema.h"
#include "RegistryStoreRows.h"
#include "RunColour.h"
#include "RunQuery.h"
#include "SqlTransaction.h"
#include "StoredText.h"
#include "util/PrivateFiles.h"

#include <QAtomicInteger>
#include <QDeadlineTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QThread>
#include <QTimeZone>

namespace jikken {

using namespace storeRows;

namespace {

constexpr qint64 kTimeZoneCacheMs = 5000;
// How long a SQLite connection waits for another's lock before it fails.
constexpr int kBusyTimeoutMs = 30000;

/// Puts a SQLite file in WAL mode (readers, such as the app or `jikken ls`, run while a trainer writes). WAL
/// is the file's own mode once set, so a file already in it takes no lock at all. Setting it takes the file
/// for itself, and SQLite does not wait out the busy timeout for that: many processes opening one new
/// registry at once met "database is locked". So a busy refusal is tried again within the same timeout,
/// until this or another connection has set it.
bool useWal(QSqlDatabase& db, QSqlError* failure)
{
    QSqlQuery query(db);
    if (query.exec(QStringLiteral("PRAGMA journal_mode")) && query.next() &&
        query.value(0).toString() == QLatin1String("wal"))
        return true;
    const QDeadlineTimer deadline(kBusyTimeoutMs);
    while (!query.exec(QStringLiteral("PRAGMA journal_mode=WAL"))) {
        constexpr int kSqliteBusy = 5; // SQLITE_BUSY, and its extended codes in the low byte
        if ((query.lastError().nativeErrorCode().toInt() & 0xff) != kSqliteBusy || deadline.hasExpired()) {
            *failure = query.lastError();
            return false;
        }
        QThread::msleep(10);
    }
    return true;
}

QJsonObject fromJson(const QVariant& text)
{
    return QJsonDocument::fromJson(text.toString().toUtf8()).object();
}

QDateTime fromMs(const QVariant& value)
{
    return value.isNull() ? QDateTime() : QDateTime::fromMSecsSinceEpoch(value.toLongLong(), Qt::UTC);
}

std::optional<double> optionalDouble(const QVariant& value)
{
    return value.isNull() ? std::nullopt : std::optional<double>(value.toDouble());
}

const QString kRunColumns = QStringLiteral(
    "id, method, model, dataset, hparams, memo, status, status_reason, host, device, command, spec, git_commit, "
    "git_dirty, versions, log_dir, created_at, started_at, finished_at, heartbeat_at, epoch, total_epochs, step, "
    "latest_test_error, best_test_error, final_metrics, fields, labels, colour, checkpoints");

RunRecord readRun(const QSqlQuery& q)
{
    RunRecord r;
    int c = 0;
    r.id = q.value(c++).toString();
    r.method = q.value(c++).toString();
    r.model = q.value(c++).toString();
    r.dataset = q.value(c++).toString();
    r.hparams = fromJson(q.value(c++));
    r.memo = q.value(c++).toString();
    r.status = runStatusFromString(q.value(c++).toString()).value_or(RunStatus::Reserved);
    r.statusReason = q.value(c++).toString();
    r.host = q.value(c++).toString();
    r.device = q.value(c++).toString();
    r.command = q.value(c++).toString();
    r.spec = fromJson(q.value(c++));
    r.gitCommit = q.value(c++).toString();
    r.gitDirty = q.value(c++).toInt() != 0;
    r.versions = fromJson(q.value(c++));
    r.logDir = q.value(c++).toString();
    r.created = fromMs(q.value(c++));
    r.started = fromMs(q.value(c++));
    r.finished = fromMs(q.value(c++));
    r.heartbeat = fromMs(q.value(c++));
    r.epoch = q.value(c++).toInt();
    r.totalEpochs = q.value(c++).toInt();
    r.step = q.value(c++).toLongLong();
    r.latestTestError = optionalDouble(q.value(c++));
    r.bestTestError = optionalDouble(q.value(c++));
    r.finalMetrics = fromJson(q.value(c++));
    r.fields = fromJson(q.value(c++));
    for (const QJsonValue& label : QJsonDocument::fromJson(q.value(c++).toString().toUtf8()).array())
        r.labels << label.toString();
    r.colour = q.value(c++).toString();
    if (r.colour.isEmpty()) // imported by an older Jikken mid-migration: never, but a colour all the same
        r.colour = RunColour::ofName(r.id);
    // Most runs keep none ('[]', the column's default): no JSON read for each of ten thousand rows.
    if (const QString stored = q.value(c++).toString(); stored != QLatin1String("[]")) {
        QString unread; // written by this class alone, from records it checked
        r.checkpoints = Checkpoints::fromJson(QJsonDocument::fromJson(stored.toUtf8()).array(), &unread)
                            .value_or(QVector<CheckpointRecord>());
    }
    return r;
}

} // namespace

RegistryStore::RegistryStore() : m_clock([] { return QDateTime::currentDateTimeUtc(); })
{
    static QAtomicInteger<int> counter;
    m_connectionName = QStringLiteral("jikken-registry-%1").arg(counter.fetchAndAddRelaxed(1));
}

RegistryStore::~RegistryStore()
{
    close();
}

QString RegistryStore::defaultHome()
{
    const QString fromEnvironment = qEnvironmentVariable("JIKKEN_HOME");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/jikken");
}

QString RegistryStore::defaultDatabasePath()
{
    return defaultHome() + QStringLiteral("/registry.sqlite");
}

bool RegistryStore::open(const QString& location, QString* error)
{
    close();
    const auto url = DatabaseUrl::parse(location, error);
    if (!url)
        return false;
    if (!connectTo(*url, error)) {
        close(); // after every handle on the connection is gone, or Qt warns that it is still in use
        return false;
    }
    m_path = url->display();
    return true;
}

bool RegistryStore::connectTo(const DatabaseUrl& url, QString* error)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(url.driverName(), m_connectionName);
    if (url.kind == DatabaseUrl::Kind::Sqlite) {
        // A new registry is private: it holds token hashes and every run's data. SQLite gives its -wal and
        // -shm files the database file's mode.
        QString problem;
        if (!PrivateFiles::makeFolder(QFileInfo(url.path).absolutePath(), &problem) ||
            !PrivateFiles::makeFile(url.path, &problem)) {
            return fail(error, RegistryFailure::ServiceError, QStringLiteral("cannot create the registry: ") + problem);
        }
        db.setDatabaseName(url.path);
        // Writers queue on SQLite's lock instead of failing at once.
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(kBusyTimeoutMs));
    } else {
        db.setHostName(url.host);
        db.setPort(url.port);
        db.setUserName(url.user);
        db.setPassword(url.password);
        db.setDatabaseName(url.databaseName);
        db.setConnectOptions(QStringLiteral("connect_timeout=10"));
    }
    if (!db.open()) {
        const QString message = db.lastError().text();
        return fail(error, RegistryFailure::ServiceError,
                    QStringLiteral("cannot open the registry %1: %2").arg(url.display(), message));
    }
    if (url.kind == DatabaseUrl::Kind::Sqlite) {
        QSqlError failure;
        QSqlQuery pragma(db);
        bool set = useWal(db, &failure);
        for (const char* statement : {"PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"}) {
            if (set && !pragma.exec(QString::fromLatin1(statement))) {
                failure = pragma.lastError();
                set = false;
            }
        }
        if (!set)
            return fail(error, RegistryFailure::ServiceError,
                        QStringLiteral("cannot open the registry %1: %2").arg(url.display(), failure.text()));
    }
    return RegistrySchema::migrate(db, error);
}

bool RegistryStore::isPostgresql() const
{
    return database().driverName() == QLatin1String("QPSQL");
}

QSqlDatabase RegistryStore::database() const
{
    return QSqlDatabase::database(m_connectionName, false);
}

QSqlQuery& RegistryStore::prepared(const QString& sql)
{
    // Prepared once per connection: on PostgreSQL each prepare is a round trip (and so is its release).
    auto it = m_prepared.find(sql);
    if (it == m_prepared.end()) {
        auto query = std::make_shared<QSqlQuery>(database());
        query->prepare(sql);
        it = m_prepared.insert(sql, query);
    }
    return **it;
}

RegistryStore::Connection RegistryStore::reconnectIfLost(QString* error)
{
    constexpr int kFirstDelayMs = 100;
    constexpr int kLongestDelayMs = 5000;
    if (!isPostgresql())
        return Connection::Fine;
    QSqlDatabase db = database();
    {
        QSqlQuery ping(db);
        if (db.isOpen() && ping.exec(QStringLiteral("SELECT 1"))) {
            m_reconnectDelayMs = 0;
            return Connection::Fine;
        }
    }
    if (m_reconnectDelayMs > 0 && m_sinceReconnect.isValid() && m_sinceReconnect.elapsed() < m_reconnectDelayMs) {
        fail(error, RegistryFailure::Unreachable,
             QStringLiteral("the registry's database is away; trying again shortly"));
        return Connection::Lost;
    }
    m_sinceReconnect.start();
    m_prepared.clear(); // prepared on the old connection
    db.close();
    if (db.open()) {
        m_reconnectDelayMs = 0;
        return Connection::Reopened;
    }
    m_reconnectDelayMs = std::min(std::max(m_reconnectDelayMs * 2, kFirstDelayMs), kLongestDelayMs);
    fail(error, RegistryFailure::Unreachable,
         QStringLiteral("cannot reach the registry's database: ") + db.lastError().text());
    return Connection::Lost;
}

void RegistryStore::close()
{
    m_prepared.clear();
    if (!QSqlDatabase::contains(m_connectionName))
        return;
    QSqlDatabase::database(m_connectionName, false).close();
    QSqlDatabase::removeDatabase(m_connectionName);
    m_path.clear();
}

qint64 RegistryStore::nowMs() const
{
    return m_clock().toMSecsSinceEpoch();
}

QByteArray RegistryStore::timeZoneId() const
{
    // Read at most every few seconds: reservations ask for it each time, and it changes once in a lifetime.
    if (!m_timeZone.isEmpty() && m_timeZoneAge.isValid() && m_timeZoneAge.elapsed() < kTimeZoneCacheMs)
        return m_timeZone;
    QSqlQuery query(database());
    if (query.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'time_zone'")) && query.next()) {
        m_timeZone = query.value(0).toString().toUtf8();
        m_timeZoneAge.start();
        return m_timeZone;
    }
    return QTimeZone::systemTimeZoneId();
}

bool RegistryStore::setTimeZoneId(const QByteArray& ianaId, QString* error)
{
    if (!QTimeZone::isTimeZoneIdAvailable(ianaId))
        return fail(error, RegistryFailure::Refused,
                    QStringLiteral("unknown time zone \"%1\"; use an IANA name such as Asia/Tokyo")
                        .arg(QString::fromUtf8(ianaId)));
    QSqlQuery query(database());
    query.prepare(QStringLiteral("UPDATE meta SET value = ? WHERE key = 'time_zone'"));
    query.addBindValue(QString::fromUtf8(ianaId));
    m_timeZone.clear();
    return query.exec() || failQuery(error, query);
}

QDate RegistryStore::today() const
{
    return m_clock().toTimeZone(QTimeZone(timeZoneId())).date();
}

RegistryStore::Applied RegistryStore::applyJournalReport(const QString& id, qint64 sequence,
                                                         const std::function<bool(QString*)>& apply, QString* error)
{
    QSqlDatabase db = database();
    SqlTransaction transaction(db);
    if (!transaction.begin(error))
        return Applied::Failed;
    // The claim takes the run's row lock (PostgreSQL) or the write lock (SQLite): two copies of one report
    // arriving at once are applied once.
    QSqlQuery claim(db);
    claim.prepare(QStringLiteral("UPDATE runs SET journal_seq = ? WHERE id = ? AND journal_seq < ?"));
    claim.addBindValue(sequence);
    claim.addBindValue(id);
    claim.addBindValue(sequence);
    if (!claim.exec()) {
        failQuery(error, claim);
        return Applied::Failed;
    }
    if (claim.numRowsAffected() == 0) {
        QSqlQuery known(db);
        known.prepare(QStringLiteral("SELECT 1 FROM runs WHERE id = ?"));
        known.addBindValue(id);
        if (!known.exec() || !known.next()) {
            known.isActive() ? fail(error, RegistryFailure::UnknownRun, unknownRun(id)) : failQuery(error, known);
            return Applied::Failed;
        }
        return Applied::AlreadyNewer;
    }
    if (!apply(error) || !transaction.commit(error))
        return Applied::Failed;
    return Applied::Yes;
}

std::optional<RunRecord> RegistryStore::run(const QString& id, QString* error)
{
    QSqlQuery query(database());
    query.prepare(QStringLiteral("SELECT ") + kRunColumns + QStringLiteral(" FROM runs WHERE id = ?"));
    query.addBindValue(id);
    if (!stepToRun(query, id, error))
        return std::nullopt;
    return readRun(query);
}

std::optional<QVector<RunRecord>> RegistryStore::runs(const RunFilter& filter, QString* error)
{
    if (filter.query.isEmpty())
        return selectRuns(filter, error);
    // The query language reads every field (hyperparameters, imported columns), which SQL here cannot: the
    // runs the other fields select are matched one by one, and the page taken from those that match.
    QString problem;
    const auto query = RunQuery::parse(filter.query, &problem);
    if (!query) {
        fail(error, RegistryFailure::Refused, QStringLiteral("query: ") + problem);
        return std::nullopt;
    }
    RunFilter unpaged = filter;
    unpaged.limit = 0;
    unpaged.offset = 0;
    auto candidates = selectRuns(unpaged, error);
    if (!candidates)
        return std::nullopt;
    QVector<RunRecord> matching;
    for (RunRecord& run : *candidates) {
        if (query->matches(run))
            matching.append(std::move(run));
    }
    matching.remove(0, std::min<qsizetype>(filter.offset, matching.size()));
    if (filter.limit > 0 && matching.size() > filter.limit)
        matching.resize(filter.limit);
    return matching;
}

std::optional<QVector<RunRecord>> RegistryStore::selectRuns(const RunFilter& filter, QString* error)
{
    QStringList conditions;
    QVariantList values;
    if (filter.day.isValid()) {
        conditions << QStringLiteral("day = ?");
        values << filter.day.toString(QStringLiteral("yyyyMMdd")).toInt();
    }
    if (!filter.method.isEmpty()) {
        conditions << QStringLiteral("method = ?");
        values << filter.method;
    }
    if (filter.status) {
        conditions << QStringLiteral("status = ?");
        values << toString(*filter.status);
    }
    QString sql = QStringLiteral("SELECT ") + kRunColumns + QStringLiteral(" FROM runs");
    if (!conditions.isEmpty())
        sql += QStringLiteral(" WHERE ") + conditions.join(QStringLiteral(" AND "));
    sql += filter.newestFirst ? QStringLiteral(" ORDER BY day DESC, number DESC")
                              : QStringLiteral(" ORDER BY day, number");
    if (filter.limit > 0)
        sql += QStringLiteral(" LIMIT %1").arg(filter.limit);
    if (filter.offset > 0)
        sql += (filter.limit > 0 || isPostgresql() ? QString() : QStringLiteral(" LIMIT -1")) +
               QStringLiteral(" OFFSET %1").arg(filter.offset);
    QSqlQuery query(database());
    query.setForwardOnly(true);
    query.prepare(sql);
    for (const QVariant& value : values)
        query.addBindValue(value);
    if (!query.exec()) {
        failQuery(error, query);
        return std::nullopt;
    }
    QVector<RunRecord> result;
    while (query.next())
        result.append(readRun(query));
    return result;
}

QStringList RegistryStore::markLost(qint64 silentForMs, QString* error)
{
    QSqlDatabase db = database();
    SqlTransaction transaction(db);
    QStringList lost;
    if (!transaction.begin(error))
        return lost;
    const qint64 cutoff = nowMs() - silentForMs;
    QSqlQuery query(db);
    query.prepare(QStringLiteral("SELECT id FROM runs WHERE status = 'running' AND COALESCE(heartbeat_at, 0) < ?"));
    query.addBindValue(cutoff);
    if (!query.exec()) {
        failQuery(error, query);
        return {};
    }
    while (query.next())
        lost << query.value(0).toString();
    query.finish();
    if (lost.isEmpty())
        return lost;
    query.prepare(QStringLiteral("UPDATE runs SET status = 'lost', status_reason = ? WHERE status = 'running' AND "
                                 "COALESCE(heartbeat_at, 0) < ?"));
    query.addBindValue(QStringLiteral("no heartbeat for %1 s").arg(silentForMs / 1000.0));
    query.addBindValue(cutoff);
    if (!query.exec() || !transaction.commit(error)) {
        failQuery(error, query);
        return {};
    }
    return lost;
}

bool RegistryStore::importRuns(const QVector<RunRecord>& runs, QString* error)
{
    QSqlDatabase db = database();
    SqlTransaction transaction(db);
    if (!transaction.begin(error))
        return false;
    QSqlQuery query(db);
    const auto firstColour = dealColours(static_cast<int>(runs.size()), error);
    if (!firstColour)
        return false;
    qint64 nextColour = *firstColour;
    for (const RunRecord& r : runs) {
        QString problem;
        const auto id = ModelId::parse(r.id, &problem);
        const QStringList labels = RunRecord::normalizedLabels(r.labels);
        if (!id || !(problem = RunRecord::memoError(r.memo)).isEmpty() ||
            !(problem = RunRecord::labelsError(labels)).isEmpty())
            return fail(error, RegistryFailure::Refused, id ? QStringLiteral("%1: %2").arg(r.id, problem) : problem);
        const int dayKey = id->date().toString(QStringLiteral("yyyyMMdd")).toInt();
        query.prepare(QStringLiteral(
            "INSERT INTO runs (id, day, number, method, model, dataset, hparams, memo, status, status_reason, host, "
            "created_at, started_at, finished_at, epoch, total_epochs, latest_test_error, best_test_error, fields, "
            "labels, colour, checkpoints) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        const auto ms = [](const QDateTime& t) { return t.isValid() ? QVariant(t.toMSecsSinceEpoch()) : QVariant(); };
        const auto number = [](const std::optional<double>& v) { return v ? QVariant(*v) : QVariant(); };
        const QVariantList values{
            r.id,
            dayKey,
            id->number(),
            id->method(),
            r.model,
            r.dataset,
            toJson(r.hparams),
            r.memo,
            toString(r.status),
            StoredText::clippedReason(r.statusReason),
            r.host,
            r.created.isValid() ? r.created.toMSecsSinceEpoch() : nowMs(),
            ms(r.started),
            ms(r.finished),
            r.epoch,
            r.totalEpochs,
            number(r.latestTestError),
            number(r.bestTestError),
            toJson(r.fields),
            labelsJson(labels),
            RunColour::normalized(r.colour).isEmpty() ? RunColour::dealt(nextColour) : RunColour::normalized(r.colour),
            QString::fromUtf8(QJsonDocument(Checkpoints::toJson(r.checkpoints)).toJson(QJsonDocument::Compact))};
        ++nextColour;
        for (const QVariant& value : values)
            query.addBindValue(sqlValue(value));
        if (!query.exec())
            return fail(error, RegistryFailure::Refused,
                        QStringLiteral("cannot import %1: %2").arg(r.id, query.lastError().text()));
        // The imported number is taken: the day's counter never hands it out again.
        query.prepare(
            QStringLiteral("INSERT INTO day_counters (day, last_number) VALUES (?, ?) ON CONFLICT (day) DO "
                           "UPDATE SET last_number = CASE WHEN day_counters.last_number < excluded.last_number "
                           "THEN excluded.last_number ELSE day_counters.last_number END"));
        query.addBindValue(dayKey);
        query.addBindValue(id->number());
        if (!query.exec())
            return failQuery(error, query);
    }
    return transaction.commit(error);
}

bool RegistryStore::fail(QString* error, RegistryFailure kind, const QString& message) const
{
    m_failure = kind;
    if (error)
        *error = message;
    return false;
}

bool RegistryStore::stepToRun(QSqlQuery& query, const QString& id, QString* error) const
{
    if (!query.exec())
        return failQuery(error, query);
    return query.next() || fail(error, RegistryFailure::UnknownRun, unknownRun(id));
}

bool RegistryStore::failQuery(QString* error, const QSqlQuery& query) const
{
    return fail(error, RegistryFailure::ServiceError, QStringLiteral("registry: ") + query.lastError().text());
}

} // namespace jikken
