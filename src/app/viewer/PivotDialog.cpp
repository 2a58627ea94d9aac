#include "PivotDialog.h"

#include "viewer/RunGroups.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace jikken {

PivotDialog::PivotDialog(QVector<const ViewerRun*> runs, const QStringList& fields, const QStringList& tags,
                         QWidget* parent)
    : QDialog(parent), m_runs(std::move(runs)), m_rows(new QComboBox), m_columns(new QComboBox), m_tag(new QComboBox),
      m_format(new QComboBox), m_preview(new QPlainTextEdit)
{
    setWindowTitle(tr("Pivot table"));
    m_rows->addItems(fields);
    m_columns->addItems(fields);
    m_columns->setCurrentIndex(fields.size() > 1 ? 1 : 0);
    m_tag->addItems(tags);
    m_format->addItems({tr("Markdown"), tr("LaTeX")});
    m_preview->setReadOnly(true);
    m_preview->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_preview->setMinimumSize(520, 200);
    auto* form = new QFormLayout;
    form->addRow(tr("Rows"), m_rows);
    form->addRow(tr("Columns"), m_columns);
    form->addRow(tr("Cells: final value of"), m_tag);
    form->addRow(tr("Format"), m_format);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Insert into Note"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_preview);
    layout->addWidget(buttons);
    for (QComboBox* choice : {m_rows, m_columns, m_tag, m_format})
        connect(choice, &QComboBox::currentIndexChanged, this, &PivotDialog::update);
    update();
}

QString PivotDialog::text() const
{
    const RunGroups::Pivot pivot =
        RunGroups::pivot(m_runs, m_rows->currentText(), m_columns->currentText(), m_tag->currentText());
    return m_format->currentIndex() == 1 ? QStringLiteral("```latex\n%1```\n").arg(RunGroups::toLatex(pivot))
                                         : RunGroups::toMarkdown(pivot);
}

void PivotDialog::update()
{
    m_preview->setPlainText(text());
}

} // namespace jikken
