#pragma once

#include "registry/QueueClient.h"
#include "registry/RegistryClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QSslConfiguration>
#include <QUrl>

#include <memory>

class QNetworkReply;

namespace jikken {

/// The registry through a `jikken serve` service (API v1), one blocking request at a time. Use it from the
/// thread that made it. `lastFailure()` tells what kind of failure the last request met: the service out of
/// reach or failing (worth retrying later), the token refused, or the request refused. The run queue's
/// calls are in HttpRegistryQueue.cpp.
class HttpRegistryClient : public RegistryClient, public QueueClient
{
public:
    HttpRegistryClient(QUrl baseUrl, QString token, int timeoutMs = 15000);
    ~HttpRegistryClient() override;

    QString location() const override { return m_baseUrl.toString(); }

    RegistryFailure lastFailure() const override { return m_failure; }
    std::optional<QDate> today(QString* error) override;
    /// For a caller that may fail before sending anything (a report it cannot decode): None again.
    void forgetFailure() { m_failure = RegistryFailure::None; }
    /// Numbers the writes that follow as one journal report (the Jikken-Journal-Sequence header), so the
    /// service applies it at most once; std::nullopt for writes that are not from a journal.
    void setJournalSequence(std::optional<qint64> sequence) { m_journalSequence = sequence; }

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
    std::optional<QHash<QString, ScalarSeries>> seriesOfTags(const QString& id, const QStringList& tags,
                                                             QString* error) override;
    std::optional<ScalarSeries> seriesAfter(const QString& id, const QString& tag, qint64 step, int* total,
                                            QString* error) override;
    std::optional<RunHistory> history(const QString& id, QString* error) override;
    std::optional<QVector<RunHistory>> histories(const HistoriesQuery& query, QString* error) override;
    std::optional<RunChanges> changes(const QString& feed, std::optional<qint64> since, int waitMs,
                                      QString* error) override;
    std::optional<ScalarSeries> seriesPreview(const QString& id, const QString& tag, int points,
                                              QString* error) override;

    std::optional<QStringList> enqueue(const QVector<RunToQueue>& runs, const QueueRequest& request,
                                       QString* error) override;
    std::optional<std::optional<QueuedRun>> claim(const QString& agent, const QString& host, int freeGpus,
                                                  const QStringList& holding, QString* error) override;
    std::optional<QStringList> releaseRunsOf(const QString& agent, const QStringList& alive, QString* error) override;
    std::optional<QVector<QueuedRun>> list(QString* error) override;
    bool cancel(const ModelId& id, QString* error) override;
    bool retry(const ModelId& id, QString* error) override;
    std::optional<QStringList> retrySweep(const QString& sweep, bool failedOnly, QString* error) override;
    std::optional<QVector<SweepSummary>> sweeps(QString* error) override;
    bool setPriority(const ModelId& id, int priority, QString* error) override;

    /// The service's description of itself (version, time zone, today).
    std::optional<QJsonObject> info(QString* error);

private:
    struct Reply
    {
        int status = 0;
        QByteArray body;
    };
    std::optional<Reply> send(const QByteArray& verb, const QString& path, const QByteArray& body,
                              const QByteArray& contentType, QString* error);
    std::optional<QJsonObject> sendJson(const QByteArray& verb, const QString& path, const QJsonObject& body,
                                        QString* error);
    bool post(const QString& path, const QJsonObject& body, QString* error);
    bool put(const QString& path, const QJsonObject& body, QString* error);
    std::optional<QJsonObject> get(const QString& path, QString* error);
    QString runPath(const QString& id, const char* leaf = nullptr) const;
    /// One tag's points as `options` (`points=…&method=…`, `after=…`) ask; `total`, where given, the count of all.
    std::optional<ScalarSeries> readSeries(const QString& id, const QString& tag, const QString& options, int* total,
                                           QString* error);
    /// The `series` of a reply, by tag.
    std::optional<QHash<QString, ScalarSeries>> seriesByTag(const QJsonObject& reply, QString* error);
    /// One run of a histories reply: its record, tags and series (an empty one for each asked-for tag it lacks).
    std::optional<RunHistory> historyFromJson(const QJsonObject& json, const HistoriesQuery& query, QString* error);
    /// The objects of the array `key` of what a GET of `path` answers, each read by `decode`.
    template <typename T>
    std::optional<QVector<T>> listOf(const QString& path, const char* key,
                                     std::optional<T> (*decode)(const QJsonObject&, QString*), QString* error)
    {
        const auto reply = get(path, error);
        if (!reply)
            return std::nullopt;
        QVector<T> items;
        for (const QJsonValue& value : reply->value(QLatin1String(key)).toArray()) {
            QString why;
            auto item = decode(value.toObject(), &why);
            if (!item) {
                malformed(error, QStringLiteral("registry %1 answered %2 this client cannot read: %3")
                                     .arg(location(), QLatin1String(key), why));
                return std::nullopt;
            }
            items.append(std::move(*item));
        }
        return items;
    }
    /// The `ids` of a queue reply.
    std::optional<QStringList> idsOf(const std::optional<QJsonObject>& reply, QString* error);
    /// A reply this client cannot read is the service's failure (`ServiceError`), not the request's.
    void malformed(QString* error, const QString& message);
    template <typename T> std::optional<T> understood(std::optional<T> decoded)
    {
        if (!decoded)
            m_failure = RegistryFailure::ServiceError;
        return decoded;
    }

    QUrl m_baseUrl;
    QByteArray m_authorization;
    int m_timeoutMs;
    std::unique_ptr<QNetworkAccessManager> m_network;
    RegistryFailure m_failure = RegistryFailure::None;
    std::optional<qint64> m_journalSequence;
    QByteArray m_idempotencyKey; ///< sent with a reservation (and its retries)
    QSslConfiguration m_ssl;
};

} // namespace jikken
