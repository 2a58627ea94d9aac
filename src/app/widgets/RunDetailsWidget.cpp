#include "RunDetailsWidget.h"

#include "RunFacts.h"

#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace jikken {

RunDetailsWidget::RunDetailsWidget(QWidget* parent)
    : QWidget(parent), m_title(new QLabel(this)), m_facts(new QTableWidget(0, 2, this)),
      m_memo(new QPlainTextEdit(this)), m_save(new QPushButton(tr("Save memo"), this)),
      m_copy(new QPushButton(tr("Copy command"), this)), m_memoState(new QLabel(this)), m_autosave(new QTimer(this)),
      m_labels(new QLineEdit(this))
{
    m_facts->horizontalHeader()->hide();
    m_facts->verticalHeader()->hide();
    m_facts->horizontalHeader()->setStretchLastSection(true);
    m_facts->setShowGrid(false);
    m_facts->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_facts->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_facts->setWordWrap(false);
    auto* copy = new QAction(tr("Copy"), m_facts);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetShortcut);
    connect(copy, &QAction::triggered, this, &RunDetailsWidget::copyFacts);
    m_facts->addAction(copy);
    m_facts->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_labels->setPlaceholderText(tr("Labels: ablation paper-fig3 … (space-separated)"));
    connect(m_labels, &QLineEdit::editingFinished, this, [this] {
        const QStringList labels = m_labels->text().split(u' ', Qt::SkipEmptyParts);
        if (!m_id.isEmpty() && labels != m_shownLabels) {
            // What the user changed, not what the field holds: labels others added meanwhile stay.
            QStringList added;
            QStringList removed;
            for (const QString& label : labels) {
                if (!m_shownLabels.contains(label))
                    added << label;
            }
            for (const QString& label : std::as_const(m_shownLabels)) {
                if (!labels.contains(label))
                    removed << label;
            }
            m_shownLabels = labels;
            Q_EMIT labelsEdited(m_id, added, removed);
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
        if (!m_memo->document()->isModified()) { // shown, not typed; or typed back to what was saved (undone)
            if (m_autosave->isActive()) {
                m_autosave->stop();
                m_memoState->clear();
            }
            return;
        }
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

QString RunDetailsWidget::memoState() const
{
    return m_memoState->text();
}

void RunDetailsWidget::copyCommand() const
{
    if (!m_command.isEmpty())
        QGuiApplication::clipboard()->setText(m_command);
}

void RunDetailsWidget::copyFacts() const
{
    QStringList lines;
    for (int row = 0; row < m_facts->rowCount(); ++row) {
        if (m_facts->item(row, 0)->isSelected() && m_facts->columnSpan(row, 0) == 1) // a fact, not a heading
            lines << m_facts->item(row, 0)->text() + u'\t' + m_facts->item(row, 1)->data(Qt::UserRole).toString();
    }
    if (!lines.isEmpty())
        QGuiApplication::clipboard()->setText(lines.join(u'\n'));
}

void RunDetailsWidget::showFacts(const RunRecord* run)
{
    const QVector<RunFacts::Section> sections =
        run ? RunFacts::of(*run, QDateTime::currentDateTimeUtc(), RunFacts::outputTail(*run))
            : QVector<RunFacts::Section>();
    int rows = 0;
    for (const RunFacts::Section& section : sections)
        rows += 1 + static_cast<int>(section.facts.size());
    m_facts->clearSpans();
    m_facts->setRowCount(rows);
    QFont bold = font();
    bold.setBold(true);
    int row = 0;
    for (const RunFacts::Section& section : sections) {
        auto* title = new QTableWidgetItem(section.title); // a heading across both columns
        title->setFont(bold);
        title->setFlags(Qt::ItemIsEnabled);
        m_facts->setItem(row, 0, title);
        m_facts->setItem(row, 1, new QTableWidgetItem);
        m_facts->setSpan(row++, 0, 1, 2);
        for (const RunFacts::Fact& fact : section.facts) {
            auto* name = new QTableWidgetItem(fact.key);
            name->setForeground(palette().placeholderText());
            auto* value = new QTableWidgetItem(fact.shown);
            value->setData(Qt::UserRole, fact.exact);
            value->setToolTip(fact.exact);
            m_facts->setItem(row, 0, name);
            m_facts->setItem(row++, 1, value);
        }
    }
    m_facts->resizeColumnToContents(0);
    m_facts->resizeRowsToContents();
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
    showFacts(run);
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
