#include "RunDetailsWidget.h"

#include "registry/RunExport.h"
#include "spec/RunSpec.h"
#include "util/JsonText.h"

#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
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

void RunDetailsWidget::copyFacts() const
{
    QStringList lines;
    for (int row = 0; row < m_facts->rowCount(); ++row) {
        if (m_facts->item(row, 0)->isSelected())
            lines << m_facts->item(row, 0)->text() + u'\t' + m_facts->item(row, 1)->data(Qt::UserRole).toString();
    }
    if (!lines.isEmpty())
        QGuiApplication::clipboard()->setText(lines.join(u'\n'));
}

void RunDetailsWidget::showFacts(const RunRecord* run)
{
    QList<std::tuple<QString, QString, QString>> rows; // key, shown, exact
    if (run) {
        for (const auto& [label, value] : RunExport::facts(*run)) {
            if (label == QLatin1String("packages")) // hover or copy for every name
                rows.append({label, value, RunExport::packagesOf(*run).join(u'\n')});
            else if (label != QLatin1String("hparams") && label != QLatin1String("final metrics") &&
                     label != QLatin1String("memo") && label != QLatin1String("labels"))
                rows.append({label, value, value});
        }
        const QJsonObject hparams = RunSpec::applicable(run->hparams);
        for (auto it = hparams.begin(); it != hparams.end(); ++it)
            rows.append(
                {it.key(), JsonText::of(it.value(), 6), JsonText::of(it.value(), QLocale::FloatingPointShortest)});
        for (auto it = run->finalMetrics.begin(); it != run->finalMetrics.end(); ++it)
            rows.append({QStringLiteral("final ") + it.key(), JsonText::of(it.value(), 6),
                         JsonText::of(it.value(), QLocale::FloatingPointShortest)});
    }
    m_facts->setRowCount(static_cast<int>(rows.size()));
    for (int row = 0; row < rows.size(); ++row) {
        const auto& [key, shown, exact] = rows[row];
        auto* name = new QTableWidgetItem(key);
        name->setForeground(palette().placeholderText());
        auto* value = new QTableWidgetItem(shown);
        value->setData(Qt::UserRole, exact);
        value->setToolTip(exact);
        m_facts->setItem(row, 0, name);
        m_facts->setItem(row, 1, value);
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
