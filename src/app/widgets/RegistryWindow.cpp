#include "RegistryWindow.h"

#include "ProgressDelegate.h"
#include "RunDetailsWidget.h"
#include "charts/ChartPane.h"
#include "dispatch/CheckpointDownload.h"
#include "dispatch/DispatchActions.h"
#include "dispatch/EmbeddedRegistryTunnels.h"
#include "dispatch/HostsPanel.h"
#include "dispatch/QueuePanel.h"
#include "registry/AlertRules.h"
#include "registry/DatabaseUrl.h"
#include "registry/RegistryClient.h"
#include "registry/RegistryTableModel.h"
#include "registry/RuleAlerts.h"
#include "registry/RunFilterModel.h"
#include "registry/SweepRows.h"
#include "viewer/ViewerCache.h"
#include "viewer/ViewerWindow.h"

#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QSystemTrayIcon>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace jikken {

namespace {
constexpr int kRefreshMs = 3000;
// How long a change-feed request waits for a change: under the service's 30 s hold, and short enough
// that a link dropped without a word (a laptop's lid closed) is noticed soon.
constexpr int kFeedWaitMs = 20000;
// Past this many changed runs, one read of every run is cheaper than a read of each.
constexpr qsizetype kFewestRunsReadWhole = 20;
} // namespace

RegistryWindow::RegistryWindow(const RegistryConnector& connector, const QString& location, int lanes, QWidget* parent)
    : QMainWindow(parent), m_reader(std::make_unique<RegistryReader>(connector, location, lanes)),
      m_model(new RegistryTableModel(this)), m_proxy(new RunFilterModel(this)), m_filter(new QLineEdit),
      m_filterHint(new QLabel), m_status(new QComboBox), m_table(new QTableView), m_details(new RunDetailsWidget),
      m_chart(new ChartPane(*m_reader)), m_banner(new QLabel), m_top(new QSplitter),
      m_main(new QSplitter(Qt::Vertical)), m_hosts(new HostsPanel), m_hostsDock(new QDockWidget(tr("Hosts"))),
      m_queue(new QueuePanel(m_reader.get(), m_hosts->model())), m_download(new CheckpointDownload(this)),
      m_queueDock(new QDockWidget(tr("Queue")))
{
    // Said in the status bar, a failure until the next message: a download ends while the user does other things.
    connect(m_download, &CheckpointDownload::finished, this,
            [this](bool ok, const QString& message) { statusBar()->showMessage(message, ok ? 15000 : 0); });
    setWindowTitle(tr("Jikken — %1").arg(location));
    buildLayout();
    createMenus();
    restoreLayout();
    connectParts();
    m_poll = new QTimer(this);
    connect(m_poll, &QTimer::timeout, this, &RegistryWindow::refresh);
    m_poll->start(kRefreshMs);
    refresh();
    watchChanges({}, std::nullopt);
}

RegistryWindow::~RegistryWindow() = default;

void RegistryWindow::buildLayout()
{
    m_proxy->setSourceModel(m_model);
    m_filter->setPlaceholderText(tr("Filter: text, or model:resnet18 lr<0.05 status:running memo:\"gamma\""));
    m_filter->setToolTip(tr("Free text is looked for in the ID, method, model, dataset and memo.\n"
                            "key:value — id, method, model, dataset, status, host, memo, or any hyperparameter\n"
                            "key<x, key>=x, key!=x … — numbers: hyperparameters, error, best, epoch, step\n"
                            "\"quoted words\" keep their spaces; -term excludes"));
    m_filter->setClearButtonEnabled(true);
    m_status->setAccessibleName(tr("Status"));
    m_status->setToolTip(tr("Show the runs of one status only"));
    m_status->addItem(tr("All statuses"));
    for (const RunStatus status :
         {RunStatus::Running, RunStatus::Queued, RunStatus::Finished, RunStatus::Diverged, RunStatus::Failed,
          RunStatus::Stopped, RunStatus::Lost, RunStatus::Reserved, RunStatus::Unknown})
        m_status->addItem(toString(status), toString(status));
    m_table->setModel(m_proxy);
    m_sweepRows = new SweepRows(*m_reader, m_model, m_table, this);
    m_ruleAlerts = new RuleAlerts(*m_reader, AlertRules::defaultPath(), this);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(RegistryTableModel::Id, Qt::DescendingOrder); // newest first
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setAlternatingRowColors(true);
    // One line per run, all rows alike: a table of thousands scrolls evenly and never measures rows.
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 10);
    // Sized from what a column typically holds, not by measuring every row (ten thousand rows must open at
    // once): all but the memo fit at 1280 pixels beside the details, and the memo takes what is left.
    const int swatch = m_table->style()->pixelMetric(QStyle::PM_SmallIconSize) + 6; // beside the ID
    for (int column = 0; column < RegistryTableModel::Memo; ++column) {
        const QFontMetrics& metrics = m_table->fontMetrics();
        const int content = metrics.horizontalAdvance(RegistryTableModel::typicalText(column)) + 16;
        const int header = metrics.horizontalAdvance(m_model->headerData(column, Qt::Horizontal).toString()) + 20;
        m_table->setColumnWidth(column, std::max(content, header) + (column == RegistryTableModel::Id ? swatch : 0));
    }
    // An empty registry says how to fill it, where the runs will be.
    m_emptyHint = new QLabel(tr("<p><b>No runs yet.</b></p>"
                                "<p>Train one here: <code>jikken train spec.json</code> (the README has a spec),<br>"
                                "or on a GPU server: <b>Run › New Run…</b> once the server is in Settings,<br>"
                                "or bring the old spreadsheet in: <code>jikken import --csv sheet.csv</code>.</p>"),
                             m_table->viewport());
    m_emptyHint->setAlignment(Qt::AlignCenter);
    m_emptyHint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    (new QVBoxLayout(m_table->viewport()))->addWidget(m_emptyHint, 0, Qt::AlignCenter);
    m_emptyHint->setVisible(false);
    m_banner->setVisible(false);
    m_banner->setWordWrap(true);
    m_banner->setStyleSheet(QStringLiteral("background: #d98a1c; color: white; padding: 6px;"));

    auto* filters = new QHBoxLayout;
    filters->addWidget(m_filter, 1);
    filters->addWidget(m_status);
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_banner);
    leftLayout->addLayout(filters);
    m_filterHint->setVisible(false);
    leftLayout->addWidget(m_filterHint);
    leftLayout->addWidget(m_table, 1);
    m_top->addWidget(left);
    m_top->addWidget(m_details);
    m_top->setStretchFactor(0, 3);
    m_top->setStretchFactor(1, 1);
    m_main->addWidget(m_top);
    m_main->addWidget(m_chart);
    m_main->setStretchFactor(0, 1);
    m_main->setStretchFactor(1, 1);
    m_main->setSizes({1, 1}); // half the height each, until the user moves the handle
    m_chart->setMinimumHeight(260);
    setCentralWidget(m_main);
    resize(1280, 760);
    m_table->setItemDelegateForColumn(RegistryTableModel::Progress, new ProgressDelegate(m_table));
    m_hostsDock->setObjectName(QStringLiteral("hosts")); // for saveState
    m_hostsDock->setWidget(m_hosts);
    addDockWidget(Qt::RightDockWidgetArea, m_hostsDock);
    m_hostsDock->hide();
    m_queueDock->setObjectName(QStringLiteral("queue"));
    m_queueDock->setWidget(m_queue);
    addDockWidget(Qt::BottomDockWidgetArea, m_queueDock);
    m_queueDock->hide();
    connect(m_queueDock, &QDockWidget::visibilityChanged, m_queue, [this](bool visible) {
        if (visible)
            m_queue->refresh();
    });
    connect(m_queue, &QueuePanel::failed, this, [this](const QString& problem) {
        m_banner->setText(problem);
        m_banner->setVisible(true);
    });
    connect(m_queue, &QueuePanel::changed, this, &RegistryWindow::refresh);
    // The GPUs are probed when the panel is looked at, not at every start.
    connect(m_hostsDock, &QDockWidget::visibilityChanged, m_hosts, [this](bool visible) {
        if (visible)
            m_hosts->refresh();
    });
}

void RegistryWindow::connectParts()
{
    connect(m_filter, &QLineEdit::textChanged, this, &RegistryWindow::applyFilter);
    connect(m_status, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setStatus(runStatusFromString(m_status->currentData().toString())); });
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &RegistryWindow::showSelected);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        if (m_filtering)
            return; // rows hidden by the filter stay chosen, and on the chart
        m_chosen = selectedIds();
        m_chart->showRuns(m_chosen);
        showSelected();
    });
    m_chart->setRecordLookup([this](const QString& id) { return m_model->run(id); });
    connect(m_details, &RunDetailsWidget::memoEdited, this, &RegistryWindow::saveMemo);
    connect(m_details, &RunDetailsWidget::labelsEdited, this, &RegistryWindow::saveLabels);
    connect(m_model, &RegistryTableModel::runEnded, this, &RegistryWindow::announceEnd);
    connect(m_ruleAlerts, &RuleAlerts::ruleHolds, this,
            [this](const QString&, const QString& text) { announce(text, /*warning=*/true); });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this] { m_emptyHint->setVisible(false); });
    // A run whose row changed may have new points: its curves are read again at the next redraw.
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex& first, const QModelIndex& last) {
        QStringList ids;
        for (int row = first.row(); row <= last.row(); ++row)
            ids << m_model->index(row, 0).data(RegistryTableModel::IdRole).toString();
        m_chart->markStale(ids);
    });
}

void RegistryWindow::setDispatch(const ClientConfig& registry, const RegistryConnector& connector)
{
    delete m_dispatch;
    m_dispatch = new DispatchActions(registry, connector, this);
    connect(m_dispatch, &DispatchActions::started, this,
            [this](const QString& what) { statusBar()->showMessage(what); });
    connect(m_dispatch, &DispatchActions::done, this, [this](const QString& message) {
        m_banner->setVisible(false);
        statusBar()->showMessage(message, 15000);
    });
    connect(m_dispatch, &DispatchActions::failed, this, [this](const QString& problem) {
        statusBar()->clearMessage();
        m_banner->setText(problem);
        m_banner->setVisible(true);
    });
    connect(m_dispatch, &DispatchActions::runsChanged, this, &RegistryWindow::refresh);
    connect(m_hosts, &HostsPanel::agentRequested, m_dispatch, &DispatchActions::setAgent);
    // The embedded registry is a file here: runs on other hosts reach it through SSH tunnels.
    delete m_tunnels;
    m_tunnels = nullptr;
    if (!registry.isService() && !DatabaseUrl::isPostgresql(registry.database)) {
        m_tunnels = new EmbeddedRegistryTunnels(registry.database, this);
        connect(m_tunnels, &EmbeddedRegistryTunnels::news, this,
                [this](const QString& line) { statusBar()->showMessage(line, 15000); });
        m_dispatch->setRouter(m_tunnels->router());
        // Runs that went on while the app was closed deliver what they journaled once their tunnel is back.
        m_reader->ask(
            m_tunnels, RegistryReader::Kind::Quick,
            [](RegistryClient& registry, QString* error) {
                QStringList hosts;
                for (const RunStatus going : {RunStatus::Running, RunStatus::Lost}) {
                    RunFilter filter;
                    filter.status = going;
                    const auto runs = registry.runs(filter, error);
                    for (const RunRecord& run : runs.value_or(QVector<RunRecord>())) {
                        if (!run.host.isEmpty() && !hosts.contains(run.host))
                            hosts << run.host;
                    }
                }
                return hosts;
            },
            // An unreadable registry shows in the banner by itself.
            [tunnels = m_tunnels](const QStringList& hosts, const QString&) { tunnels->resume(hosts); });
    }
    for (QAction* action : std::as_const(m_dispatchActions))
        action->setEnabled(true);
}

void RegistryWindow::restoreLayout()
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("window"));
    restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("state")).toByteArray());
    m_top->restoreState(settings.value(QStringLiteral("top")).toByteArray());
    m_main->restoreState(settings.value(QStringLiteral("main")).toByteArray());
    // The chosen hyperparameter and metric columns first: the header's saved state counts them.
    for (const QString& key : settings.value(QStringLiteral("extraColumns")).toStringList())
        m_model->addExtraColumn(key);
    const QByteArray header = settings.value(QStringLiteral("columns")).toByteArray();
    if (!header.isEmpty())
        m_table->horizontalHeader()->restoreState(header);
    m_sweepRows->restoreSettings(settings);
    settings.endGroup();
    m_chart->restoreSettings(settings);
}

void RegistryWindow::saveLayout() const
{
    QSettings settings;
    settings.beginGroup(QStringLiteral("window"));
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("state"), saveState());
    settings.setValue(QStringLiteral("top"), m_top->saveState());
    settings.setValue(QStringLiteral("main"), m_main->saveState());
    settings.setValue(QStringLiteral("extraColumns"), m_model->extraColumns());
    settings.setValue(QStringLiteral("columns"), m_table->horizontalHeader()->saveState());
    m_sweepRows->saveSettings(settings);
    settings.endGroup();
    m_chart->saveSettings(settings);
}

void RegistryWindow::closeEvent(QCloseEvent* event)
{
    m_details->flushMemo(); // a memo typed a moment ago is saved, not dropped
    saveLayout();
    QMainWindow::closeEvent(event);
}

void RegistryWindow::refresh()
{
    if (std::exchange(m_polling, true)) {
        m_pollAgain = true; // what it reads may be older than what the caller knows changed
        return;
    }
    m_reader->ask(
        this, RegistryReader::Kind::Quick,
        [](RegistryClient& registry, QString* error) { return registry.runs({}, error); },
        [this](const std::optional<QVector<RunRecord>>& runs, const QString& error) {
            m_polling = false;
            if (runs)
                applyRuns(*runs);
            else
                showFailure(error);
            if (std::exchange(m_pollAgain, false))
                refresh();
        });
}

void RegistryWindow::watchChanges(const QString& feed, std::optional<qint64> revision)
{
    struct Answer
    {
        std::optional<RunChanges> changes;
        RegistryFailure failure = RegistryFailure::None;
    };
    // The first look only learns where the feed is (no wait); after it, each waits for a change.
    const int waitMs = revision ? kFeedWaitMs : 0;
    m_reader->ask(
        this, RegistryReader::Kind::Watch,
        [feed, revision, waitMs](RegistryClient& registry, QString* error) {
            Answer answer{registry.changes(feed, revision, waitMs, error), RegistryFailure::None};
            answer.failure = registry.lastFailure();
            return answer;
        },
        [this, feed](const Answer& answer, const QString&) {
            if (!answer.changes) {
                m_feed.clear();
                m_poll->start(kRefreshMs);
                if (m_viewer)
                    m_viewer->setModelsFollowed(false); // it polls its models again meanwhile
                // No feed here (a database refuses, an older service knows no such path): polling it
                // is. A feed out of reach: polled meanwhile, asked again soon.
                if (answer.failure != RegistryFailure::Refused && answer.failure != RegistryFailure::UnknownRun)
                    QTimer::singleShot(kRefreshMs, this, [this] { watchChanges({}, std::nullopt); });
                return;
            }
            const RunChanges& changes = *answer.changes;
            const bool everything = changes.feed != feed || changes.reset;
            if (everything)
                refresh(); // a new feed (or one that forgot): everything, read after its revision
            else if (!changes.runs.isEmpty())
                readRuns(changes.runs);
            if (m_viewer) {
                m_viewer->setModelsFollowed(true);
                m_viewer->modelsChanged(everything ? m_viewer->library().models() : changes.runs);
            }
            m_feed = changes.feed;
            m_poll->stop();
            watchChanges(changes.feed, changes.revision);
        });
}

void RegistryWindow::readRuns(const QStringList& ids)
{
    if (ids.size() > kFewestRunsReadWhole) {
        refresh();
        return;
    }
    m_reader->ask(
        this, RegistryReader::Kind::Quick,
        [ids](RegistryClient& registry, QString* error) {
            QVector<RunRecord> runs;
            for (const QString& id : ids) {
                QString problem;
                if (const auto run = registry.run(id, &problem))
                    runs.append(*run);
                else if (registry.lastFailure() != RegistryFailure::UnknownRun)
                    *error = problem; // an unknown run is one that is gone: nothing to show
            }
            return runs;
        },
        [this](const QVector<RunRecord>& runs, const QString& error) {
            if (!error.isEmpty()) {
                refresh(); // read them all when the link is back
                return;
            }
            m_banner->setVisible(false);
            for (const RunRecord& run : runs) {
                const RunRecord* was = m_model->run(run.id);
                if (!was || was->status != run.status)
                    m_sweepRows->refreshSoon(); // a sweep's counts may be others now
                m_model->updateRun(run);        // a changed row marks its curves stale, which redraws them
            }
            m_hosts->setRuns(m_model->runs());
            m_ruleAlerts->runsSeen(m_model->runs());
            fitIdColumn(runs);
            showSelected();
        });
}

void RegistryWindow::applyRuns(const QVector<RunRecord>& runs)
{
    m_banner->setVisible(false);
    m_model->setRuns(runs); // rows that changed mark their curves stale, which redraws them
    m_emptyHint->setVisible(m_model->rowCount() == 0);
    m_hosts->setRuns(runs);
    m_ruleAlerts->runsSeen(runs);
    m_sweepRows->refreshSoon();
    if (m_queueDock->isVisible()) // what waits and where it runs follows the runs
        m_queue->refresh();
    fitIdColumn(runs);
    showSelected();
}

void RegistryWindow::fitIdColumn(const QVector<RunRecord>& runs)
{
    // IDs are never cut off: the column grows to the widest. Only the longest IDs are measured, so ten
    // thousand rows cost a scan of their lengths.
    qsizetype longest = 0;
    for (const RunRecord& run : runs)
        longest = std::max(longest, run.id.size());
    int widest = 0;
    for (const RunRecord& run : runs) {
        if (run.id.size() >= longest - 2) // a narrower font's longer ID may still be wider
            widest = std::max(widest, m_table->fontMetrics().horizontalAdvance(run.id));
    }
    const int needed = widest + 24; // the cell's margins and the sort arrow
    if (m_table->columnWidth(RegistryTableModel::Id) < needed)
        m_table->setColumnWidth(RegistryTableModel::Id, needed);
}

void RegistryWindow::showFailure(const QString& error)
{
    m_banner->setText(tr("The registry cannot be read: %1. Trying again every few seconds.").arg(error));
    m_banner->setVisible(true);
}

void RegistryWindow::openInViewer()
{
    if (!m_viewer) {
        m_viewerCache = std::make_unique<ViewerCache>();
        m_viewer = std::make_unique<ViewerWindow>(m_viewerCache.get(), m_reader.get());
        m_viewer->setModelsFollowed(followsChanges()); // told of its models' changes, not polling them
    }
    m_viewer->open(selectedIds());
    m_viewer->show();
    m_viewer->raise();
    m_viewer->activateWindow();
}

void RegistryWindow::applyFilter(const QString& text)
{
    m_filtering = true;
    m_proxy->setText(text);
    // The runs chosen before stay chosen where they are still shown (and on the chart where they are not).
    QItemSelection chosen;
    QStringList hidden = m_chosen;
    for (int row = 0; row < m_proxy->rowCount(); ++row) {
        if (hidden.removeOne(m_proxy->index(row, 0).data(RegistryTableModel::IdRole).toString()))
            chosen.select(m_proxy->index(row, 0), m_proxy->index(row, m_proxy->columnCount() - 1));
    }
    m_table->selectionModel()->select(chosen, QItemSelectionModel::ClearAndSelect);
    m_filtering = false;
    showSelected(); // a chosen run in view, not "no run selected" beside highlighted rows
    const QString problem = m_proxy->problem();
    // Looked for only when nothing matches: gathering every run's keys costs 20 ms a keystroke at 10,000 runs.
    const QString keyProblem =
        m_proxy->rowCount() == 0 ? m_proxy->query().unknownKeyProblem(m_model->runs()) : QString();
    QStringList hints{!problem.isEmpty()      ? tr("Not read yet: %1; the rest of the query is applied.").arg(problem)
                      : !keyProblem.isEmpty() ? tr("No run matches: %1.").arg(keyProblem)
                      : m_proxy->rowCount() == 0 && !text.trimmed().isEmpty()
                          ? tr("No run matches “%1”.").arg(text.trimmed())
                          : QString()};
    // What is plotted is what is chosen: the chart says so of runs the filter hides.
    if (!hidden.isEmpty())
        hints << (hidden.size() == 1 ? tr("A chosen run the filter hides is still plotted: %1.")
                                     : tr("%2 chosen runs the filter hides are still plotted: %1."))
                     .arg(hidden.join(QStringLiteral(", ")))
                     .arg(hidden.size());
    hints.removeAll(QString());
    m_filterHint->setText(hints.join(u' '));
    m_filterHint->setVisible(!m_filterHint->text().isEmpty());
}

QStringList RegistryWindow::selectedIds() const
{
    return m_sweepRows->runsOf(m_table->selectionModel()->selectedRows());
}

void RegistryWindow::showSelected()
{
    // The current row when it is chosen, else the first chosen one: never "no run selected" beside
    // highlighted rows.
    const QItemSelectionModel* selection = m_table->selectionModel();
    QModelIndex shown = selection->currentIndex();
    if (!shown.isValid() || !selection->isSelected(shown))
        shown = selection->selectedRows().value(0);
    m_details->showRun(shown.isValid() ? m_model->run(shown.data(RegistryTableModel::IdRole).toString()) : nullptr);
}

void RegistryWindow::announceEnd(const RunRecord& run)
{
    announce(run.statusReason.isEmpty() ? tr("%1 %2").arg(run.id, toString(run.status))
                                        : tr("%1 %2: %3").arg(run.id, toString(run.status), run.statusReason),
             run.status != RunStatus::Finished);
}

void RegistryWindow::announce(const QString& text, bool warning)
{
    statusBar()->showMessage(text, 60000);
    // A desktop notification where the desktop has a tray (macOS, KDE, GNOME with the extension).
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        if (!m_tray) {
            m_tray = new QSystemTrayIcon(windowIcon(), this);
            m_tray->show();
        }
        m_tray->showMessage(tr("Jikken"), text, warning ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information);
    }
}

void RegistryWindow::writeRun(const QString& id, const QString& what,
                              std::function<bool(RegistryClient&, QString*)> write, std::function<void()> saved)
{
    m_reader->ask(
        this, RegistryReader::Kind::Write,
        [id, write = std::move(write)](RegistryClient& registry, QString* error) -> std::optional<RunRecord> {
            if (!write(registry, error))
                return std::nullopt;
            QString unread; // saved all the same: the next poll shows the run
            return registry.run(id, &unread).value_or(RunRecord());
        },
        [this, id, what, saved = std::move(saved)](const std::optional<RunRecord>& run, const QString& error) {
            if (!run) {
                m_banner->setText(tr("The %1 of %2 was not saved: %3").arg(what, id, error));
                m_banner->setVisible(true);
                return;
            }
            if (!run->id.isEmpty())
                m_model->updateRun(*run);
            saved();
        });
}

void RegistryWindow::saveLabels(const QString& id, const QStringList& added, const QStringList& removed)
{
    writeRun(
        id, tr("labels"),
        [id, added, removed](RegistryClient& registry, QString* error) {
            return registry.editLabels(id, added, removed, error).has_value();
        },
        [this] { showSelected(); });
}

void RegistryWindow::setRunColour(const QString& id, const QColor& colour)
{
    writeRun(
        id, tr("colour"),
        [id, colour](RegistryClient& registry, QString* error) { return registry.setColour(id, colour.name(), error); },
        [] {}); // the table shows the record anew, and the chart draws the run in its new colour
}

void RegistryWindow::saveMemo(const QString& id, const QString& memo)
{
    // On failure the text stays in the details pane, held for its run: nothing the user typed is lost.
    writeRun(
        id, tr("memo"),
        [id, memo](RegistryClient& registry, QString* error) { return registry.setMemo(id, memo, error); },
        [this, id, memo] { m_details->memoSaved(id, memo); });
}

} // namespace jikken
