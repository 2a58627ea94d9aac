// RegistryStore: what is said of a run after its reservation (its description, status, progress, memo,
// labels, colour, checkpoints and final metrics), each one UPDATE of its row.
#include "RegistryStore.h"

#include "Divergence.h"
#include "RunColour.h"
#include "RegistryStoreRows.h"
#include "SqlTransaction.h"
#include "StoredText.h"

#include <QSqlError>
#include <QSqlQuery>

namespace jikken {

using namespace storeRows;

bool RegistryStore::execUpdate(const QString& id, const QString& sql, const QVariantList& values, QString* error)
{
    QSqlQuery query(database());
    query.prepare(QStringLiteral("UPDATE runs SET ") + sql + QStringLiteral(" WHERE id = ?"));
    for (const QVariant& value : values)
        query.addBindValue(sqlValue(value));
    query.addBindValue(id);
    if (!query.exec())
        return failQuery(error, query);
    return query.numRowsAffected() == 1 || fail(error, RegistryFailure::UnknownRun, unknownRun(id));
}

bool RegistryStore::describe(const QString& id, const RunDescription& d, QString* error)
{
    return execUpdate(
        id,
        QStringLiteral("model = ?, dataset = ?, hparams = ?, host = ?, device = ?, command = ?, spec = ?, "
                       "git_commit = ?, git_dirty = ?, versions = ?, log_dir = ?, total_epochs = ?"),
        {d.model, d.dataset, toJson(d.hparams), d.host, d.device, d.command, toJson(d.spec), d.gitCommit,
         d.gitDirty ? 1 : 0, toJson(d.versions), d.logDir, d.totalEpochs},
        error);
}

bool RegistryStore::setStatus(const QString& id, RunStatus status, const QString& reason, QString* error)
{
    const qint64 now = nowMs();
    // A diverged run that the trainer then says finished stays diverged, its reason kept (SET's
    // expressions read the row as it was).
    QString sql = status == RunStatus::Finished
                      ? QStringLiteral("status = CASE WHEN status = 'diverged' THEN status ELSE ? END, "
                                       "status_reason = CASE WHEN status = 'diverged' THEN status_reason ELSE ? END, "
                                       "heartbeat_at = ?")
                      : QStringLiteral("status = ?, status_reason = ?, heartbeat_at = ?");
    QVariantList values{toString(status), StoredText::clippedReason(reason), now};
    if (status == RunStatus::Running) {
        sql += QStringLiteral(", started_at = COALESCE(started_at, ?), finished_at = NULL");
        values << now;
    } else if (isTerminal(status)) {
        sql += QStringLiteral(", finished_at = ?");
        values << now;
    }
    return execUpdate(id, sql, values, error);
}

bool RegistryStore::reportProgress(const QString& id, int epoch, qint64 step, std::optional<double> testError,
                                   QString* error)
{
    if (const QString problem = StoredText::stepError(step, QStringLiteral("progress: step")); !problem.isEmpty())
        return fail(error, RegistryFailure::Refused, problem);
    if (!testError)
        return execUpdate(id, QStringLiteral("epoch = ?, step = ?, ") + kAlive, {epoch, step, nowMs()}, error);
    return execUpdate(id,
                      QStringLiteral("epoch = ?, step = ?, latest_test_error = ?, "
                                     "best_test_error = CASE WHEN best_test_error IS NULL OR ? < best_test_error "
                                     "THEN ? ELSE best_test_error END, ") +
                          kAlive,
                      {epoch, step, *testError, *testError, *testError, nowMs()}, error) &&
           markDiverged(id, Divergence::inTestError(testError), error);
}

bool RegistryStore::markDiverged(const QString& id, const QString& why, QString* error)
{
    if (why.isEmpty())
        return true;
    // Failed and stopped runs keep their own reason; a resumed run (running again) can diverge anew.
    QSqlQuery query(database());
    query.prepare(QStringLiteral("UPDATE runs SET status = 'diverged', status_reason = ?, finished_at = ? "
                                 "WHERE id = ? AND status IN ('reserved', 'running', 'lost', 'finished')"));
    query.addBindValue(StoredText::clippedReason(why));
    query.addBindValue(nowMs());
    query.addBindValue(id);
    return query.exec() || failQuery(error, query);
}

bool RegistryStore::heartbeat(const QString& id, QString* error)
{
    return execUpdate(id, kAlive, {nowMs()}, error);
}

bool RegistryStore::setDevice(const QString& id, const QString& device, QString* error)
{
    return execUpdate(id, QStringLiteral("device = ?"), {device}, error);
}

bool RegistryStore::setMemo(const QString& id, const QString& memo, QString* error)
{
    if (const QString problem = RunRecord::memoError(memo); !problem.isEmpty())
        return fail(error, RegistryFailure::Refused, problem);
    return execUpdate(id, QStringLiteral("memo = ?"), {memo}, error);
}

bool RegistryStore::setColour(const QString& id, const QString& colour, QString* error)
{
    if (const QString problem = RunColour::error(colour); !problem.isEmpty())
        return fail(error, RegistryFailure::Refused, problem);
    return execUpdate(id, QStringLiteral("colour = ?"), {RunColour::normalized(colour)}, error);
}

bool RegistryStore::setLabels(const QString& id, const QStringList& labels, QString* error)
{
    const QStringList normal = RunRecord::normalizedLabels(labels);
    if (const QString problem = RunRecord::labelsError(normal); !problem.isEmpty())
        return fail(error, RegistryFailure::Refused, problem);
    return execUpdate(id, QStringLiteral("labels = ?"), {labelsJson(normal)}, error);
}

std::optional<QStringList> RegistryStore::editLabels(const QString& id, const QStringList& add,
                                                     const QStringList& remove, QString* error)
{
    QSqlDatabase db = database();
    SqlTransaction transaction(db);
    if (!transaction.begin(error))
        return std::nullopt;
    // Read and written under the run's row lock (PostgreSQL) or the write lock (SQLite): edits compose.
    QSqlQuery query(db);
    query.prepare(QStringLiteral("SELECT labels FROM runs WHERE id = ?") +
                  (isPostgresql() ? QStringLiteral(" FOR UPDATE") : QString()));
    query.addBindValue(id);
    if (!stepToRun(query, id, error))
        return std::nullopt;
    QStringList current;
    for (const QJsonValue& label : QJsonDocument::fromJson(query.value(0).toString().toUtf8()).array())
        current << label.toString();
    query.finish();
    const QStringList labels = RunRecord::editedLabels(current, add, remove);
    if (const QString problem = RunRecord::labelsError(labels); !problem.isEmpty()) {
        fail(error, RegistryFailure::Refused, problem);
        return std::nullopt;
    }
    if (labels != current && !execUpdate(id, QStringLiteral("labels = ?"), {labelsJson(labels)}, error))
        return std::nullopt;
    if (!transaction.commit(error))
        return std::nullopt;
    return labels;
}

bool RegistryStore::setCheckpoints(const QString& id, const QVector<CheckpointRecord>& checkpoints, QString* error)
{
    return execUpdate(
        id, QStringLiteral("checkpoints = ?"),
        {QString::fromUtf8(QJsonDocument(Checkpoints::toJson(checkpoints)).toJson(QJsonDocument::Compact))}, error);
}

bool RegistryStore::setFinalMetrics(const QString& id, const QJsonObject& metrics, QString* error)
{
    return execUpdate(id, QStringLiteral("final_metrics = ?"), {toJson(metrics)}, error);
}

} // namespace jikken
