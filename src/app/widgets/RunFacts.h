#pragma once

#include "registry/RunRecord.h"

#include <QDateTime>
#include <QString>
#include <QVector>

namespace jikken::RunFacts {

/// One line of the details pane: what it is, what it shows (numbers rounded for reading) and the exact
/// value (on hover, and what a copy takes).
struct Fact
{
    QString key;
    QString shown;
    QString exact;
};

/// A titled group of facts: Run, Hyperparameters, Results, Machine, Reproduce, Output.
struct Section
{
    QString title;
    QVector<Fact> facts;
};

/// The run's facts in sections, empty ones left out: times in the local zone to the second, how long it
/// ran (until `now` while it runs), the hyperparameters that applied, every version on a line of its own,
/// and for a failed or diverged run `outputTail` (the last lines of its output) under Output.
QVector<Section> of(const RunRecord& run, const QDateTime& now, const QString& outputTail = {});
/// "45 s", "14 min", "2 h 14 min", "3 d 4 h".
QString duration(qint64 milliseconds);
/// The last `lines` lines of the run's output.log when it failed or diverged and its log folder is on this
/// machine (what Show Output would fetch, without the tmux session it may no longer have); empty otherwise.
QString outputTail(const RunRecord& run, int lines = 6);

} // namespace jikken::RunFacts
