#pragma once

#include "EventLogReader.h"
#include "registry/RunRecord.h"

#include <QHash>
#include <QJsonObject>
#include <QVector>

namespace jikken {

/// Follows a TensorBoard logdir that a training script is writing (its own SummaryWriter, any language):
/// each `poll()` reads what the event files gained and hands back the points that are new, named as
/// the registry keeps them — the tag, under the sub-run's folder when the logdir has several
/// (`train/loss` in `logs/x/eval` becomes `eval/train/loss`). A restart that drops points is followed
/// by the points that replace them (the registry keeps one point per step).
class ScalarFollower
{
public:
    explicit ScalarFollower(QString logDir);

    /// New points since the last poll; none while the logdir does not exist yet.
    QVector<ScalarPoint> poll(QStringList* warnings);
    /// The HParams plugin's hyperparameters the logdir's event files hold so far (`add_hparams`, `hp.hparams`),
    /// from all its sub-runs; a later sub-run's value wins.
    QJsonObject hyperparameters() const;

private:
    EventLogReader m_reader;
    QString m_logDir;
    QHash<QString, int> m_sent; ///< registry tag -> points of it already handed out
};

} // namespace jikken
