#include "RunGroups.h"

#include "RunSummary.h"

#include <QJsonArray>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <limits>

namespace jikken::RunGroups {

namespace {

QString valueOf(const ViewerRun& run, const QString& field)
{
    return run.label(u'{' + field + u'}');
}

/// The distinct values of `field` among `runs`, in the order they first come.
QStringList valuesOf(const QVector<const ViewerRun*>& runs, const QString& field)
{
    QStringList values;
    for (const ViewerRun* run : runs) {
        const QString value = valueOf(*run, field);
        if (!values.contains(value))
            values << value;
    }
    return values;
}

QString latexText(QString text)
{
    static const QList<QPair<QChar, QString>> kEscapes{{u'\\', QStringLiteral("\\textbackslash{}")},
                                                       {u'{', QStringLiteral("\\{")},
                                                       {u'}', QStringLiteral("\\}")},
                                                       {u'_', QStringLiteral("\\_")},
                                                       {u'%', QStringLiteral("\\%")},
                                                       {u'&', QStringLiteral("\\&")},
                                                       {u'#', QStringLiteral("\\#")},
                                                       {u'$', QStringLiteral("\\$")},
                                                       {u'~', QStringLiteral("\\textasciitilde{}")},
                                                       {u'^', QStringLiteral("\\textasciicircum{}")}};
    QString out;
    for (const QChar c : text) {
        const auto escape =
            std::find_if(kEscapes.begin(), kEscapes.end(), [c](const auto& pair) { return pair.first == c; });
        out += escape == kEscapes.end() ? QString(c) : escape->second;
    }
    return out;
}

} // namespace

QStringList hyperparameterNames(const QVector<const ViewerRun*>& runs)
{
    QSet<QString> names;
    for (const ViewerRun* run : runs) {
        const QJsonObject hparams = run->hyperparameters();
        for (auto it = hparams.begin(); it != hparams.end(); ++it)
            names.insert(it.key());
    }
    QStringList sorted(names.begin(), names.end());
    sorted.sort();
    return sorted;
}

QStringList defaultFields(const QVector<const ViewerRun*>& runs)
{
    QStringList fields = hyperparameterNames(runs);
    fields.removeAll(QStringLiteral("seed"));
    fields.removeIf([&runs](const QString& field) { return valuesOf(runs, field).size() < 2; });
    return fields;
}

QVector<Group> group(const QVector<const ViewerRun*>& runs, const QStringList& fields)
{
    QVector<Group> groups;
    QHash<QString, qsizetype> byLabel;
    for (const ViewerRun* run : runs) {
        QStringList parts;
        for (const QString& field : fields)
            parts << field + u'=' + valueOf(*run, field);
        const QString label = fields.isEmpty() ? QStringLiteral("all") : parts.join(u' ');
        const auto found = byLabel.constFind(label);
        if (found == byLabel.cend()) {
            byLabel.insert(label, groups.size());
            groups.append({label, {run}});
        } else {
            groups[*found].runs.append(run);
        }
    }
    return groups;
}

std::optional<Stat> stat(const QVector<double>& values)
{
    Stat out;
    double sum = 0;
    for (double v : values) {
        if (std::isfinite(v)) {
            sum += v;
            ++out.n;
        }
    }
    if (out.n == 0)
        return std::nullopt;
    out.mean = sum / out.n;
    double squares = 0;
    for (double v : values) {
        if (std::isfinite(v))
            squares += (v - out.mean) * (v - out.mean);
    }
    out.std = out.n > 1 ? std::sqrt(squares / (out.n - 1)) : 0;
    return out;
}

QString format(const Stat& stat)
{
    return stat.n > 1 ? QStringLiteral("%1 ± %2").arg(RunSummary::format(stat.mean), RunSummary::format(stat.std))
                      : RunSummary::format(stat.mean);
}

QVector<Group> Grouping::of(const QVector<const ViewerRun*>& runs) const
{
    return group(runs, fields.isEmpty() ? defaultFields(runs) : fields);
}

QString Grouping::caption() const
{
    return QStringLiteral("mean of each group's runs, band %1")
        .arg(spread == Spread::StdDev ? QStringLiteral("± 1 std") : QStringLiteral("min–max"));
}

QJsonObject Grouping::toJson() const
{
    if (!on)
        return {};
    return {{QStringLiteral("by"), QJsonArray::fromStringList(fields)},
            {QStringLiteral("band"), spread == Spread::StdDev ? QStringLiteral("std") : QStringLiteral("minmax")}};
}

Grouping Grouping::fromJson(const QJsonValue& json)
{
    Grouping grouping;
    grouping.on = json.isObject();
    for (const QJsonValue& field : json[QLatin1String("by")].toArray())
        grouping.fields << field.toString();
    grouping.spread = json[QLatin1String("band")].toString() == QLatin1String("std") ? Spread::StdDev : Spread::MinMax;
    return grouping;
}

void BandBuilder::add(qint64 step, double value)
{
    if (std::isfinite(value))
        m_atStep[step].append(value);
}

Band BandBuilder::band(Spread spread) const
{
    Band out;
    for (auto it = m_atStep.cbegin(); it != m_atStep.cend(); ++it) {
        const Stat here = *stat(it.value());
        const auto [lowest, highest] = std::minmax_element(it.value().cbegin(), it.value().cend());
        out.steps.append(it.key());
        out.mean.append(here.mean);
        out.low.append(spread == Spread::MinMax ? *lowest : here.mean - here.std);
        out.high.append(spread == Spread::MinMax ? *highest : here.mean + here.std);
        out.count.append(here.n);
    }
    return out;
}

ScalarSeries Band::meanSeries() const
{
    ScalarSeries series;
    for (int i = 0; i < steps.size(); ++i)
        series.append(steps[i], 0, mean[i]);
    return series;
}

QList<QPointF> Band::outline(int points, bool logY) const
{
    double floor = std::numeric_limits<double>::infinity();
    for (double v : low + mean)
        floor = v > 0 ? std::min(floor, v) : floor;
    const int stride = std::max<int>(1, static_cast<int>(steps.size()) / std::max(1, points));
    QList<QPointF> lower;
    QList<QPointF> upper;
    for (int i = 0; i < steps.size(); i += stride) {
        // The last step always, so the band reaches as far as the mean.
        const int at = i + stride >= steps.size() ? static_cast<int>(steps.size()) - 1 : i;
        lower.append(QPointF(steps[at], logY && low[at] <= 0 ? floor : low[at]));
        upper.prepend(QPointF(steps[at], high[at]));
    }
    return lower + upper;
}

Band band(const Group& group, const QString& tag, Spread spread)
{
    BandBuilder builder;
    for (const ViewerRun* run : group.runs) {
        const auto series = run->scalars.constFind(tag);
        if (series == run->scalars.cend())
            continue;
        for (int i = 0; i < series->size(); ++i)
            builder.add(series->steps[i], series->values[i]);
    }
    return builder.band(spread);
}

Band band(const QVector<const ChartCurve*>& curves, Spread spread, int samples, int exactPoints)
{
    const auto drawn = [](const ChartCurve& curve, int i) {
        return curve.isSmoothed() ? curve.smoothed(i) : curve.value(i);
    };
    qint64 points = 0;
    qint64 first = std::numeric_limits<qint64>::max();
    qint64 last = std::numeric_limits<qint64>::min();
    for (const ChartCurve* curve : curves) {
        if (curve->isEmpty())
            continue;
        points += curve->size();
        first = std::min(first, curve->step(0));
        last = std::max(last, curve->step(curve->size() - 1));
    }
    BandBuilder builder;
    if (points <= exactPoints) {
        for (const ChartCurve* curve : curves) {
            for (int i = 0; i < curve->size(); ++i)
                builder.add(curve->step(i), drawn(*curve, i));
        }
        return builder.band(spread);
    }
    const int across = std::max(2, samples);
    for (int k = 0; k < across; ++k) {
        const auto step =
            first + static_cast<qint64>(std::llround(static_cast<double>(last - first) * k / (across - 1)));
        for (const ChartCurve* curve : curves) {
            if (!curve->isEmpty() && step >= curve->step(0) && step <= curve->step(curve->size() - 1))
                builder.add(step, drawn(*curve, curve->nearest(XAxis::Step, static_cast<double>(step))));
        }
    }
    return builder.band(spread);
}

Summary summarize(const Group& group, const QString& tag)
{
    QVector<double> finals;
    QVector<double> bests;
    for (const RunSummary::Cell& cell : RunSummary::compute(group.runs, {tag}, {})) {
        if (cell.final)
            finals.append(*cell.final);
        if (cell.best)
            bests.append(*cell.best);
    }
    return {stat(finals), stat(bests)};
}

QString toMarkdown(const QVector<Group>& groups, const QStringList& tags)
{
    QString header = QStringLiteral("| group | n |");
    QString rule = QStringLiteral("|---|---:|");
    for (const QString& tag : tags) {
        header += QStringLiteral(" %1 final | %1 best |").arg(RunSummary::markdownCell(tag));
        rule += QStringLiteral("---:|---:|");
    }
    QString table = header + u'\n' + rule + u'\n';
    for (const Group& group : groups) {
        table += QStringLiteral("| %1 | %2 |").arg(RunSummary::markdownCell(group.label)).arg(group.runs.size());
        for (const QString& tag : tags) {
            const Summary summary = summarize(group, tag);
            table += QStringLiteral(" %1 | %2 |")
                         .arg(summary.final ? format(*summary.final) : QStringLiteral("–"),
                              summary.best ? format(*summary.best) : QStringLiteral("–"));
        }
        table += u'\n';
    }
    return table + QStringLiteral("\nmean ± standard deviation over a group's runs (n).\n");
}

Pivot pivot(const QVector<const ViewerRun*>& runs, const QString& rowField, const QString& columnField,
            const QString& tag)
{
    Pivot out{rowField, columnField, tag, valuesOf(runs, rowField), valuesOf(runs, columnField), {}};
    for (const QString& row : out.rows) {
        QVector<std::optional<Stat>> cells;
        for (const QString& column : out.columns) {
            QVector<double> finals;
            for (const ViewerRun* run : runs) {
                if (valueOf(*run, rowField) != row || valueOf(*run, columnField) != column)
                    continue;
                const auto cell = RunSummary::compute({run}, {tag}, {}).value(0);
                if (cell.final)
                    finals.append(*cell.final);
            }
            cells.append(stat(finals));
        }
        out.cells.append(cells);
    }
    return out;
}

QString toMarkdown(const Pivot& pivot)
{
    QString table = QStringLiteral("| %1 \\\\ %2 |")
                        .arg(RunSummary::markdownCell(pivot.rowField), RunSummary::markdownCell(pivot.columnField));
    QString rule = QStringLiteral("|---|");
    for (const QString& column : pivot.columns) {
        table += u' ' + RunSummary::markdownCell(column) + QStringLiteral(" |");
        rule += QStringLiteral("---:|");
    }
    table += u'\n' + rule + u'\n';
    for (qsizetype r = 0; r < pivot.rows.size(); ++r) {
        table += QStringLiteral("| %1 |").arg(RunSummary::markdownCell(pivot.rows[r]));
        for (const std::optional<Stat>& cell : pivot.cells[r])
            table += u' ' + (cell ? QStringLiteral("%1 (%2)").arg(format(*cell)).arg(cell->n) : QStringLiteral("–")) +
                     QStringLiteral(" |");
        table += u'\n';
    }
    return table + QStringLiteral("\n%1, final value: mean ± standard deviation (n runs).\n")
                       .arg(RunSummary::markdownCell(pivot.tag));
}

QString toLatex(const Pivot& pivot)
{
    QString table =
        QStringLiteral("\\begin{tabular}{l%1}\n\\hline\n%2 \\textbackslash{} %3")
            .arg(QString(pivot.columns.size(), u'r'), latexText(pivot.rowField), latexText(pivot.columnField));
    for (const QString& column : pivot.columns)
        table += QStringLiteral(" & ") + latexText(column);
    table += QStringLiteral(" \\\\\n\\hline\n");
    for (qsizetype r = 0; r < pivot.rows.size(); ++r) {
        table += latexText(pivot.rows[r]);
        for (const std::optional<Stat>& cell : pivot.cells[r]) {
            table += QStringLiteral(" & ");
            if (!cell)
                table += QStringLiteral("--");
            else if (cell->n > 1)
                table += QStringLiteral("$%1 \\pm %2$ (%3)")
                             .arg(RunSummary::format(cell->mean), RunSummary::format(cell->std))
                             .arg(cell->n);
            else
                table += QStringLiteral("$%1$ (1)").arg(RunSummary::format(cell->mean));
        }
        table += QStringLiteral(" \\\\\n");
    }
    return table + QStringLiteral("\\hline\n\\end{tabular}\n% %1, final value: mean $\\pm$ standard deviation "
                                  "(n runs)\n")
                       .arg(latexText(pivot.tag));
}

} // namespace jikken::RunGroups
