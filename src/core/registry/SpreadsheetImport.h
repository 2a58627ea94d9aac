#pragma once

#include "registry/RunRecord.h"

#include <QByteArray>
#include <QHash>
#include <QStringList>
#include <QVector>

namespace jikken {

/// Reads a registry kept in a spreadsheet and exported as CSV (RFC 4180: quoted fields, doubled quotes,
/// line breaks inside quotes, an optional UTF-8 BOM; UTF-8 or Excel's Shift_JIS). A pure function: no
/// registry is touched.
///
/// Columns are matched by name, in English or Japanese, ignoring case, width, spaces and '_': the ID
/// (`model_id`, `id`, モデルID), method (手法), model (モデル), dataset (データセット), status (状態), memo
/// (メモ, 備考), server/host (サーバ), test error (テストエラー) and best test error (ベストエラー) — 0.27, 27%
/// and 27 all mean 0.27 — epochs (エポック), hyperparameters (lr, 学習率, batch_size, optimizer, momentum,
/// weight_decay, seed, …). A sheet whose ID column has another name is read by the column that holds model
/// IDs. `map` (header name -> field: id, method, model, dataset, status, memo, host, test_error,
/// best_test_error, epochs, date, hparam, field, ignore; or a hyperparameter: one of `jikken train`'s, lr,
/// batch_size, …, or any as hparams.NAME, so 学習率=lr files the sheet's column where new runs keep theirs)
/// overrides the names. Any other column is kept in the run's `fields`. A row without a status is finished
/// when it has a result, else `unknown`. A row whose ID is malformed or repeated is rejected whole and reported.
namespace SpreadsheetImport {

struct Result
{
    QVector<RunRecord> runs;
    QStringList rejected; ///< "row 10: …", one per row left out
    QStringList warnings; ///< rows taken with a remark (a percentage read as a fraction, …)
    QString error;        ///< why the whole file was refused (no row read), or empty
};

Result fromCsv(const QByteArray& csv, const QHash<QString, QString>& map = {});
/// The text of a CSV file: UTF-8 (a BOM is dropped later), else Shift_JIS with a warning.
QString decode(const QByteArray& csv, QStringList* warnings);
/// The rows of a CSV file, fields unquoted; `error` on an unterminated quote.
QVector<QStringList> parseCsv(const QByteArray& csv, QString* error, QStringList* warnings = nullptr);

} // namespace SpreadsheetImport

} // namespace jikken
