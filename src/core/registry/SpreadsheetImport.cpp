#include "SpreadsheetImport.h"

#include "ids/ModelId.h"
#include "spec/RunSpec.h"

#include <QHash>

#include <QSet>
#include <QStringDecoder>
#include <QTimeZone>
#include <algorithm>
#include <vector>

namespace jikken::SpreadsheetImport {

namespace {

enum class Column {
    Id,
    Method,
    Model,
    Dataset,
    Status,
    Memo,
    Host,
    TestError,
    BestTestError,
    Epochs,
    Date,
    Hparam,
    Field,
    Ignore
};

/// A header or --map name as a key: NFKC (full-width ＩＤ is ID), lower case, no spaces (ideographic ones
/// too), '_' or '-'.
QString normalized(const QString& name)
{
    QString key = name.normalized(QString::NormalizationForm_KC).trimmed().toLower();
    key.remove(u' ');
    key.remove(QChar(0x3000));
    key.remove(u'_');
    key.remove(u'-');
    return key;
}

/// A lookup by normalized spelling: each value with the words that mean it.
template <typename T> QHash<QString, T> bySpelling(const std::vector<std::pair<T, std::vector<const char*>>>& words)
{
    QHash<QString, T> known;
    for (const auto& [value, spellings] : words) {
        for (const char* spelling : spellings)
            known.insert(normalized(QString::fromUtf8(spelling)), value);
    }
    return known;
}

/// Header names, English and Japanese (as researchers in Japan title their sheets), by what they hold.
const QHash<QString, Column>& knownColumns()
{
    static const QHash<QString, Column> kKnown = bySpelling<Column>({
        {Column::Id, {"model_id", "id", "run_id", "モデルID", "モデル番号", "実験ID", "ID番号"}},
        {Column::Method, {"method", "手法", "方法", "メソッド"}},
        {Column::Model, {"model", "arch", "architecture", "network", "モデル", "ネットワーク", "アーキテクチャ"}},
        {Column::Dataset, {"dataset", "data", "データセット", "データ"}},
        {Column::Status, {"status", "state", "ステータス", "状態", "状況"}},
        {Column::Memo, {"memo", "note", "notes", "comment", "remarks", "メモ", "備考", "コメント"}},
        {Column::Host, {"server", "host", "machine", "gpu_server", "サーバ", "サーバー", "ホスト", "マシン"}},
        {Column::TestError,
         {"test error", "test_err", "error", "test error rate", "テストエラー", "テスト誤差", "テストエラー率", "誤差",
          "エラー率", "エラー"}},
        {Column::BestTestError,
         {"best test error", "best error", "best", "min error", "ベストエラー", "ベストテストエラー", "最良エラー",
          "最小エラー", "最良テストエラー", "ベスト"}},
        {Column::Epochs, {"epochs", "epoch", "エポック", "エポック数"}},
    });
    return kKnown;
}

Column columnKind(const QString& name)
{
    static const QSet<QString> kHparams{QStringLiteral("lr"),
                                        QStringLiteral("learningrate"),
                                        QStringLiteral("batchsize"),
                                        QStringLiteral("optimizer"),
                                        QStringLiteral("momentum"),
                                        QStringLiteral("weightdecay"),
                                        QStringLiteral("seed"),
                                        QStringLiteral("scheduler"),
                                        QStringLiteral("loss"),
                                        QStringLiteral("gamma"),
                                        QStringLiteral("alpha"),
                                        QStringLiteral("beta"),
                                        QStringLiteral("dropout"),
                                        QStringLiteral("warmup"),
                                        QStringLiteral("imbalanceratio"),
                                        normalized(QStringLiteral("学習率")),
                                        normalized(QStringLiteral("バッチサイズ")),
                                        normalized(QStringLiteral("最適化")),
                                        normalized(QStringLiteral("シード"))};
    const QString key = normalized(name);
    if (knownColumns().contains(key))
        return knownColumns().value(key);
    return kHparams.contains(key) ? Column::Hparam : Column::Field;
}

/// What a --map FIELD names.
std::optional<Column> mappedKind(const QString& field)
{
    static const QHash<QString, Column> kFields{
        {QStringLiteral("id"), Column::Id},
        {QStringLiteral("method"), Column::Method},
        {QStringLiteral("model"), Column::Model},
        {QStringLiteral("dataset"), Column::Dataset},
        {QStringLiteral("status"), Column::Status},
        {QStringLiteral("memo"), Column::Memo},
        {QStringLiteral("host"), Column::Host},
        {QStringLiteral("testerror"), Column::TestError},
        {QStringLiteral("besttesterror"), Column::BestTestError},
        {QStringLiteral("epochs"), Column::Epochs},
        {QStringLiteral("date"), Column::Date},
        {QStringLiteral("created"), Column::Date},
        {QStringLiteral("hparam"), Column::Hparam},
        {QStringLiteral("field"), Column::Field},
        {QStringLiteral("ignore"), Column::Ignore},
    };
    const QString key = normalized(field);
    return kFields.contains(key) ? std::optional<Column>(kFields.value(key)) : std::nullopt;
}

/// The hyperparameter a --map FIELD names, so that a sheet's column and new runs share one name: one of
/// `jikken train`'s (lr, batch_size, …), or any as hparams.NAME; empty otherwise.
QString mappedHyperparameter(const QString& field)
{
    for (const QString& prefix : {QStringLiteral("hparams."), QStringLiteral("hparams/")}) {
        if (field.startsWith(prefix) && field.size() > prefix.size())
            return field.mid(prefix.size());
    }
    const auto& known = RunSpec::fields();
    const bool native = std::any_of(known.begin(), known.end(),
                                    [&field](const RunSpec::Field& f) { return field == QLatin1String(f.name); });
    return native ? field : QString();
}

/// A sheet's date as people type it: 2019-07-05, 2019/7/5, 20190705, 2019年7月5日.
std::optional<QDate> dateValue(const QString& text)
{
    for (const char* format : {"yyyy-M-d", "yyyy/M/d", "yyyyMMdd", "yyyy.M.d", "yyyy年M月d日"}) {
        const QDate date = QDate::fromString(text, QString::fromUtf8(format));
        if (date.isValid())
            return date;
    }
    return std::nullopt;
}

/// The column whose cells are model IDs, for a sheet whose ID column has a name of its own: the one where
/// most filled cells parse as IDs (at least half of them), or -1. Columns the user mapped are theirs.
int idColumnByContents(const QVector<QStringList>& rows, int columns, const QSet<int>& mapped)
{
    int best = -1;
    int bestIds = 0;
    for (int c = 0; c < columns; ++c) {
        if (mapped.contains(c))
            continue;
        int filled = 0;
        int ids = 0;
        for (qsizetype r = 1; r < rows.size(); ++r) {
            const QString cell = rows[r].value(c).trimmed();
            filled += !cell.isEmpty();
            ids += !cell.isEmpty() && ModelId::parse(cell).has_value();
        }
        if (ids > bestIds && 2 * ids >= filled) {
            best = c;
            bestIds = ids;
        }
    }
    return best;
}

/// A number when the cell is one, else the text: spreadsheets mix both in a column.
QJsonValue cellValue(const QString& text)
{
    bool ok = false;
    const double number = text.toDouble(&ok);
    return ok ? QJsonValue(number) : QJsonValue(text);
}

std::optional<double> errorValue(QString text, QString* remark)
{
    text = text.trimmed();
    if (text.isEmpty())
        return std::nullopt;
    const bool percent = text.endsWith(u'%');
    if (percent)
        text.chop(1);
    bool ok = false;
    double value = text.trimmed().toDouble(&ok);
    if (!ok) {
        *remark = QStringLiteral("\"%1\" is not a number; left empty").arg(text);
        return std::nullopt;
    }
    if (percent || value > 1.0) {
        if (!percent)
            *remark = QStringLiteral("%1 read as %1%").arg(text);
        value /= 100.0;
    }
    return value;
}

RunStatus statusValue(const QString& text, bool hasResult, QString* reason)
{
    static const QHash<QString, RunStatus> kWords = bySpelling<RunStatus>({
        {RunStatus::Finished, {"done", "complete", "completed", "ok", "完了", "終了", "済", "済み", "完"}},
        {RunStatus::Running, {"実行中", "学習中", "訓練中", "走行中"}},
        {RunStatus::Failed, {"error", "crashed", "oom", "失敗", "エラー", "異常終了"}},
        {RunStatus::Reserved, {"予約", "未実行", "未着手", "todo"}},
    });
    const QString key = normalized(text);
    if (key.isEmpty()) // a result means it ran to the end; without one, nobody wrote down how it went
        return hasResult ? RunStatus::Finished : RunStatus::Unknown;
    if (const auto status = runStatusFromString(key))
        return *status;
    if (kWords.contains(key))
        return kWords.value(key);
    *reason = text.trimmed(); // "killed", "cancelled", …: kept as the reason
    return RunStatus::Stopped;
}

} // namespace

QString decode(const QByteArray& csv, QStringList* warnings)
{
    QStringDecoder utf8(QStringDecoder::Utf8);
    QString text = utf8(csv);
    if (!utf8.hasError())
        return text;
    // Excel on a Japanese Windows saves CSV in Shift_JIS (CP932) unless told otherwise.
    QStringDecoder shiftJis("Shift_JIS");
    if (shiftJis.isValid()) {
        const QString decoded = shiftJis(csv);
        if (!shiftJis.hasError()) {
            if (warnings)
                *warnings << QStringLiteral("the file is not UTF-8; read as Shift_JIS (Excel's Japanese CSV)");
            return decoded;
        }
    }
    if (warnings)
        *warnings << QStringLiteral("the file is neither UTF-8 nor Shift_JIS; unreadable characters became \uFFFD");
    return text;
}

QVector<QStringList> parseCsv(const QByteArray& csv, QString* error, QStringList* warnings)
{
    QString text = decode(csv, warnings);
    if (text.startsWith(QChar(0xFEFF)))
        text.remove(0, 1);
    QVector<QStringList> rows;
    QStringList row;
    QString field;
    bool quoted = false;
    bool fieldStarted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == u'"' && i + 1 < text.size() && text[i + 1] == u'"') {
                field += u'"';
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                field += c;
            }
            continue;
        }
        if (c == u'"' && !fieldStarted) {
            quoted = true;
            fieldStarted = true;
        } else if (c == u',') {
            row << field;
            field.clear();
            fieldStarted = false;
        } else if (c == u'\n' || c == u'\r') {
            if (c == u'\r' && i + 1 < text.size() && text[i + 1] == u'\n')
                ++i;
            row << field;
            if (!(row.size() == 1 && row[0].isEmpty()))
                rows.append(row);
            row.clear();
            field.clear();
            fieldStarted = false;
        } else {
            field += c;
            fieldStarted = true;
        }
    }
    if (quoted && error)
        *error = QStringLiteral("the CSV ends inside a quoted field (a missing closing \")");
    if (fieldStarted || !row.isEmpty()) {
        row << field;
        rows.append(row);
    }
    return rows;
}

namespace {

/// What each header column holds: by its name, then as `map` (header name -> field) says; the columns
/// `map` named go into `mapped`, and `keys` says under which name each column's value is kept (its header,
/// or the hyperparameter `map` names: 学習率=lr). Nothing, with `error` set, when `map` names a field or
/// column there is not.
std::optional<QVector<Column>> columnKinds(const QStringList& header, const QHash<QString, QString>& map,
                                           QSet<int>* mapped, QStringList* keys, QString* error)
{
    QVector<Column> kinds;
    for (const QString& name : header) {
        kinds << columnKind(name);
        *keys << name.trimmed();
    }
    for (auto it = map.begin(); it != map.end(); ++it) {
        auto kind = mappedKind(it.value());
        const QString hyperparameter = kind ? QString() : mappedHyperparameter(it.value().trimmed());
        if (!hyperparameter.isEmpty())
            kind = Column::Hparam;
        const auto named = std::find_if(header.begin(), header.end(),
                                        [&](const QString& name) { return normalized(name) == normalized(it.key()); });
        if (!kind || named == header.end()) {
            *error = !kind ? QStringLiteral("--map %1=%2: no such field (id, method, model, dataset, status, "
                                            "memo, host, test_error, best_test_error, epochs, date, hparam, field, "
                                            "ignore, one of jikken train's hyperparameters such as lr or "
                                            "batch_size, or any as hparams.NAME)")
                                 .arg(it.key(), it.value())
                           : QStringLiteral("--map %1=%2: the header has no column \"%1\"").arg(it.key(), it.value());
            return std::nullopt;
        }
        const int column = static_cast<int>(named - header.begin());
        kinds[column] = *kind;
        if (!hyperparameter.isEmpty())
            (*keys)[column] = hyperparameter;
        mapped->insert(column);
    }
    return kinds;
}

/// The run of one row whose ID parsed as `id` (its method and date; the ID as written is the caller's to
/// set); what the cells say that is odd goes to `warnings`, each line starting with `where`.
RunRecord runFromRow(const QStringList& cells, const ModelId& id, const QStringList& header, const QStringList& keys,
                     const QVector<Column>& kinds, const QString& where, QStringList* warnings)
{
    RunRecord run;
    run.method = id.method();
    run.created = QDateTime(id.date(), QTime(0, 0), QTimeZone::utc());
    QString statusText;
    for (int c = 0; c < header.size(); ++c) {
        const QString cell = cells.value(c).trimmed();
        QString remark;
        switch (kinds[c]) {
        case Column::Id:
        case Column::Ignore:
            break;
        case Column::Method:
            if (!cell.isEmpty() && cell != run.method)
                *warnings << QStringLiteral("%1: method column \"%2\" differs from the ID's \"%3\"; the ID's is kept")
                                 .arg(where, cell, run.method);
            break;
        case Column::Model:
            run.model = cell;
            break;
        case Column::Dataset:
            run.dataset = cell;
            break;
        case Column::Status:
            statusText = cell;
            break;
        case Column::Memo:
            run.memo = cells.value(c);
            break;
        case Column::Host:
            run.host = cell;
            break;
        case Column::TestError:
            run.latestTestError = errorValue(cell, &remark);
            break;
        case Column::BestTestError:
            run.bestTestError = errorValue(cell, &remark);
            break;
        case Column::Epochs:
            run.totalEpochs = cell.toInt();
            if (!cell.isEmpty())
                run.hparams.insert(keys[c], cellValue(cell));
            break;
        case Column::Date:
            if (const auto date = dateValue(cell))
                run.created = QDateTime(*date, QTime(0, 0), QTimeZone::utc());
            else if (!cell.isEmpty())
                remark = QStringLiteral("\"%1\" is not a date (2019-07-05); the ID's date is kept").arg(cell);
            break;
        case Column::Hparam:
            if (!cell.isEmpty())
                run.hparams.insert(keys[c], cellValue(cell));
            break;
        case Column::Field:
            if (!cell.isEmpty())
                run.fields.insert(keys[c], cellValue(cell));
            break;
        }
        if (!remark.isEmpty())
            *warnings << QStringLiteral("%1, %2: %3").arg(where, header[c].trimmed(), remark);
    }
    if (!run.bestTestError && run.latestTestError)
        run.bestTestError = run.latestTestError;
    run.status = statusValue(statusText, run.latestTestError.has_value(), &run.statusReason);
    if (run.status == RunStatus::Finished && run.totalEpochs > 0)
        run.epoch = run.totalEpochs;
    return run;
}

} // namespace

Result fromCsv(const QByteArray& csv, const QHash<QString, QString>& map)
{
    Result result;
    const QVector<QStringList> rows = parseCsv(csv, &result.error, &result.warnings);
    if (!result.error.isEmpty())
        return result;
    if (rows.isEmpty()) {
        result.error = QStringLiteral("the CSV is empty");
        return result;
    }
    const QStringList header = rows.first();
    QSet<int> mapped;
    QStringList keys;
    std::optional<QVector<Column>> kinds = columnKinds(header, map, &mapped, &keys, &result.error);
    if (!kinds)
        return result;
    int idColumn = static_cast<int>(kinds->indexOf(Column::Id));
    if (idColumn < 0) {
        idColumn = idColumnByContents(rows, static_cast<int>(header.size()), mapped);
        if (idColumn < 0) {
            result.error = QStringLiteral("no ID column: none is named model_id, id or モデルID, and none holds "
                                          "model IDs (YYYYMMDD_NN_method); name one with --map COLUMN=id. Header: %1")
                               .arg(header.join(u','));
            return result;
        }
        (*kinds)[idColumn] = Column::Id;
        result.warnings << QStringLiteral("the IDs are in column \"%1\" (found by its contents)").arg(header[idColumn]);
    }
    QSet<QString> seen;
    for (qsizetype r = 1; r < rows.size(); ++r) {
        const QStringList& cells = rows[r];
        const QString where = QStringLiteral("row %1").arg(r + 1); // as a spreadsheet numbers it, header = 1
        const QString idText = cells.value(idColumn).trimmed();
        QString problem;
        const auto id = ModelId::parse(idText, &problem);
        if (!id) {
            result.rejected << QStringLiteral("%1: bad model ID \"%2\": %3").arg(where, idText, problem);
            continue;
        }
        if (seen.contains(idText)) {
            result.rejected << QStringLiteral("%1: %2 appears twice in the file").arg(where, idText);
            continue;
        }
        if (cells.size() > header.size())
            result.warnings << QStringLiteral("%1: %2 cells past the last column ignored")
                                   .arg(where)
                                   .arg(cells.size() - header.size());
        seen.insert(idText);
        RunRecord run = runFromRow(cells, *id, header, keys, *kinds, where, &result.warnings);
        run.id = idText;
        result.runs.append(std::move(run));
    }
    return result;
}

} // namespace jikken::SpreadsheetImport
