#pragma once

#include "registry/RunRecord.h"

#include <QByteArray>
#include <QStringList>
#include <QVector>

namespace jikken {

/// Reads a registry kept in a spreadsheet and exported as CSV (RFC 4180: quoted fields, doubled quotes,
/// line breaks inside quotes, an optional UTF-8 BOM; UTF-8 or Excel's Shift_JIS). A pure function: no
/// registry is touched.
///
/// Columns are matched by name, ignoring case, spaces and '_': the ID (`model_id`, `id`), method, model,
/// dataset, status, memo, server/host, test error and best test error (0.27, 27% and 27 all mean 0.27),
/// hyperparameters (lr, batch_size, epochs, optimizer, momentum, weight_decay, seed, …). Any other column is
/// kept in the run's `fields`. A row whose ID is malformed or repeated is rejected whole and reported.
namespace SpreadsheetImport {

struct Result
{
    QVector<RunRecord> runs;
    QStringList rejected; ///< "row 10: …", one per row left out
    QStringList warnings; ///< rows taken with a remark (a percentage read as a fraction, …)
};

Result fromCsv(const QByteArray& csv);
/// The text of a CSV file: UTF-8 (a BOM is dropped later), else Shift_JIS with a warning.
QString decode(const QByteArray& csv, QStringList* warnings);
/// The rows of a CSV file, fields unquoted; `error` on an unterminated quote.
QVector<QStringList> parseCsv(const QByteArray& csv, QString* error, QStringList* warnings = nullptr);

} // namespace SpreadsheetImport

} // namespace jikken
