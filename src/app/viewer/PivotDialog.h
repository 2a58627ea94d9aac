#pragma once

#include "viewer/ViewerRun.h"

#include <QDialog>

class QComboBox;
class QPlainTextEdit;

namespace jikken {

/// Notes › Insert Pivot Table…: rows by one field, columns by another, a tag's final value as mean ± std in
/// each cell (RunGroups::pivot), previewed, as Markdown or as LaTeX for a paper.
class PivotDialog : public QDialog
{
    Q_OBJECT

public:
    /// `fields`: what rows and columns may go by; `tags`: the metrics offered, the first chosen.
    PivotDialog(QVector<const ViewerRun*> runs, const QStringList& fields, const QStringList& tags,
                QWidget* parent = nullptr);

    /// The table as it is previewed: Markdown, or a LaTeX tabular in a fenced block.
    QString text() const;
    QComboBox* rows() const { return m_rows; }
    QComboBox* columns() const { return m_columns; }
    QComboBox* format() const { return m_format; }

private:
    void update();

    QVector<const ViewerRun*> m_runs;
    QComboBox* m_rows;
    QComboBox* m_columns;
    QComboBox* m_tag;
    QComboBox* m_format;
    QPlainTextEdit* m_preview;
};

} // namespace jikken
