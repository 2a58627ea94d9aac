#pragma once

#include "registry/RegistryReader.h"

#include <QMainWindow>

#include <functional>
#include <memory>

class QColor;
class QComboBox;
class QDockWidget;
class QLabel;
class QSystemTrayIcon;
class QLineEdit;
class QMenu;
class QSplitter;
class QTableView;
class QTimer;

namespace jikken {

class RuleAlerts;

class CheckpointDownload;
class QueuePanel;
class SweepRows;

class ChartPane;
class DispatchActions;
class EmbeddedRegistryTunnels;
class HostsPanel;
struct ClientConfig;
class RegistryTableModel;
class RunDetailsWidget;
class RunFilterModel;
class ViewerCache;
class ViewerWindow;

/// The main window: the registry table (filter box, status filter, sortable columns) beside the selected
/// run's details, and the selected runs' curves below. It polls the registry and applies what changed in
/// place; an unreachable registry shows a banner and is tried again. Every read and write goes through one
/// RegistryReader (a client on a thread of its own), so the window never waits on the registry. Native menus
/// with the platform's shortcuts; the layout (window, splitters, columns shown, their widths and sort,
/// the chart's settings) is remembered with QSettings.
class RegistryWindow : public QMainWindow
{
    Q_OBJECT

public:
    /// `connector` opens the registry (on the reader's threads, `lanes` of them), `location` names it for
    /// people.
    RegistryWindow(const RegistryConnector& connector, const QString& location, int lanes = 1,
                   QWidget* parent = nullptr);
    ~RegistryWindow() override;

    /// Asks the registry for the runs now (the timer does it every few seconds); the table changes when
    /// they arrive.
    void refresh();
    /// Gives run `id` this colour in the registry, and so in every view (Run › Set Colour…).
    void setRunColour(const QString& id, const QColor& colour);
    RegistryReader& reader() const { return *m_reader; }
    RuleAlerts& ruleAlerts() const { return *m_ruleAlerts; }

    QTableView* table() const { return m_table; }
    QLineEdit* filterBox() const { return m_filter; }
    QLabel* filterHint() const { return m_filterHint; }
    /// What an empty registry shows in the table: how to start.
    QLabel* emptyHint() const { return m_emptyHint; }
    QComboBox* statusBox() const { return m_status; }
    RunDetailsWidget* details() const { return m_details; }
    ChartPane* chart() const { return m_chart; }
    QLabel* banner() const { return m_banner; }
    QMenu* columnsMenu() const { return m_columns; }
    HostsPanel* hosts() const { return m_hosts; }
    QDockWidget* hostsDock() const { return m_hostsDock; }
    QueuePanel* queue() const { return m_queue; }
    /// Run › Download Checkpoint…
    CheckpointDownload* download() const { return m_download; }
    QDockWidget* queueDock() const { return m_queueDock; }
    DispatchActions* dispatch() const { return m_dispatch; }
    /// Whether the window follows the registry's change feed (and polls no more).
    bool followsChanges() const { return !m_feed.isEmpty(); }
    EmbeddedRegistryTunnels* tunnels() const { return m_tunnels; }

    /// Turns on New run, Stop, Output and Attach: companions report to `registry`, and the background
    /// threads connect with `connector`.
    void setDispatch(const ClientConfig& registry, const RegistryConnector& connector);

Q_SIGNALS:
    /// The user asked for the registry settings (File › Settings…); the app shows them.
    void settingsRequested();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    /// The table, filters, details, chart and hosts dock, laid out.
    void buildLayout();
    /// What the parts tell each other: the filter, the selection, memo and label edits, ended runs.
    void connectParts();
    void createMenus();
    void createFileMenu();
    void createViewMenu(QMenu* view);
    /// View › Columns: the fixed columns, and one per hyperparameter or final metric the runs have.
    void createColumnsMenu(QMenu* view);
    /// Run: dispatch (enabled by setDispatch), copy ID and command.
    void createRunMenu();
    void createHelpMenu();
    void restoreLayout();
    void saveLayout() const;
    void applyRuns(const QVector<RunRecord>& runs);
    /// Follows the registry's change feed from `revision` of `feed` (none: from now): the runs that
    /// change are read as they change, and the table is no longer polled. A registry without a feed (a
    /// database here) is polled every few seconds; a feed out of reach is asked again as often.
    void watchChanges(const QString& feed, std::optional<qint64> revision);
    /// Reads these runs again (all runs, when many changed) and shows them.
    void readRuns(const QStringList& ids);
    void fitIdColumn(const QVector<RunRecord>& runs);
    void showFailure(const QString& error);
    void showSelected();
    QStringList selectedIds() const;
    /// Filters the table by `text` (RunQuery), keeping the chosen runs chosen.
    void applyFilter(const QString& text);
    /// The plot viewer on the selected runs (one viewer window, runs added as they are opened).
    void openInViewer();
    /// Has the reader make `write` (a change to run `id`); on success the table shows the run anew and
    /// `saved` runs, on failure the banner says that its `what` was not saved and why.
    void writeRun(const QString& id, const QString& what, std::function<bool(RegistryClient&, QString*)> write,
                  std::function<void()> saved);
    void saveLabels(const QString& id, const QStringList& added, const QStringList& removed);

    /// Tells the user that a run finished, failed or was lost: the status bar, and a desktop notification.
    void announceEnd(const RunRecord& run);
    /// The status bar, and a desktop notification where the desktop has a tray.
    void announce(const QString& text, bool warning);
    void saveMemo(const QString& id, const QString& memo);

    std::unique_ptr<RegistryReader> m_reader;
    bool m_polling = false;   ///< a poll is with the reader
    bool m_pollAgain = false; ///< asked to poll while one was with the reader: poll when it answers
    QTimer* m_poll;           ///< every few seconds while no change feed is followed
    QString m_feed;           ///< the change feed followed (its service process); empty: none
    RegistryTableModel* m_model;
    RunFilterModel* m_proxy;
    QLineEdit* m_filter;
    QLabel* m_filterHint; ///< "no run matches", or why the filter is not a query
    QStringList m_chosen; ///< the runs the user selected, kept while a filter hides some of them
    bool m_filtering = false;
    QComboBox* m_status;
    QTableView* m_table;
    RunDetailsWidget* m_details;
    ChartPane* m_chart;
    QLabel* m_banner;
    QLabel* m_emptyHint;
    QSystemTrayIcon* m_tray = nullptr; ///< made at the first notification
    QSplitter* m_top;
    QSplitter* m_main;
    QMenu* m_columns = nullptr;
    HostsPanel* m_hosts;
    QDockWidget* m_hostsDock;
    QueuePanel* m_queue;
    CheckpointDownload* m_download;
    SweepRows* m_sweepRows = nullptr;   ///< the table's sweep rows, read with the runs
    RuleAlerts* m_ruleAlerts = nullptr; ///< the user's alert rules, judged for the runs the table has
    QDockWidget* m_queueDock;
    DispatchActions* m_dispatch = nullptr;
    EmbeddedRegistryTunnels* m_tunnels = nullptr; ///< with an embedded registry: SSH tunnels to it
    QList<QAction*> m_dispatchActions;            ///< enabled once dispatch is set up
    // Last, so the viewer goes before the reader it asks.
    std::unique_ptr<ViewerCache> m_viewerCache;
    std::unique_ptr<ViewerWindow> m_viewer;
};

} // namespace jikken
