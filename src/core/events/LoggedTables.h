#pragma once

#include <QString>
#include <QVector>

#include <optional>

namespace jikken {

/// The tables a training run logs as TensorBoard text and the viewer draws: Markdown, so TensorBoard's
/// Text tab shows them as tables too.
namespace LoggedTables {

/// A confusion matrix (`counts[true * classes + predicted]`) as a Markdown table: a row per true class.
QString confusionMarkdown(const QVector<qint64>& counts, int classes);

struct Matrix
{
    int rows = 0;
    int columns = 0;
    QVector<double> values; ///< row by row
};

/// The numbers of a Markdown table whose cells after the first column are all numbers (a confusion
/// matrix, per-class counts); none for any other text.
std::optional<Matrix> numericTable(const QString& markdown);

/// A JSON array of numbers (`[6000, 600, 60]`, as Jikken logs `data/class_counts`); none otherwise.
std::optional<QVector<double>> numberArray(const QString& text);

} // namespace LoggedTables

} // namespace jikken
