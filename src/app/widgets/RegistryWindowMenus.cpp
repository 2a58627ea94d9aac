// RegistryWindow: its menus (File, View with its columns, Run, Help) and what their actions do.

#include "RegistryWindow.h"

#include "RunDetailsWidget.h"
#include "charts/ChartPane.h"
#include "charts/RunColours.h"
#include "dispatch/CheckpointDownload.h"
#include "dispatch/DispatchActions.h"
#include "registry/RegistryTableModel.h"

#include <QClipboard>
#include <QColorDialog>
#include <QDockWidget>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QStatusBar>
#include <QTableView>

namespace jikken {

void RegistryWindow::createMenus()
{
    createFileMenu();
    QMenu* view = menuBar()->addMenu(tr("&View"));
    createViewMenu(view);
    createColumnsMenu(view);
    QAction* hostsToggle = m_hostsDock->toggleViewAction();
    hostsToggle->setText(tr("&Hosts and GPUs"));
    hostsToggle->setShortcut(QKeySequence(tr("Ctrl+Shift+H")));
    view->addAction(hostsToggle);
    QAction* queueToggle = m_queueDock->toggleViewAction();
    queueToggle->setText(tr("&Queue"));
    queueToggle->setShortcut(QKeySequence(tr("Ctrl+Shift+Q")));
    view->addAction(queueToggle);
    createRunMenu();
    createHelpMenu();
}

void RegistryWindow::createFileMenu()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* settings = file->addAction(tr("Registry &Settings…"), this, &RegistryWindow::settingsRequested);
    // Preferences is ⌘, on macOS (and moves to the application menu there); elsewhere it has no key.
    settings->setShortcuts({QKeySequence(QKeySequence::Preferences), QKeySequence(tr("Ctrl+,"))});
    settings->setMenuRole(QAction::PreferencesRole);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);
}

void RegistryWindow::createViewMenu(QMenu* view)
{
    view->addAction(tr("&Refresh"), this, &RegistryWindow::refresh)->setShortcut(QKeySequence::Refresh);
    view->addAction(tr("&Filter Runs"), this,
                    [this] {
                        m_filter->setFocus();
                        m_filter->selectAll();
                    })
        ->setShortcut(QKeySequence::Find);
    view->addAction(tr("Reset &Zoom"), m_chart, &ChartPane::reload)->setShortcut(QKeySequence(tr("Ctrl+0")));
    view->addAction(tr("Open in Plot &Viewer"), this, &RegistryWindow::openInViewer)
        ->setShortcut(QKeySequence(tr("Ctrl+Shift+V")));
}

void RegistryWindow::createColumnsMenu(QMenu* view)
{
    m_columns = view->addMenu(tr("&Columns"));
    QHeaderView* header = m_table->horizontalHeader();
    QList<QAction*> fixed;
    for (int column = RegistryTableModel::Method; column < RegistryTableModel::ColumnCount; ++column) {
        QAction* shown = m_columns->addAction(m_model->headerData(column, Qt::Horizontal).toString());
        shown->setCheckable(true);
        shown->setData(column);
        connect(shown, &QAction::toggled, header, [header, column](bool on) { header->setSectionHidden(column, !on); });
        fixed << shown;
    }
    m_columns->addSeparator();
    QMenu* hparams = m_columns->addMenu(tr("&Hyperparameters"));
    QMenu* metrics = m_columns->addMenu(tr("Final &Metrics"));
    // The header's context menu is the same chooser, where people look for it.
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(header, &QHeaderView::customContextMenuRequested, this,
            [this, header](const QPoint& at) { m_columns->exec(header->mapToGlobal(at)); });
    connect(m_columns, &QMenu::aboutToShow, this, [this, header, fixed, hparams, metrics] {
        for (QAction* shown : fixed) {
            const QSignalBlocker blocker(shown);
            shown->setChecked(!header->isSectionHidden(shown->data().toInt()));
        }
        // What the runs have now: a column per hyperparameter or final metric, added at the table's end.
        hparams->clear();
        metrics->clear();
        for (const QString& key : m_model->availableExtraColumns()) {
            QMenu* into = key.startsWith(QLatin1String("hparams/")) ? hparams : metrics;
            QAction* shown = into->addAction(key.section(u'/', 1));
            shown->setCheckable(true);
            shown->setChecked(m_model->extraColumn(key) >= 0);
            connect(shown, &QAction::toggled, this, [this, key](bool on) {
                if (on)
                    m_model->addExtraColumn(key);
                else
                    m_model->removeExtraColumn(key);
            });
        }
        hparams->setEnabled(!hparams->isEmpty());
        metrics->setEnabled(!metrics->isEmpty());
    });
}

void RegistryWindow::createRunMenu()
{
    QMenu* run = menuBar()->addMenu(tr("&Run"));
    const auto selectedRun = [this]() -> const RunRecord* {
        const QModelIndex current = m_table->selectionModel()->currentIndex();
        return current.isValid() ? m_model->run(current.data(RegistryTableModel::IdRole).toString()) : nullptr;
    };
    const auto dispatchAction = [this, run](const QString& text, const QKeySequence& key, auto slot) {
        QAction* action = run->addAction(text, this, slot);
        action->setShortcut(key);
        action->setEnabled(false);
        m_dispatchActions << action;
    };
    dispatchAction(tr("&New Run…"), QKeySequence::New, [this] { m_dispatch->newRun(); });
    dispatchAction(tr("Run &Again with Changes…"), QKeySequence(tr("Ctrl+Shift+N")), [this, selectedRun] {
        if (const RunRecord* from = selectedRun())
            m_dispatch->newRun(from);
    });
    dispatchAction(tr("&Stop"), QKeySequence(tr("Ctrl+.")), [this, selectedRun] {
        if (const RunRecord* target = selectedRun())
            m_dispatch->stop(target->id);
    });
    dispatchAction(tr("Show &Output"), QKeySequence(tr("Ctrl+Shift+O")), [this, selectedRun] {
        if (const RunRecord* target = selectedRun())
            m_dispatch->showOutput(target->id);
    });
    dispatchAction(tr("A&ttach in Terminal"), QKeySequence(tr("Ctrl+Shift+T")), [this, selectedRun] {
        if (const RunRecord* target = selectedRun())
            m_dispatch->attach(target->id);
    });
    run->addAction(tr("&Download Checkpoint…"), this, [this, selectedRun] {
        if (const RunRecord* target = selectedRun())
            m_download->ask(*target);
    });
    run->addSeparator();
    run->addAction(tr("Copy &ID"), this, [this] { QGuiApplication::clipboard()->setText(selectedIds().join(u'\n')); })
        ->setShortcut(QKeySequence(tr("Ctrl+Shift+C")));
    run->addAction(tr("Copy &Command"), m_details, &RunDetailsWidget::copyCommand);
    run->addAction(tr("Set Co&lour…"), this, [this, selectedRun] {
        const RunRecord* target = selectedRun();
        if (!target)
            return;
        const QColor chosen = QColorDialog::getColor(RunColours::of(*target), this, tr("Colour of %1").arg(target->id));
        if (chosen.isValid())
            setRunColour(target->id, chosen);
    });
}

void RegistryWindow::createHelpMenu()
{
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Jikken"), this,
                    [this] {
                        QMessageBox::about(
                            this, tr("About Jikken"),
                            tr("<b>Jikken %1</b><p>The model registry, live curves and training dispatch of one "
                               "researcher or one lab.</p><p>Registry: %2</p>")
                                .arg(QCoreApplication::applicationVersion(), m_reader->location().toHtmlEscaped()));
                    })
        ->setMenuRole(QAction::AboutRole);
}

} // namespace jikken
