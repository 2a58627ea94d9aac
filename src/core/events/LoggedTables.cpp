#include "LoggedTables.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace jikken::LoggedTables {

QString confusionMarkdown(const QVector<qint64>& counts, int classes)
{
    QString header = QStringLiteral("| true \\ predicted |");
    QString rule = QStringLiteral("| --- |");
    for (int c = 0; c < classes; ++c) {
        header += QStringLiteral(" %1 |").arg(c);
        rule += QStringLiteral(" ---: |");
    }
    QString text = header + u'\n' + rule + u'\n';
    for (int t = 0; t < classes; ++t) {
        QString row = QStringLiteral("| %1 |").arg(t);
        for (int p = 0; p < classes; ++p)
            row += QStringLiteral(" %1 |").arg(counts.value(t * classes + p));
        text += row + u'\n';
    }
    return text;
}

std::optional<Matrix> numericTable(const QString& markdown)
{
    Matrix matrix;
    bool header = true;
    for (const QString& rawLine : markdown.split(u'\n')) {
        const QString line = rawLine.trimmed();
        if (line.isEmpty())
            continue;
        if (!line.startsWith(u'|') || !line.endsWith(u'|'))
            return std::nullopt;
        const QStringList cells = line.mid(1, line.size() - 2).split(u'|');
        if (header) { // the header row, then the alignment row
            header = false;
            matrix.columns = static_cast<int>(cells.size()) - 1;
            continue;
        }
        if (cells.first().trimmed().startsWith(QLatin1String("---")) ||
            cells.first().trimmed().startsWith(QLatin1String(":-")))
            continue;
        if (cells.size() - 1 != matrix.columns || matrix.columns < 1)
            return std::nullopt;
        for (int c = 1; c < cells.size(); ++c) {
            bool ok = false;
            matrix.values.append(cells[c].trimmed().toDouble(&ok));
            if (!ok)
                return std::nullopt;
        }
        ++matrix.rows;
    }
    if (matrix.rows == 0)
        return std::nullopt;
    return matrix;
}

std::optional<QVector<double>> numberArray(const QString& text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !document.isArray() || document.array().isEmpty())
        return std::nullopt;
    QVector<double> numbers;
    for (const QJsonValue& value : document.array()) {
        if (!value.isDouble())
            return std::nullopt;
        numbers.append(value.toDouble());
    }
    return numbers;
}

} // namespace jikken::LoggedTables
