#pragma once

#include "registry/RegistryClient.h"
#include "registry/RegistryJournal.h"

#include <QUrl>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

class QThread;

namespace jikken {

class HttpRegistryClient;

/// A training run's registry client for a remote service: training never waits on the network. Every
/// report about the run is appended to its journal (`RegistryJournal`, in the run's log directory) and
/// returns at once; a sending thread delivers the journal in order, retries while the service is away,
/// and sends heartbeats while there is nothing else to say. Reads and `reserve` go straight to the service.
class JournalingRegistryClient : public RegistryClient
{
public:
    struct Options
    {
        int heartbeatMs = 15000;
        int requestTimeoutMs = 5000;
        int maxRetryDelayMs = 5000;
        /// Told once, from the sending thread, when the service refuses the token: reports then wait.
        std::function<void(const QString&)> warn;
    };

    JournalingRegistryClient(QUrl url, QString token, QString runId, const QString& runDirectory, Options options);
    ~JournalingRegistryClient() override;

    /// Opens the journal and starts sending (what an earlier process left in it goes first).
    bool start(QString* error);
    /// Gives the sender up to `timeoutMs` to deliver everything; returns the bytes still undelivered.
    qint64 finish(int timeoutMs);
    /// The last problem the sender met (the service unreachable, a report refused), for one warning.
    QString lastProblem() const;
    /// Reports the service refused for good, kept in the journal's rejected file.
    int rejectedReports() const { return m_rejected.load(); }
    QString journalPath() const { return m_journal.path(); }
    QString rejectedPath() const { return m_journal.rejectedPath(); }

    QString location() const override;
    RegistryFailure lastFailure() const override;
    std::optional<QDate> today(QString* error) override;
    std::optional<ScalarSeries> seriesAfter(const QString& id, const QString& tag, qint64 step, int* total,
                                            QString* error) override;
    std::optional<RunChanges> changes(const QString& feed, std::optional<qint64> since, int waitMs,
                                      QString* error) override;
    std::optional<ModelId> reserve(const QString& method, QString* error) override;
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
    std::optional<RunRecord> run(const QString& id, QString* error) override;
    std::optional<QVector<RunRecord>> runs(const RunFilter& filter, QString* error) override;
    std::optional<QVector<ScalarPoint>> scalars(const QString& id, const QString& tag, QString* error) override;
    std::optional<QStringList> tags(const QString& id, QString* error) override;
    std::optional<ScalarSeries> series(const QString& id, const QString& tag, QString* error) override;
    std::optional<ScalarSeries> seriesPreview(const QString& id, const QString& tag, int points,
                                              QString* error) override;

private:
    /// Sends one journal report with `client` (`sendLoop` merges consecutive scalar reports into batches).
    static bool deliver(HttpRegistryClient& client, const QJsonObject& report, QString* error);
    bool record(const QJsonObject& report, QString* error);
    void sendLoop();
    /// Sends `entries` in order, each taken out of the journal once stored (or set aside, refused for
    /// good); false when the rest must wait: the service is away, failing or refusing the token.
    bool sendRound(HttpRegistryClient& client, const QVector<RegistryJournal::Entry>& entries, bool* warnedOfToken);
    /// Sends the report at `i`, and the scalar reports of the same run right after it as one request;
    /// `next` is set past what was sent.
    static bool sendAt(HttpRegistryClient& client, const QVector<RegistryJournal::Entry>& entries, qsizetype i,
                       qsizetype* next, QString* error);
    void setProblem(const QString& problem);

    QUrl m_url;
    QString m_token;
    QString m_runId;
    Options m_options;
    RegistryJournal m_journal;
    std::unique_ptr<HttpRegistryClient> m_direct;
    std::unique_ptr<QThread> m_sender;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    bool m_newReports = false;
    QString m_problem;
    std::atomic<int> m_rejected = 0;
};

} // namespace jikken
