#include "RunExport.h"

#include "RegistryWire.h"

#include <QJsonArray>

#include <QJsonDocument>

namespace jikken::RunExport {

QString csvField(const QString& text)
{
    // A spreadsheet runs a cell that starts with = + - @ (or a tab or CR before one) as a formula:
    // `=HYPERLINK(…)` in a memo would become a live link. Such text gets a leading apostrophe, which
    // spreadsheets show as plain text; numbers (-0.5, +3) stay numbers.
    QString safe = text;
    static const QString kFormulaStarts = QStringLiteral("=+-@\t\r");
    if (!text.isEmpty() && kFormulaStarts.contains(text.front())) {
        bool number = false;
        text.toDouble(&number);
        if (!number)
            safe.prepend(u'\'');
    }
    if (!safe.contains(u',') && !safe.contains(u'"') && !safe.contains(u'\n') && !safe.contains(u'\r'))
        return safe;
    QString quoted = safe;
    quoted.replace(QStringLiteral("\""), QStringLiteral("\"\""));
    return u'"' + quoted + u'"';
}

QString errorText(const std::optional<double>& error)
{
    return error ? QString::number(*error, 'f', 4) : QString();
}

namespace {

QString compactJson(const QJsonObject& object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QStringList csvRow(const RunRecord& r)
{
    return {r.id,
            r.method,
            r.model,
            r.dataset,
            toString(r.status),
            r.statusReason,
            r.host,
            r.device,
            QString::number(r.epoch),
            QString::number(r.totalEpochs),
            QString::number(r.step),
            r.latestTestError ? QString::number(*r.latestTestError, 'g', 17) : QString(),
            r.bestTestError ? QString::number(*r.bestTestError, 'g', 17) : QString(),
            RegistryWire::isoTime(r.created),
            RegistryWire::isoTime(r.started),
            RegistryWire::isoTime(r.finished),
            r.gitCommit,
            r.gitDirty ? QStringLiteral("true") : QStringLiteral("false"),
            compactJson(r.hparams),
            r.command,
            r.logDir,
            r.memo,
            r.labels.join(u' '),
            compactJson(r.finalMetrics)};
}

} // namespace

QString toCsv(const QVector<RunRecord>& runs)
{
    QString out = QStringLiteral("id,method,model,dataset,status,status_reason,host,device,epoch,total_epochs,step,"
                                 "latest_test_error,best_test_error,created,started,finished,git_commit,git_dirty,"
                                 "hparams,command,log_dir,memo,labels,final_metrics\n");
    for (const RunRecord& r : runs) {
        QStringList fields;
        for (const QString& field : csvRow(r))
            fields << csvField(field);
        out += fields.join(u',') + u'\n';
    }
    return out;
}

QString toTable(const QVector<RunRecord>& runs)
{
    const QStringList header{QStringLiteral("ID"),     QStringLiteral("MODEL"), QStringLiteral("DATASET"),
                             QStringLiteral("STATUS"), QStringLiteral("EPOCH"), QStringLiteral("TEST ERR"),
                             QStringLiteral("BEST"),   QStringLiteral("HOST"),  QStringLiteral("MEMO")};
    QVector<QStringList> rows{header};
    for (const RunRecord& r : runs) {
        QString memo = r.memo.simplified();
        if (memo.size() > 40)
            memo = memo.left(39) + QChar(0x2026);
        rows.append({r.id, r.model, r.dataset, toString(r.status),
                     QStringLiteral("%1/%2").arg(r.epoch).arg(r.totalEpochs), errorText(r.latestTestError),
                     errorText(r.bestTestError), r.host, memo});
    }
    QVector<int> widths(header.size(), 0);
    for (const QStringList& row : rows) {
        for (int c = 0; c < row.size(); ++c)
            widths[c] = std::max(widths[c], static_cast<int>(row[c].size()));
    }
    QString out;
    for (const QStringList& row : rows) {
        QString line;
        for (int c = 0; c < row.size(); ++c)
            line += c + 1 < row.size() ? row[c].leftJustified(widths[c] + 2) : row[c];
        out += line.trimmed() + u'\n';
    }
    if (runs.isEmpty())
        out += QStringLiteral("(no models in the registry)\n");
    return out;
}

QList<QPair<QString, QString>> facts(const RunRecord& r)
{
    QList<QPair<QString, QString>> out;
    auto line = [&out](const char* label, const QString& value) {
        if (!value.isEmpty())
            out.append({QString::fromLatin1(label), value});
    };
    line("id", r.id);
    line("status",
         toString(r.status) + (r.statusReason.isEmpty() ? QString() : QStringLiteral(" (") + r.statusReason + u')'));
    line("method", r.method);
    line("model", r.model);
    line("dataset", r.dataset);
    line("progress", QStringLiteral("epoch %1/%2, step %3").arg(r.epoch).arg(r.totalEpochs).arg(r.step));
    line("test error", errorText(r.latestTestError));
    line("best error", errorText(r.bestTestError));
    line("host", r.host);
    line("device", r.device);
    line("created", RegistryWire::isoTime(r.created));
    line("started", RegistryWire::isoTime(r.started));
    line("finished", RegistryWire::isoTime(r.finished));
    line("heartbeat", RegistryWire::isoTime(r.heartbeat));
    line("git",
         r.gitCommit.isEmpty() ? QString() : r.gitCommit + (r.gitDirty ? QStringLiteral(" (dirty)") : QString()));
    line("log dir", r.logDir);
    line("command", r.command);
    line("hparams", r.hparams.isEmpty() ? QString() : compactJson(r.hparams));
    // A script's interpreter lists its packages (pip freeze): a count here, every name in `packagesOf`.
    QJsonObject versions = r.versions;
    versions.remove(QStringLiteral("packages"));
    line("versions", versions.isEmpty() ? QString() : compactJson(versions));
    const QStringList packages = packagesOf(r);
    line("packages", packages.isEmpty() ? QString() : QStringLiteral("%1 installed").arg(packages.size()));
    line("final metrics", r.finalMetrics.isEmpty() ? QString() : compactJson(r.finalMetrics));
    for (const CheckpointRecord& checkpoint : r.checkpoints) {
        if (checkpoint.kept)
            out.append({QStringLiteral("checkpoint"), QStringLiteral("%1: %2, %3")
                                                          .arg(checkpoint.kind, Checkpoints::describe(checkpoint),
                                                               Checkpoints::location(checkpoint))});
    }
    line("labels", r.labels.join(QStringLiteral(", ")));
    line("colour", r.colour);
    line("memo", r.memo);
    return out;
}

QStringList packagesOf(const RunRecord& run)
{
    QStringList packages;
    for (const QJsonValue& package : run.versions.value(QStringLiteral("packages")).toArray())
        packages << package.toString();
    return packages;
}

QString describe(const RunRecord& r)
{
    QString out;
    for (const auto& [label, value] : facts(r))
        out += label.leftJustified(16) + value + u'\n';
    return out;
}

} // namespace jikken::RunExport
