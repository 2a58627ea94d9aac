#pragma once

#include <QDate>
#include <QString>
#include <QWidget>

class QLabel;
class QListWidget;
class QPlainTextEdit;
class QTextBrowser;
class QTimer;

namespace jikken {

/// Meeting notes: Markdown files (`YYYYMMDD.md`) in a notes folder (default `mtg/` in the project
/// folder), edited as plain text beside a rendered preview in which model IDs are links that open the
/// runs. Saved as the user types (atomically, a moment after the last key), so the files can live in git.
class NotesPane : public QWidget
{
    Q_OBJECT

public:
    explicit NotesPane(QWidget* parent = nullptr);

    /// Lists the folder's notes (creating the folder when it is missing); false and `error` if it cannot.
    bool setFolder(const QString& folder, QString* error);
    const QString& folder() const { return m_folder; }
    const QString& currentPath() const { return m_path; }

    /// Opens `YYYYMMDD.md` of `day`, creating it with a heading when it does not exist.
    bool openDay(const QDate& day, QString* error);
    bool openNote(const QString& path, QString* error);
    /// Puts `markdown` at the cursor of the open note (a figure, a table).
    void insert(const QString& markdown);
    /// Saves now, if anything changed.
    bool save(QString* error);

    /// The note's Markdown with every model ID that is not already in a link made a `jikken:` link.
    static QString linkModelIds(const QString& markdown);

    QPlainTextEdit* editor() const { return m_editor; }
    QTextBrowser* preview() const { return m_preview; }

Q_SIGNALS:
    /// A model ID link in the preview was clicked.
    void runRequested(const QString& id);

private:
    void refreshList();
    void render();

    QString m_folder;
    QString m_path;
    bool m_dirty = false;
    QListWidget* m_notes;
    QPlainTextEdit* m_editor;
    QTextBrowser* m_preview;
    QLabel* m_status;
    QTimer* m_saveTimer;
};

} // namespace jikken
