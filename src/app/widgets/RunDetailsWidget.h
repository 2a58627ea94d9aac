#pragma once

#include "registry/RunRecord.h"

#include <QHash>
#include <QWidget>

class QLabel;
class QLineEdit;
class QTimer;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace jikken {

/// Everything about the selected run: its facts as an aligned table in sections (RunFacts: Run,
/// Hyperparameters — those that applied —, Results, Machine, Reproduce, and a failed or diverged run's last
/// output lines; numbers rounded for reading, exact on hover and when copied), the command that reproduces it (with a
/// copy button) and its memo, which the user edits here. What is typed is saved by itself: memoEdited is emitted a
/// moment after the typing stops, when another run is shown, on flushMemo (the window closing) and on the Save button.
/// A memo stays held here, and shown again for its run, until the window confirms it with memoSaved, so a save that
/// fails loses nothing. It never writes itself.
class RunDetailsWidget : public QWidget
{
    Q_OBJECT

public:
    explicit RunDetailsWidget(QWidget* parent = nullptr);

    /// Shows `run`; a memo being edited is kept unless it is another run's.
    void showRun(const RunRecord* run);
    QString shownId() const { return m_id; }
    QPlainTextEdit* memoEditor() const { return m_memo; }
    /// What the memo's save stands at: "editing…", "saving…", "saved", "not saved yet", or nothing.
    QString memoState() const;
    QPushButton* saveButton() const { return m_save; }
    QLineEdit* labelsEditor() const { return m_labels; }
    QTableWidget* factsTable() const { return m_facts; }
    /// Puts the selected facts on the clipboard, `key<TAB>exact value` per line.
    void copyFacts() const;
    /// Puts the shown run's command on the clipboard.
    void copyCommand() const;
    /// Emits memoEdited now for a memo typed and not yet saved.
    void flushMemo();
    /// The registry has `memo` for run `id`: nothing of it is left to save.
    void memoSaved(const QString& id, const QString& memo);
    /// How long typing must pause before the memo is saved.
    static constexpr int kAutosaveMs = 1500;

Q_SIGNALS:
    void memoEdited(const QString& id, const QString& memo);
    /// The user changed the run's labels (space-separated in the editor) and left the field: these were
    /// added and removed.
    void labelsEdited(const QString& id, const QStringList& added, const QStringList& removed);

private:
    QString m_id;
    QString m_command;
    QLabel* m_title;
    void showFacts(const RunRecord* run);

    QTableWidget* m_facts;
    QPlainTextEdit* m_memo;
    QPushButton* m_save;
    QPushButton* m_copy;
    QLabel* m_memoState;
    QTimer* m_autosave;
    QLineEdit* m_labels;
    QStringList m_shownLabels;         ///< the labels as the registry has them
    QHash<QString, QString> m_unsaved; ///< memos sent or to send, by run, until memoSaved confirms them
};

} // namespace jikken
