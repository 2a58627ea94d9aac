#pragma once

#include "ids/ModelId.h"
#include "registry/RunRecord.h"
#include "series/ScalarSeries.h"

#include <QDate>
#include <QHash>
#include <QString>
#include <QVector>

#include <optional>

namespace jikken {

/// Which runs `RegistryClient::runs` returns; empty fields match everything.
struct RunFilter
{
    QDate day;
    QString method;
    std::optional<RunStatus> status;
    /// The filter box's query language (`RunQuery`: `model:resnet18 lr<0.05`), run where the registry is; a
    /// query that cannot be read is refused (`RegistryFailure::Refused`) with the reason.
    QString query{};
    bool newestFirst = false; ///< ID order, newest first instead of oldest first
    int limit = 0;            ///< at most this many (0: all)
    int offset = 0;           ///< skip this many first
};

/// What kind of failure a registry call met, for callers that act on it (a status code, a retry, working
/// offline): never decided from the message's words.
enum class RegistryFailure {
    None,
    Unreachable,  ///< no answer, a timeout, a proxy's 502/503/504, the database away: try again later
    ServiceError, ///< the registry failed (its database, its disk)
    Unauthorized, ///< the token is unknown, revoked or read-only
    Refused,      ///< the request is wrong (a bad method, memo, label …): sending it again cannot help
    UnknownRun,   ///< no run has that ID
    Conflict,     ///< the registry holds what refuses this: every ID of the day handed out, an ID taken
};

/// Which runs changed after a revision of a registry's change feed.
struct RunChanges
{
    QString feed;        ///< the service process that counts the revisions: another's mean nothing
    qint64 revision = 0; ///< where the feed is now: ask for the changes since this next time
    bool reset = false;  ///< more changed than the feed remembers (or it restarted): read everything again
    QStringList runs;    ///< the runs that changed, each once
};

/// A run and every point it holds: what a reader opening the run needs.
struct RunHistory
{
    RunRecord record;
    QHash<QString, ScalarSeries> scalars; ///< every tag's points (or those asked for), by tag
    QStringList tags;                     ///< every tag the run has, sorted (`scalars` may hold fewer)
};

/// What `RegistryClient::histories` reads of several runs at once.
struct HistoriesQuery
{
    QStringList ids;
    /// The tags whose points are read (a run without one gets an empty series of it); none at all: every
    /// tag's; an empty list: no points, only the records and their tags.
    std::optional<QStringList> tags;
    int points = 0; ///< 0: every point; else about this many a series, by min/max buckets (a preview)
};

/// The model registry as its users see it, wherever it lives: the embedded SQLite store (`RegistryStore`)
/// or a `jikken serve` service (`HttpRegistryClient`). Both behave the same; a call that fails returns no value (an
/// empty optional, or false) and says why in one line of text for people and as a `RegistryFailure` for code.
class RegistryClient
{
public:
    virtual ~RegistryClient() = default;

    /// Where the registry is, for messages ("registry.sqlite", "http://host:8470").
    virtual QString location() const = 0;
    /// What kind of failure the last call that failed met.
    virtual RegistryFailure lastFailure() const = 0;
    /// The registry's today (the day whose IDs it hands out now), in its own time zone.
    virtual std::optional<QDate> today(QString* error) = 0;

    /// Hands out the next ID of today for `method`: distinct and gap-free across every client, never reused.
    virtual std::optional<ModelId> reserve(const QString& method, QString* error) = 0;
    virtual bool describe(const QString& id, const RunDescription& description, QString* error) = 0;
    /// Moves the run to `status`; running stamps the start time once, the terminal states the end time.
    virtual bool setStatus(const QString& id, RunStatus status, const QString& reason, QString* error) = 0;
    /// Progress of a running model; `testError`, when given, becomes the latest and maybe the best. Like a
    /// heartbeat, it revives a run that was marked lost.
    virtual bool reportProgress(const QString& id, int epoch, qint64 step, std::optional<double> testError,
                                QString* error) = 0;
    virtual bool heartbeat(const QString& id, QString* error) = 0;
    /// The device the run actually trains on ("cpu", "cuda:0"), once the trainer has chosen it.
    virtual bool setDevice(const QString& id, const QString& device, QString* error) = 0;
    virtual bool setMemo(const QString& id, const QString& memo, QString* error) = 0;
    /// Replaces the run's labels (the user's tags) with these.
    virtual bool setLabels(const QString& id, const QStringList& labels, QString* error) = 0;
    /// Takes `remove` off the run's labels and puts `add` on, in one step: edits made at once by several
    /// clients all hold (unlike reading the labels and setting them). The labels as they then stand.
    virtual std::optional<QStringList> editLabels(const QString& id, const QStringList& add, const QStringList& remove,
                                                  QString* error) = 0;
    /// The run's colour in every view, "#rrggbb" (RunColour): the user's choice over the one it was dealt.
    virtual bool setColour(const QString& id, const QString& colour, QString* error) = 0;
    virtual bool setFinalMetrics(const QString& id, const QJsonObject& metrics, QString* error) = 0;
    /// The model files the run's trainer keeps, and those it removed: the whole list, as its one writer has it.
    virtual bool setCheckpoints(const QString& id, const QVector<CheckpointRecord>& checkpoints, QString* error) = 0;
    /// Stores points idempotently by (run, tag, step): a replayed point replaces, never duplicates.
    virtual bool addScalars(const QString& id, const QVector<ScalarPoint>& points, QString* error) = 0;
    /// Brings in runs kept elsewhere (a spreadsheet) under their own IDs; all or nothing. Their numbers are
    /// never handed out again.
    virtual bool importRuns(const QVector<RunRecord>& runs, QString* error) = 0;

    virtual std::optional<RunRecord> run(const QString& id, QString* error) = 0;
    virtual std::optional<QVector<RunRecord>> runs(const RunFilter& filter, QString* error) = 0;
    /// The run's points of `tag` (every tag when empty), by tag then step.
    virtual std::optional<QVector<ScalarPoint>> scalars(const QString& id, const QString& tag, QString* error) = 0;
    /// The run's scalar tags, sorted.
    virtual std::optional<QStringList> tags(const QString& id, QString* error) = 0;
    /// Waits up to `waitMs` for runs to change after revision `since` of `feed` (none: from now on) and
    /// says which did, as soon as one does (a long poll). A registry without a change feed (a PostgreSQL
    /// database, which other processes write behind its back) refuses: its readers look again now and then.
    virtual std::optional<RunChanges> changes(const QString& feed, std::optional<qint64> since, int waitMs,
                                              QString* error) = 0;
    /// One tag's points as columns, by step (empty when the run has no such tag): what charts read.
    virtual std::optional<ScalarSeries> series(const QString& id, const QString& tag, QString* error) = 0;
    /// The points of `tag` at steps after `step`, and in `total` how many the series holds in all: a
    /// growing curve's new points without the old (a service sends only those). A step logged again at or
    /// before `step` is not among them: a reader whose count then disagrees reads the whole series.
    virtual std::optional<ScalarSeries> seriesAfter(const QString& id, const QString& tag, qint64 step, int* total,
                                                    QString* error)
    {
        const auto whole = series(id, tag, error);
        if (!whole)
            return std::nullopt;
        *total = whole->size();
        return whole->after(step);
    }
    /// Every point of each of `tags` (empty for a tag the run does not have), by tag: from a service in one
    /// request rather than one per tag, which over a slow link is what reading a run costs.
    virtual std::optional<QHash<QString, ScalarSeries>> seriesOfTags(const QString& id, const QStringList& tags,
                                                                     QString* error)
    {
        QHash<QString, ScalarSeries> all;
        for (const QString& tag : tags) {
            auto one = series(id, tag, error);
            if (!one)
                return std::nullopt;
            all.insert(tag, std::move(*one));
        }
        return all;
    }
    /// The run's record and every point of every tag: from a service in one request, which over a slow
    /// link is a third of what reading the record, the tags and their points one after another costs.
    virtual std::optional<RunHistory> history(const QString& id, QString* error)
    {
        auto record = run(id, error);
        if (!record)
            return std::nullopt;
        const auto tags = this->tags(id, error);
        if (!tags)
            return std::nullopt;
        auto scalars = seriesOfTags(id, *tags, error);
        if (!scalars)
            return std::nullopt;
        return RunHistory{std::move(*record), std::move(*scalars), *tags};
    }
    /// About `points` of them, quickly, for a first look while `series` reads the rest: a service reduces
    /// with min/max buckets, a local store samples evenly by step.
    virtual std::optional<ScalarSeries> seriesPreview(const QString& id, const QString& tag, int points,
                                                      QString* error) = 0;
    /// Several runs' records, tags and points at once, in the order asked: from a service in one request
    /// (a reader showing a hundred runs over a slow link paid a round trip a run). A run the registry does
    /// not hold (removed since it was listed) is left out, not an error.
    virtual std::optional<QVector<RunHistory>> histories(const HistoriesQuery& query, QString* error)
    {
        QVector<RunHistory> all;
        for (const QString& id : query.ids) {
            auto one = historyOf(id, query, error);
            if (!one && lastFailure() != RegistryFailure::UnknownRun)
                return std::nullopt;
            if (one)
                all.append(std::move(*one));
        }
        return all;
    }

private:
    /// One run of `histories`, read call by call.
    std::optional<RunHistory> historyOf(const QString& id, const HistoriesQuery& query, QString* error)
    {
        auto record = run(id, error);
        if (!record)
            return std::nullopt;
        auto tags = this->tags(id, error);
        if (!tags)
            return std::nullopt;
        RunHistory history{std::move(*record), {}, *tags};
        for (const QString& tag : query.tags.value_or(*tags)) {
            std::optional<ScalarSeries> points = ScalarSeries(); // a tag the run lacks: no points
            if (tags->contains(tag))
                points = query.points > 0 ? seriesPreview(id, tag, query.points, error) : series(id, tag, error);
            if (!points)
                return std::nullopt;
            history.scalars.insert(tag, std::move(*points));
        }
        return history;
    }
};

} // namespace jikken
