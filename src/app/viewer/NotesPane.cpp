#include "NotesPane.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSplitter>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>

namespace jikken {

NotesPane::NotesPane(QWidget* parent)
    : QWidget(parent), m_notes(new QListWidget), m_editor(new QPlainTextEdit), m_preview(new QTextBrowser),
      m_status(new QLabel), m_saveTimer(new QTimer(this))
{
    auto* today = new QPushButton(tr("Today's Note"));
    connect(today, &QPushButton::clicked, this, [this] {
        QString error;
        if (!openDay(QDate::currentDate(), &error))
            m_status->setText(error);
    });
    auto* top = new QHBoxLayout;
    top->addWidget(today);
    top->addWidget(m_status, 1);
    m_notes->setMaximumHeight(120);
    connect(m_notes, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        QString error;
        if (!openNote(m_folder + u'/' + item->text(), &error))
            m_status->setText(error);
    });
    m_editor->setPlaceholderText(tr("Markdown. Model IDs become links to their runs."));
    m_editor->setEnabled(false);
    m_preview->setOpenLinks(false);
    connect(m_preview, &QTextBrowser::anchorClicked, this, [this](const QUrl& url) {
        if (url.scheme() == QLatin1String("jikken"))
            Q_EMIT runRequested(url.path());
    });
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(m_editor);
    split->addWidget(m_preview);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(m_notes);
    layout->addWidget(split, 1);

    m_saveTimer->setSingleShot(true);
    m_saveTimer->setInterval(800);
    connect(m_saveTimer, &QTimer::timeout, this, [this] {
        QString error;
        if (!save(&error))
            m_status->setText(error);
    });
    connect(m_editor, &QPlainTextEdit::textChanged, this, [this] {
        if (m_path.isEmpty())
            return;
        m_dirty = true;
        m_saveTimer->start();
        render();
    });
}

bool NotesPane::setFolder(const QString& folder, QString* error)
{
    if (!save(error))
        return false;
    if (!QDir().mkpath(folder)) {
        *error = tr("cannot create the notes folder %1").arg(folder);
        return false;
    }
    m_folder = QFileInfo(folder).absoluteFilePath();
    m_preview->document()->setBaseUrl(QUrl::fromLocalFile(m_folder + u'/'));
    refreshList();
    return true;
}

void NotesPane::refreshList()
{
    m_notes->clear();
    QStringList names = QDir(m_folder).entryList({QStringLiteral("*.md")}, QDir::Files, QDir::Name);
    std::reverse(names.begin(), names.end()); // the newest meeting first
    m_notes->addItems(names);
}

bool NotesPane::openDay(const QDate& day, QString* error)
{
    const QString path = m_folder + u'/' + day.toString(QStringLiteral("yyyyMMdd")) + QStringLiteral(".md");
    if (!QFileInfo::exists(path)) {
        QSaveFile file(path);
        const QByteArray heading = "# " + day.toString(Qt::ISODate).toUtf8() + "\n\n";
        if (!file.open(QIODevice::WriteOnly) || file.write(heading) != heading.size() || !file.commit()) {
            *error = tr("cannot create %1: %2").arg(path, file.errorString());
            return false;
        }
        refreshList();
    }
    return openNote(path, error);
}

bool NotesPane::openNote(const QString& path, QString* error)
{
    if (!save(error))
        return false;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = tr("cannot open %1: %2").arg(path, file.errorString());
        return false;
    }
    m_path.clear(); // no save while the text is replaced
    m_editor->setPlainText(QString::fromUtf8(file.readAll()));
    m_path = QFileInfo(path).absoluteFilePath();
    m_dirty = false;
    m_editor->setEnabled(true);
    m_status->setText(QFileInfo(path).fileName());
    render();
    return true;
}

void NotesPane::insert(const QString& markdown)
{
    if (m_path.isEmpty())
        return;
    m_editor->textCursor().insertText(markdown);
}

bool NotesPane::save(QString* error)
{
    if (!m_dirty || m_path.isEmpty())
        return true;
    QSaveFile file(m_path);
    const QByteArray text = m_editor->toPlainText().toUtf8();
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit()) {
        *error = tr("cannot save %1: %2").arg(m_path, file.errorString());
        return false;
    }
    m_dirty = false;
    return true;
}

QString NotesPane::linkModelIds(const QString& markdown)
{
    // An ID already inside a link's text or target, or in code, stays as written.
    static const QRegularExpression id(QStringLiteral("(`[^`]*`|\\[[^\\]]*\\]\\([^)]*\\)|<[^>]*>)|"
                                                      "(?<![\\w/])(\\d{8}_\\d{2,3}_[a-z0-9][a-z0-9-]*)(?![\\w-])"));
    QString out;
    qsizetype last = 0;
    for (auto it = id.globalMatch(markdown); it.hasNext();) {
        const auto match = it.next();
        out += markdown.mid(last, match.capturedStart() - last);
        if (match.hasCaptured(2) && !match.captured(2).isEmpty())
            out += QStringLiteral("[%1](jikken:%1)").arg(match.captured(2));
        else
            out += match.captured(0);
        last = match.capturedEnd();
    }
    return out + markdown.mid(last);
}

void NotesPane::render()
{
    m_preview->setMarkdown(linkModelIds(m_editor->toPlainText()));
}

} // namespace jikken
