#include "RunSummary.h"

#include "events/ScalarExport.h"
#include "registry/RunExport.h"

#include <QRegularExpression>

#include <cmath>

namespace jikken::RunSummary {

bool higherIsBetter(const QString& tag)
{
    static const QRegularExpression upward(
        QStringLiteral("acc|auc|f1|precision|recall|iou|\\bmap\\b|reward|return|psnr|ssim|bleu"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression downward(QStringLiteral("loss|err|perplexity|mse|mae"),
                                             QRegularExpression::CaseInsensitiveOption);
    return !downward.match(tag).hasMatch() && upward.match(tag).hasMatch();
}

namespace {

Cell cellOf(const ViewerRun& run, const QString& tag)
{
    Cell cell;
    cell.run = run.key;
    cell.tag = tag;
    const auto it = run.scalars.constFind(tag);
    if (it == run.scalars.cend())
        return cell;
    const bool up = higherIsBetter(tag);
    for (int i = 0; i < it->size(); ++i) {
        const double v = it->values[i];
        if (!std::isfinite(v))
            continue;
        cell.final = v;
        if (!cell.best || (up ? v > *cell.best : v < *cell.best)) {
            cell.best = v;
            cell.bestStep = it->steps[i];
        }
    }
    return cell;
}

/// The tag's points as logged: duplicates and restarts included.
const ScalarSeries* loggedSeries(const ViewerRun& run, const QString& tag)
{
    for (const auto* scalars : {&run.scalarsAsLogged, &run.scalars}) {
        const auto it = scalars->constFind(tag);
        if (it != scalars->cend())
            return &*it;
    }
    return nullptr;
}

} // namespace

QString markdownCell(const QString& text)
{
    return QString(text).replace(u'|', QStringLiteral("\\|")).replace(u'\n', u' ');
}

QString format(double value)
{
    return QString::number(value, 'g', 4);
}

QVector<Cell> compute(const QVector<const ViewerRun*>& runs, const QStringList& tags, const QString& baseline)
{
    const ViewerRun* base = nullptr;
    for (const ViewerRun* run : runs) {
        if (run->key == baseline)
            base = run;
    }
    QVector<Cell> cells;
    for (const ViewerRun* run : runs) {
        for (const QString& tag : tags) {
            Cell cell = cellOf(*run, tag);
            if (base && cell.final) {
                const Cell reference = cellOf(*base, tag);
                if (reference.final)
                    cell.finalVsBaseline = *cell.final - *reference.final;
            }
            cells.append(cell);
        }
    }
    return cells;
}

QString toMarkdown(const QVector<const ViewerRun*>& runs, const QStringList& tags, const QString& baseline)
{
    QString header = QStringLiteral("| run | method |");
    QString rule = QStringLiteral("| --- | --- |");
    for (const QString& tag : tags) {
        header += QStringLiteral(" %1 final | best |").arg(markdownCell(tag));
        rule += QStringLiteral(" ---: | ---: |");
        if (!baseline.isEmpty()) {
            header += QStringLiteral(" Δ |");
            rule += QStringLiteral(" ---: |");
        }
    }
    QString text = header + u'\n' + rule + u'\n';
    const QVector<Cell> cells = compute(runs, tags, baseline);
    for (int r = 0; r < runs.size(); ++r) {
        const ViewerRun* run = runs[r];
        QString row =
            QStringLiteral("| %1%2 | %3 |")
                .arg(markdownCell(run->name), run->key == baseline ? QStringLiteral(" (baseline)") : QString(),
                     markdownCell(run->method()));
        for (int t = 0; t < tags.size(); ++t) {
            const Cell& cell = cells[r * tags.size() + t];
            row += QStringLiteral(" %1 | %2 |")
                       .arg(cell.final ? format(*cell.final) : QStringLiteral("–"),
                            cell.best ? format(*cell.best) : QStringLiteral("–"));
            if (!baseline.isEmpty()) {
                row += QStringLiteral(" %1 |").arg(cell.finalVsBaseline
                                                       ? (*cell.finalVsBaseline >= 0 ? u"+"_qs : QString()) +
                                                             format(*cell.finalVsBaseline)
                                                       : QStringLiteral("–"));
            }
        }
        text += row + u'\n';
    }
    return text;
}

bool writeCsv(const QVector<const ViewerRun*>& runs, const QStringList& tags, QIODevice& out)
{
    QByteArray buffer = "run,method,tag,step,wall_time,value\n";
    for (const ViewerRun* run : runs) {
        const QString prefix = RunExport::csvField(run->name) + u',' + RunExport::csvField(run->method()) + u',';
        for (const QString& tag : tags) {
            const ScalarSeries* series = loggedSeries(*run, tag);
            if (!series)
                continue;
            const QByteArray head = (prefix + RunExport::csvField(tag) + u',').toUtf8();
            for (int i = 0; i < series->size(); ++i) {
                buffer += head;
                buffer += QByteArray::number(series->steps[i]) + ',' + ScalarExport::csvNumber(series->wallTimes[i]) +
                          ',' + ScalarExport::csvNumber(series->values[i]) + '\n';
                if (buffer.size() > (1 << 20)) {
                    if (out.write(buffer) != buffer.size())
                        return false;
                    buffer.clear();
                }
            }
        }
    }
    return out.write(buffer) == buffer.size();
}

} // namespace jikken::RunSummary
