#pragma once

#include "registry/RunRecord.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTextBrowser;

namespace jikken {

/// Everything about the selected run: its facts, the command that reproduces it (with a copy button) and
/// its memo, which the user edits here. Emits memoEdited when the user saves; it never writes itself.
class RunDetailsWidget : public QWidget
{
    Q_OBJECT

public:
    explicit RunDetailsWidget(QWidget* parent = nullptr);

    /// Shows `run`; a memo being edited is kept unless it is another run's.
    void showRun(const RunRecord* run);
    QString shownId() const { return m_id; }
    QPlainTextEdit* memoEditor() const { return m_memo; }
    QPushButton* saveButton() const { return m_save; }
    /// Puts the shown run's command on the clipboard.
    void copyCommand() const;

Q_SIGNALS:
    void memoEdited(const QString& id, const QString& memo);

private:
    QString m_id;
    QString m_command;
    QLabel* m_title;
    QTextBrowser* m_facts;
    QPlainTextEdit* m_memo;
    QPushButton* m_save;
    QPushButton* m_copy;
};

} // namespace jikken
