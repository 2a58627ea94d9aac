#include "SpreadsheetImport.h"

#include "ids/ModelId.h"

#include <QHash>
#include <QSet>
#include <QStringDecoder>
#include <QTimeZone>

namespace jikken::SpreadsheetImport {

namespace {

enum class Column { Id, Method, Model, Dataset, Status, Memo, Host, TestError, BestTestError, Epochs, Hparam, Field };

QString normalized(const QString& name)
{
    QString key = name.trimmed().toLower();
    key.remove(u' ');
    key.remove(u'_');
    key.remove(u'-');
    return key;
}

Column columnKind(const QString& name)
{
    static const QHash<QString, Column> kKnown{
        {QStringLiteral("modelid"), Column::Id},
        {QStringLiteral("id"), Column::Id},
        {QStringLiteral("method"), Column::Method},
        {QStringLiteral("model"), Column::Model},
        {QStringLiteral("arch"), Column::Model},
        {QStringLiteral("dataset"), Column::Dataset},
        {QStringLiteral("status"), Column::Status},
        {QStringLiteral("memo"), Column::Memo},
        {QStringLiteral("note"), Column::Memo},
        {QStringLiteral("notes"), Column::Memo},
        {QStringLiteral("server"), Column::Host},
        {QStringLiteral("host"), Column::Host},
        {QStringLiteral("testerror"), Column::TestError},
        {QStringLiteral("testerr"), Column::TestError},
        {QStringLiteral("besttesterror"), Column::BestTestError},
        {QStringLiteral("besterror"), Column::BestTestError},
        {QStringLiteral("epochs"), Column::Epochs},
    };
    static const QSet<QString> kHparams{
        QStringLiteral("lr"),        QStringLiteral("learningrate"), QStringLiteral("batchsize"),
        QStringLiteral("optimizer"), QStringLiteral("momentum"),     QStringLiteral("weightdecay"),
        QStringLiteral("seed"),      QStringLiteral("scheduler"),    QStringLiteral("loss"),
        QStringLiteral("gamma"),     QStringLiteral("alpha"),        QStringLiteral("beta"),
        QStringLiteral("dropout"),   QStringLiteral("warmup"),       QStringLiteral("imbalanceratio")};
    const QString key = normalized(name);
    if (kKnown.contains(key))
        return kKnown.value(key);
    return kHparams.contains(key) ? Column::Hparam : Column::Field;
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
    const QString key = text.trimmed().toLower();
    if (key.isEmpty())
        return hasResult ? RunStatus::Finished : RunStatus::Reserved;
    if (const auto status = runStatusFromString(key))
        return *status;
    if (key == QLatin1String("done") || key == QLatin1String("complete") || key == QLatin1String("completed"))
        return RunStatus::Finished;
    if (key == QLatin1String("error") || key == QLatin1String("crashed") || key == QLatin1String("oom"))
        return RunStatus::Failed;
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

Result fromCsv(const QByteArray& csv)
{
    Result result;
    QString error;
    const QVector<QStringList> rows = parseCsv(csv, &error, &result.warnings);
    if (!error.isEmpty()) {
        result.rejected << error;
        return result;
    }
    if (rows.isEmpty()) {
        result.rejected << QStringLiteral("the CSV is empty");
        return result;
    }
    const QStringList header = rows.first();
    QVector<Column> kinds;
    int idColumn = -1;
    for (int c = 0; c < header.size(); ++c) {
        kinds << columnKind(header[c]);
        if (kinds.last() == Column::Id && idColumn < 0)
            idColumn = c;
    }
    if (idColumn < 0) {
        result.rejected << QStringLiteral("no ID column (want one named model_id or id) in: %1").arg(header.join(u','));
        return result;
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
        RunRecord run;
        run.id = idText;
        run.method = id->method();
        run.created = QDateTime(id->date(), QTime(0, 0), QTimeZone::utc());
        QString statusText;
        for (int c = 0; c < header.size(); ++c) {
            const QString cell = cells.value(c).trimmed();
            QString remark;
            switch (kinds[c]) {
            case Column::Id:
                break;
            case Column::Method:
                if (!cell.isEmpty() && cell != run.method)
                    result.warnings << QStringLiteral(
                                           "%1: method column \"%2\" differs from the ID's \"%3\"; the ID's is kept")
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
                    run.hparams.insert(header[c].trimmed(), cellValue(cell));
                break;
            case Column::Hparam:
                if (!cell.isEmpty())
                    run.hparams.insert(header[c].trimmed(), cellValue(cell));
                break;
            case Column::Field:
                if (!cell.isEmpty())
                    run.fields.insert(header[c].trimmed(), cellValue(cell));
                break;
            }
            if (!remark.isEmpty())
                result.warnings << QStringLiteral("%1, %2: %3").arg(where, header[c].trimmed(), remark);
        }
        if (!run.bestTestError && run.latestTestError)
            run.bestTestError = run.latestTestError;
        run.status = statusValue(statusText, run.latestTestError.has_value(), &run.statusReason);
        if (run.status == RunStatus::Finished && run.totalEpochs > 0)
            run.epoch = run.totalEpochs;
        result.runs.append(run);
    }
    return result;
}

} // namespace jikken::SpreadsheetImport
