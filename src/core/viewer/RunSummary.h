#pragma once

#include "ViewerRun.h"

#include <QIODevice>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

namespace jikken {

/// The numbers a meeting asks for: each run's final and best value of each tag, and how far its final
/// value is from a baseline run's.
namespace RunSummary {

/// Whether higher is better for a tag, by its name: accuracies, AUC, F1, precision, recall, IoU, mAP
/// and rewards go up; losses, errors and everything else go down.
bool higherIsBetter(const QString& tag);

struct Cell
{
    QString run; ///< key
    QString tag;
    std::optional<double> final; ///< the last finite value
    std::optional<double> best;
    qint64 bestStep = 0;
    std::optional<double> finalVsBaseline; ///< final - the baseline's final
};

/// One cell per run and tag, runs in the order given; `baseline` (a key, may be empty) is compared with.
QVector<Cell> compute(const QVector<const ViewerRun*>& runs, const QStringList& tags, const QString& baseline);

/// The table as Markdown (for a meeting note): a row per run, final / best per tag, Δ to the baseline.
QString toMarkdown(const QVector<const ViewerRun*>& runs, const QStringList& tags, const QString& baseline);

/// Every point of the tags of the runs, `run,method,tag,step,wall_time,value`, for a spreadsheet or a script:
/// as logged (a step logged twice is written twice), values written as `jikken events` writes them.
bool writeCsv(const QVector<const ViewerRun*>& runs, const QStringList& tags, QIODevice& out);

/// A number as tables show it: 4 significant digits.
QString format(double value);
/// Text as one Markdown table cell (its pipes escaped, on one line).
QString markdownCell(const QString& text);

} // namespace RunSummary

} // namespace jikken
