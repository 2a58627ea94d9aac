#include "RunDetailsWidget.h"

#include "registry/RunExport.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace jikken {

RunDetailsWidget::RunDetailsWidget(QWidget* parent)
    : QWidget(parent), m_title(new QLabel(this)), m_facts(new QTextBrowser(this)), m_memo(new QPlainTextEdit(this)),
      m_save(new QPushButton(tr("Save memo"), this)), m_copy(new QPushButton(tr("Copy command"), this))
{
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_memo->setPlaceholderText(tr("Memo: what this run tries, what came of it"));
    m_memo->setMaximumHeight(90);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_copy);
    buttons->addStretch();
    buttons->addWidget(m_save);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_facts, 1);
    layout->addWidget(m_memo);
    layout->addLayout(buttons);
    connect(m_save, &QPushButton::clicked, this, [this] {
        if (!m_id.isEmpty())
            Q_EMIT memoEdited(m_id, m_memo->toPlainText());
    });
    connect(m_copy, &QPushButton::clicked, this, &RunDetailsWidget::copyCommand);
    showRun(nullptr);
}

void RunDetailsWidget::copyCommand() const
{
    if (!m_command.isEmpty())
        QGuiApplication::clipboard()->setText(m_command);
}

void RunDetailsWidget::showRun(const RunRecord* run)
{
    const bool same = run && run->id == m_id;
    m_id = run ? run->id : QString();
    m_command = run ? run->command : QString();
    m_title->setText(run ? run->id : tr("No run selected"));
    m_facts->setPlainText(run ? RunExport::describe(*run) : QString());
    // A live update of the same run must not throw away what the user is typing.
    if (!same || !m_memo->document()->isModified()) {
        m_memo->setPlainText(run ? run->memo : QString());
        m_memo->document()->setModified(false);
    }
    m_memo->setEnabled(run != nullptr);
    m_save->setEnabled(run != nullptr);
    m_copy->setEnabled(run && !run->command.isEmpty());
}

} // namespace jikken
