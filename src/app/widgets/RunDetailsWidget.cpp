#include "RunDetailsWidget.h"

#include "registry/RunExport.h"

#include <QClipboard>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>

namespace jikken {

RunDetailsWidget::RunDetailsWidget(QWidget* parent)
    : QWidget(parent), m_title(new QLabel(this)), m_facts(new QTextBrowser(this)), m_memo(new QPlainTextEdit(this)),
      m_save(new QPushButton(tr("Save memo"), this)), m_copy(new QPushButton(tr("Copy command"), this)),
      m_memoState(new QLabel(this)), m_autosave(new QTimer(this)), m_labels(new QLineEdit(this))
{
    m_labels->setPlaceholderText(tr("Labels: ablation paper-fig3 … (space-separated)"));
    connect(m_labels, &QLineEdit::editingFinished, this, [this] {
        const QStringList labels = m_labels->text().split(u' ', Qt::SkipEmptyParts);
        if (!m_id.isEmpty() && labels != m_shownLabels) {
            m_shownLabels = labels;
            Q_EMIT labelsEdited(m_id, labels);
        }
    });
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_memo->setPlaceholderText(tr("Memo: what this run tries, what came of it"));
    m_memo->setMaximumHeight(90);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_copy);
    buttons->addStretch();
    buttons->addWidget(m_memoState);
    buttons->addWidget(m_save);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_facts, 1);
    layout->addWidget(m_labels);
    layout->addWidget(m_memo);
    layout->addLayout(buttons);
    m_autosave->setSingleShot(true);
    m_autosave->setInterval(kAutosaveMs);
    connect(m_autosave, &QTimer::timeout, this, &RunDetailsWidget::flushMemo);
    connect(m_memo, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_memo->document()->isModified())
            return; // shown, not typed
        m_memoState->setText(tr("editing…"));
        m_autosave->start();
    });
    connect(m_save, &QPushButton::clicked, this, [this] {
        m_memo->document()->setModified(true); // saved even when unchanged: the button is an explicit ask
        flushMemo();
    });
    connect(m_copy, &QPushButton::clicked, this, &RunDetailsWidget::copyCommand);
    showRun(nullptr);
}

void RunDetailsWidget::copyCommand() const
{
    if (!m_command.isEmpty())
        QGuiApplication::clipboard()->setText(m_command);
}

void RunDetailsWidget::flushMemo()
{
    m_autosave->stop();
    if (m_id.isEmpty() || !m_memo->document()->isModified())
        return;
    m_unsaved.insert(m_id, m_memo->toPlainText());
    m_memoState->setText(tr("saving…"));
    Q_EMIT memoEdited(m_id, m_memo->toPlainText());
}

void RunDetailsWidget::memoSaved(const QString& id, const QString& memo)
{
    if (m_unsaved.value(id) == memo)
        m_unsaved.remove(id);
    if (id == m_id && m_memo->toPlainText() == memo) {
        m_memo->document()->setModified(false);
        m_memoState->setText(tr("saved"));
    }
}

void RunDetailsWidget::showRun(const RunRecord* run)
{
    const bool same = run && run->id == m_id;
    if (!same)
        flushMemo(); // what was typed for the run shown until now
    m_id = run ? run->id : QString();
    m_command = run ? run->command : QString();
    m_title->setText(run ? run->id : tr("No run selected"));
    m_facts->setPlainText(run ? RunExport::describe(*run) : QString());
    // A live update of the same run must not throw away what the user is typing; a memo whose save has
    // not been confirmed is shown again instead of the registry's.
    if (!same || !m_memo->document()->isModified()) {
        const bool held = run && m_unsaved.contains(run->id);
        m_memo->setPlainText(held ? m_unsaved.value(run->id) : run ? run->memo : QString());
        m_memo->document()->setModified(held);
        if (!same)
            m_memoState->setText(held ? tr("not saved yet") : QString());
    }
    if (!same || !m_labels->hasFocus()) {
        m_shownLabels = run ? run->labels : QStringList();
        m_labels->setText(m_shownLabels.join(u' '));
    }
    m_labels->setEnabled(run != nullptr);
    m_memo->setEnabled(run != nullptr);
    m_save->setEnabled(run != nullptr);
    m_copy->setEnabled(run && !run->command.isEmpty());
}

} // namespace jikken
