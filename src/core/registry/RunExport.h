#pragma once

#include "RunRecord.h"

#include <QJsonObject>
#include <QString>
#include <QVector>

namespace jikken {

/// Registry records as people and spreadsheets read them.
namespace RunExport {

/// The run's facts as (label, value), in the order `describe` prints them; empty ones left out.
QList<QPair<QString, QString>> facts(const RunRecord& run);
/// The packages of a script's interpreter as `pip freeze` names them (`torch==2.5.1`), when the run kept them.
QStringList packagesOf(const RunRecord& run);
/// `text` as one CSV field: quoted (quotes doubled) when it holds a comma, a quote or a line break, and
/// with a leading apostrophe when a spreadsheet would run it as a formula (=, +, -, @ and not a number).
QString csvField(const QString& text);
/// A test error as tables show it (four decimals), or empty when there is none.
QString errorText(const std::optional<double>& error);
/// One row per run; the header is `id,method,model,dataset,status,...` and hyperparameters are one JSON
/// column, so the file opens in any spreadsheet.
QString toCsv(const QVector<RunRecord>& runs);
/// An aligned text table for a terminal.
QString toTable(const QVector<RunRecord>& runs);
/// A readable multi-line description of one run.
QString describe(const RunRecord& run);

} // namespace RunExport

} // namespace jikken
