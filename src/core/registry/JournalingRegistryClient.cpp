#include "JournalingRegistryClient.h"

#include "HttpRegistryClient.h"
#include "RegistryWire.h"
#include "StoredText.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QThread>

namespace jikken {

namespace {

constexpr int kEntriesPerRound = 2000;
constexpr int kPointsPerRequest = 100000;

QString op(const QJsonObject& report)
{
    return report.value(QStringLiteral("op")).toString();
}

} // namespace

JournalingRegistryClient::JournalingRegistryClient(QUrl url, QString token, QString runId, const QString& runDirectory,
                                                   Options options)
    : m_url(std::move(url)), m_token(std::move(token)), m_runId(std::move(runId)), m_options(options),
      m_journal(runDirectory), m_direct(std::make_unique<HttpRegistryClient>(m_url, m_token, options.requestTimeoutMs))
{
}

JournalingRegistryClient::~JournalingRegistryClient()
{
    finish(0);
}

bool JournalingRegistryClient::start(QString* error)
{
    if (!m_journal.open(error))
        return false;
    m_sender.reset(QThread::create([this] { sendLoop(); }));
    m_sender->start();
    return true;
}

qint64 JournalingRegistryClient::finish(int timeoutMs)
{
    if (!m_sender)
        return m_journal.pendingBytes();
    QElapsedTimer timer;
    timer.start();
    while (m_journal.pendingBytes() > 0 && timer.elapsed() < timeoutMs)
        QThread::msleep(20);
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_sender->wait();
    m_sender.reset();
    return m_journal.pendingBytes();
}

QString JournalingRegistryClient::lastProblem() const
{
    std::lock_guard lock(m_mutex);
    return m_problem;
}

void JournalingRegistryClient::setProblem(const QString& problem)
{
    std::lock_guard lock(m_mutex);
    m_problem = problem;
}

bool JournalingRegistryClient::record(const QJsonObject& report, QString* error)
{
    QString journalError;
    if (!m_journal.append(report, &journalError)) {
        // The journal's disk is full or gone: this report (often the one saying why the run failed) goes
        // straight to the service rather than nowhere.
        QString sendError;
        if (deliver(*m_direct, report, &sendError))
            return true;
        if (error)
            *error = journalError + QStringLiteral("; sending it directly failed too: ") + sendError;
        return false;
    }
    {
        std::lock_guard lock(m_mutex);
        m_newReports = true;
    }
    m_wake.notify_all();
    return true;
}

bool JournalingRegistryClient::deliver(HttpRegistryClient& client, const QJsonObject& r, QString* error)
{
    const QString kind = op(r);
    const QString id = r.value(QStringLiteral("id")).toString();
    if (kind == QLatin1String("describe")) {
        const auto description =
            RegistryWire::descriptionFromJson(r.value(QStringLiteral("description")).toObject(), error);
        return description && client.describe(id, *description, error);
    }
    if (kind == QLatin1String("status")) {
        const auto status = runStatusFromString(r.value(QStringLiteral("status")).toString());
        return status && client.setStatus(id, *status, r.value(QStringLiteral("reason")).toString(), error);
    }
    if (kind == QLatin1String("progress")) {
        const QJsonValue testError = r.value(QStringLiteral("test_error"));
        return client.reportProgress(id, r.value(QStringLiteral("epoch")).toInt(),
                                     static_cast<qint64>(r.value(QStringLiteral("step")).toDouble()),
                                     testError.isDouble() ? std::optional<double>(testError.toDouble()) : std::nullopt,
                                     error);
    }
    if (kind == QLatin1String("scalars")) {
        const auto points = RegistryWire::scalarsFromJson(r.value(QStringLiteral("points")), error);
        return points && client.addScalars(id, *points, error);
    }
    if (kind == QLatin1String("device"))
        return client.setDevice(id, r.value(QStringLiteral("device")).toString(), error);
    if (kind == QLatin1String("memo"))
        return client.setMemo(id, r.value(QStringLiteral("memo")).toString(), error);
    if (kind == QLatin1String("labels")) {
        QStringList labels;
        for (const QJsonValue& label : r.value(QStringLiteral("labels")).toArray())
            labels << label.toString();
        return client.setLabels(id, labels, error);
    }
    if (kind == QLatin1String("final_metrics"))
        return client.setFinalMetrics(id, r.value(QStringLiteral("metrics")).toObject(), error);
    if (kind == QLatin1String("checkpoints")) {
        const auto checkpoints = Checkpoints::fromJson(r.value(QStringLiteral("checkpoints")), error);
        return checkpoints && client.setCheckpoints(id, *checkpoints, error);
    }
    if (error)
        *error = QStringLiteral("unknown journal report \"%1\"").arg(kind);
    return false;
}

bool JournalingRegistryClient::sendAt(HttpRegistryClient& client, const QVector<RegistryJournal::Entry>& entries,
                                      qsizetype i, qsizetype* next, QString* error)
{
    *next = i + 1;
    client.forgetFailure();
    if (entries[i].report.isEmpty())
        return true; // a damaged line, already reported
    if (op(entries[i].report) != QLatin1String("scalars")) {
        client.setJournalSequence(entries[i].sequence > 0 ? std::optional(entries[i].sequence) : std::nullopt);
        return deliver(client, entries[i].report, error);
    }
    // Consecutive scalar reports go as one request. Points are stored by (tag, step), so a batch sent twice
    // stores nothing twice: no sequence number needed.
    QVector<ScalarPoint> points;
    const QString id = entries[i].report.value(QStringLiteral("id")).toString();
    for (*next = i;
         *next < entries.size() && op(entries[*next].report) == QLatin1String("scalars") &&
         entries[*next].report.value(QStringLiteral("id")).toString() == id && points.size() < kPointsPerRequest;
         ++*next) {
        const auto more = RegistryWire::scalarsFromJson(entries[*next].report.value(QStringLiteral("points")), error);
        if (more)
            points += *more;
    }
    client.setJournalSequence(std::nullopt);
    return client.addScalars(id, points, error);
}

bool JournalingRegistryClient::sendRound(HttpRegistryClient& client, const QVector<RegistryJournal::Entry>& entries,
                                         bool* warnedOfToken)
{
    for (qsizetype i = 0; i < entries.size();) {
        qsizetype next = i + 1;
        QString error;
        if (!sendAt(client, entries, i, &next, &error)) {
            setProblem(error);
            const auto failure = client.lastFailure();
            if (failure == RegistryFailure::Unauthorized && !*warnedOfToken && m_options.warn) {
                *warnedOfToken = true;
                m_options.warn(QStringLiteral("warning: %1; the run's reports wait in %2: fix the token "
                                              "(JIKKEN_TOKEN or client.json), then send them with jikken sync")
                                   .arg(error, m_journal.path()));
            }
            // Only the service's "stored" takes a report out of the journal: while it is away, failing, or
            // refusing the token, the report waits and is sent again.
            if (failure == RegistryFailure::Unreachable || failure == RegistryFailure::ServiceError ||
                failure == RegistryFailure::Unauthorized)
                return false;
            // Refused for good (the request itself is wrong): kept aside with the reason, not lost.
            bool keptAside = true;
            for (qsizetype k = i; k < next; ++k) {
                QString rejectError;
                if (!m_journal.reject(entries[k].report, error, &rejectError)) {
                    setProblem(rejectError);
                    keptAside = false;
                }
            }
            if (!keptAside)
                return false;
            m_rejected.fetch_add(static_cast<int>(next - i));
        }
        QString ackError;
        if (!m_journal.acknowledge(entries[next - 1].end, &ackError))
            setProblem(ackError);
        i = next;
    }
    return true;
}

void JournalingRegistryClient::sendLoop()
{
    // The sender's own connection: a QNetworkAccessManager belongs to the thread that made it.
    HttpRegistryClient client(m_url, m_token, m_options.requestTimeoutMs);
    QElapsedTimer sinceHeartbeat;
    sinceHeartbeat.start();
    int retryDelayMs = 100;
    bool warnedOfToken = false;
    for (;;) {
        QStringList problems;
        const QVector<RegistryJournal::Entry> entries = m_journal.pending(kEntriesPerRound, &problems);
        if (!problems.isEmpty())
            setProblem(problems.last());
        const bool retryLater = !sendRound(client, entries, &warnedOfToken);
        if (!retryLater && !entries.isEmpty()) {
            retryDelayMs = 100;
            sinceHeartbeat.restart();
            continue; // more may be waiting
        }
        std::unique_lock lock(m_mutex);
        if (m_stopping)
            return;
        if (retryLater) {
            m_wake.wait_for(lock, std::chrono::milliseconds(retryDelayMs), [this] { return m_stopping; });
            retryDelayMs = std::min(retryDelayMs * 2, m_options.maxRetryDelayMs);
            continue;
        }
        // Nothing to send: sleep until a report comes, or the next heartbeat is due (none when heartbeatMs is 0).
        const bool beats = m_options.heartbeatMs > 0;
        const auto untilHeartbeat = std::chrono::milliseconds(
            beats ? std::max<qint64>(0, m_options.heartbeatMs - sinceHeartbeat.elapsed()) : 1000);
        m_wake.wait_for(lock, untilHeartbeat, [this] { return m_stopping || m_newReports; });
        m_newReports = false;
        if (m_stopping)
            return;
        if (beats && sinceHeartbeat.elapsed() >= m_options.heartbeatMs) {
            lock.unlock();
            QString error;
            client.setJournalSequence(std::nullopt);
            if (!client.heartbeat(m_runId, &error))
                setProblem(error);
            sinceHeartbeat.restart();
        }
    }
}

QString JournalingRegistryClient::location() const
{
    return m_url.toString();
}

RegistryFailure JournalingRegistryClient::lastFailure() const
{
    return m_direct->lastFailure(); // the journaled writes do not fail on the network
}

std::optional<QDate> JournalingRegistryClient::today(QString* error)
{
    return m_direct->today(error);
}

std::optional<ScalarSeries> JournalingRegistryClient::seriesAfter(const QString& id, const QString& tag, qint64 step,
                                                                  int* total, QString* error)
{
    return m_direct->seriesAfter(id, tag, step, total, error);
}

std::optional<RunChanges> JournalingRegistryClient::changes(const QString& feed, std::optional<qint64> since,
                                                            int waitMs, QString* error)
{
    return m_direct->changes(feed, since, waitMs, error);
}

std::optional<ModelId> JournalingRegistryClient::reserve(const QString& method, QString* error)
{
    return m_direct->reserve(method, error);
}

bool JournalingRegistryClient::describe(const QString& id, const RunDescription& description, QString* error)
{
    return record({{QStringLiteral("op"), QStringLiteral("describe")},
                   {QStringLiteral("id"), id},
                   {QStringLiteral("description"), RegistryWire::toJson(description)}},
                  error);
}

bool JournalingRegistryClient::setStatus(const QString& id, RunStatus status, const QString& reason, QString* error)
{
    return record({{QStringLiteral("op"), QStringLiteral("status")},
                   {QStringLiteral("id"), id},
                   {QStringLiteral("status"), toString(status)},
                   {QStringLiteral("reason"), reason}},
                  error);
}

bool JournalingRegistryClient::reportProgress(const QString& id, int epoch, qint64 step,
                                              std::optional<double> testError, QString* error)
{
    QJsonObject report{{QStringLiteral("op"), QStringLiteral("progress")},
                       {QStringLiteral("id"), id},
                       {QStringLiteral("epoch"), epoch},
                       {QStringLiteral("step"), step}};
    if (testError)
        report.insert(QStringLiteral("test_error"), *testError);
    return record(report, error);
}

bool JournalingRegistryClient::heartbeat(const QString&, QString*)
{
    return true; // the sender beats on its own while the run lives
}

bool JournalingRegistryClient::setDevice(const QString& id, const QString& device, QString* error)
{
    return record({{QStringLiteral("op"), QStringLiteral("device")},
                   {QStringLiteral("id"), id},
                   {QStringLiteral("device"), device}},
                  error);
}

bool JournalingRegistryClient::setMemo(const QString& id, const QString& memo, QString* error)
{
    return record(
        {{QStringLiteral("op"), QStringLiteral("memo")}, {QStringLiteral("id"), id}, {QStringLiteral("memo"), memo}},
        error);
}

bool JournalingRegistryClient::setLabels(const QString& id, const QStringList& labels, QString* error)
{
    return record({{QStringLiteral("op"), QStringLiteral("labels")},
                   {QStringLiteral("id"), id},
                   {QStringLiteral("labels"), QJsonArray::fromStringList(labels)}},
                  error);
}

bool JournalingRegistryClient::setColour(const QString& id, const QString& colour, QString* error)
{
    return m_direct->setColour(id, colour, error); // made by hand, as labels are edited: sent at once
}

std::optional<QStringList> JournalingRegistryClient::editLabels(const QString& id, const QStringList& add,
                                                                const QStringList& remove, QString* error)
{
    // An edit made by hand wants its answer (the labels as they now stand): sent at once, as reads are.
    return m_direct->editLabels(id, add, remove, error);
}

bool JournalingRegistryClient::setCheckpoints(const QString& id, const QVector<CheckpointRecord>& checkpoints,
                                              QString* error)
{
    return record({{QStringLiteral("op"), QStringLiteral("checkpoints")},
                   {QStringLiteral("id"), id},
                   {QStringLiteral("checkpoints"), Checkpoints::toJson(checkpoints)}},
                  error);
}

bool JournalingRegistryClient::setFinalMetrics(const QString& id, const QJsonObject& metrics, QString* error)
{
    return record({{QStringLiteral("op"), QStringLiteral("final_metrics")},
                   {QStringLiteral("id"), id},
                   {QStringLiteral("metrics"), metrics}},
                  error);
}

bool JournalingRegistryClient::addScalars(const QString& id, const QVector<ScalarPoint>& points, QString* error)
{
    // A point no registry can store (a NUL in its tag, a negative step) is refused here, once: in the
    // journal it would hold up the points sent with it.
    if (const QString problem = StoredText::pointsError(points); !problem.isEmpty()) {
        if (error)
            *error = problem;
        return false;
    }
    return points.isEmpty() || record({{QStringLiteral("op"), QStringLiteral("scalars")},
                                       {QStringLiteral("id"), id},
                                       {QStringLiteral("points"), RegistryWire::scalarsToJson(points)}},
                                      error);
}

bool JournalingRegistryClient::importRuns(const QVector<RunRecord>& runs, QString* error)
{
    return m_direct->importRuns(runs, error);
}

std::optional<RunRecord> JournalingRegistryClient::run(const QString& id, QString* error)
{
    return m_direct->run(id, error);
}

std::optional<QVector<RunRecord>> JournalingRegistryClient::runs(const RunFilter& filter, QString* error)
{
    return m_direct->runs(filter, error);
}

std::optional<QVector<ScalarPoint>> JournalingRegistryClient::scalars(const QString& id, const QString& tag,
                                                                      QString* error)
{
    return m_direct->scalars(id, tag, error);
}

std::optional<QStringList> JournalingRegistryClient::tags(const QString& id, QString* error)
{
    return m_direct->tags(id, error);
}

std::optional<ScalarSeries> JournalingRegistryClient::series(const QString& id, const QString& tag, QString* error)
{
    return m_direct->series(id, tag, error);
}

std::optional<ScalarSeries> JournalingRegistryClient::seriesPreview(const QString& id, const QString& tag, int points,
                                                                    QString* error)
{
    return m_direct->seriesPreview(id, tag, points, error);
}

} // namespace jikken
