// ViewerWindow: what a meeting takes away (figures exported, figures, summaries and pivot tables in the
// notes) and the presentation of saved views.

#include "ViewerWindow.h"

#include "ComparisonTables.h"
#include "FigureExport.h"
#include "FigureWidget.h"
#include "NotesPane.h"
#include "PivotDialog.h"
#include "viewer/RunSummary.h"

#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QJsonDocument>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTabBar>
#include <QToolBar>

namespace jikken {

bool ViewerWindow::exportFigure(const QString& path, QString* error)
{
    FigureOptions shown = options();
    shown.fontScale = 1.25; // type a projector can show
    const bool written = FigureExport::write(path, m_renderer, m_library, shown, FigureExport::defaultSize(), 2, error);
    m_figure->setOptions(m_figure->options()); // the export laid the renderer out for its own page
    if (written && !m_library.readProblems().isEmpty()) {
        // Written from what was readable; the user must know what was not.
        QMessageBox::warning(
            this, tr("Export"),
            tr("Wrote %1 without what could not be read:\n%2").arg(path, m_library.readProblems().join(u'\n')));
    } else if (written) {
        statusBar()->showMessage(tr("Wrote %1").arg(path), 5000);
    }
    return written;
}

QString ViewerWindow::insertFigureIntoNote(QString* error)
{
    if (m_notes->currentPath().isEmpty()) {
        *error = tr("open a note first (Notes › Today's Note)");
        return {};
    }
    const QString stem = QFileInfo(m_notes->currentPath()).completeBaseName();
    QDir images(m_notes->folder() + QStringLiteral("/img"));
    if (!images.mkpath(QStringLiteral("."))) {
        *error = tr("cannot create %1").arg(images.path());
        return {};
    }
    QString name;
    for (int n = 1; name.isEmpty() || images.exists(name); ++n)
        name = QStringLiteral("%1_%2.png").arg(stem).arg(n, 2, 10, QLatin1Char('0'));
    if (!exportFigure(images.filePath(name), error))
        return {};
    QStringList runNames;
    for (const ViewerRun* run : checkedRuns())
        runNames << run->name;
    m_notes->insert(QStringLiteral("\n![%1](img/%2)\n\n%3\n")
                        .arg(options().tags.join(QStringLiteral(", ")), name, runNames.join(QStringLiteral(", "))));
    return images.filePath(name);
}

void ViewerWindow::insertSummaryIntoNote()
{
    const FigureOptions shown = options();
    m_notes->insert(u'\n' +
                    (shown.grouping.on
                         ? RunGroups::toMarkdown(shown.grouping.of(checkedRuns()), shown.tags)
                         : RunSummary::toMarkdown(checkedRuns(), shown.tags, m_baseline->currentData().toString())) +
                    u'\n');
}

QStringList ViewerWindow::groupableFields() const
{
    QVector<const ViewerRun*> runs;
    for (const QString& key : m_library.keys())
        runs.append(m_library.run(key));
    return QStringList{QStringLiteral("method"), QStringLiteral("model"), QStringLiteral("dataset")} +
           RunGroups::hyperparameterNames(runs);
}

void ViewerWindow::insertPivotIntoNote()
{
    const FigureOptions shown = options();
    QStringList tags = shown.tags;
    for (const QString& tag : m_library.allTags()) {
        if (!tags.contains(tag))
            tags << tag;
    }
    PivotDialog dialog(checkedRuns(), groupableFields(), tags, this);
    if (dialog.exec() == QDialog::Accepted)
        m_notes->insert(u'\n' + dialog.text() + u'\n');
}

void ViewerWindow::setPresenting(bool presenting)
{
    m_presenting = presenting;
    for (QDockWidget* dock : findChildren<QDockWidget*>())
        dock->setVisible(!presenting);
    for (QToolBar* bar : findChildren<QToolBar*>())
        bar->setVisible(!presenting);
    menuBar()->setVisible(!presenting);
    m_tabs->tabBar()->setVisible(!presenting);
    m_tabs->setCurrentWidget(m_figure);
    if (presenting)
        showFullScreen();
    else
        showNormal();
    optionsChanged();
}

void ViewerWindow::saveView()
{
    m_views.append(options().toJson());
    QSettings().setValue(QStringLiteral("viewer/views"), QJsonDocument(m_views).toJson(QJsonDocument::Compact));
    m_viewIndex = static_cast<int>(m_views.size()) - 1;
    statusBar()->showMessage(tr("View %1 saved; Page Down / Page Up step through the views").arg(m_views.size()), 5000);
}

void ViewerWindow::stepView(int delta)
{
    if (m_views.isEmpty())
        return;
    m_viewIndex = ((m_viewIndex + delta) % m_views.size() + m_views.size()) % static_cast<int>(m_views.size());
    setOptions(FigureOptions::fromJson(m_views[m_viewIndex].toObject()));
}

} // namespace jikken
