#pragma once

#include "CurveStore.h"
#include "FigureRenderer.h"
#include "viewer/RunLibrary.h"

#include <QFuture>
#include <QJsonArray>
#include <QMainWindow>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QListWidget;
class QTableWidget;
class QTabWidget;
class QTextBrowser;
class QTimer;
class QTreeWidget;

namespace jikken {

class GroupingControls;

class FigureWidget;
class NotesPane;
class RegistryReader;
class SmoothingControl;
class XAxisPicker;
class ParallelCoordinates;

/// The meeting-time plot viewer: runs from logdirs and the registry on the left, the figure (overlay
/// or small multiples), the summary table and the hyperparameters side by side in the middle, meeting
/// notes on the right. Sources are followed live (a second's poll reads only new bytes); every run read
/// is kept in the cache, so the same runs open in a meeting room with no network.
class ViewerWindow : public QMainWindow
{
    Q_OBJECT

public:
    /// `reader` may be null (logdirs and the cache only); both must outlive the window. Models are read
    /// through the reader and appear when they arrive.
    ViewerWindow(ViewerCache* cache, RegistryReader* reader, QWidget* parent = nullptr);
    ~ViewerWindow() override;

    /// Opens logdirs, event files or model IDs; problems are shown and returned (one line each). Models
    /// are asked of the registry and shown when they arrive (`modelsPending` until then).
    QStringList open(const QStringList& sources);
    /// How many models are asked of the registry and not answered yet.
    int modelsPending() const { return static_cast<int>(m_reading.size()); }
    /// How many logdirs are being read, from their files or from the cache (on a pool thread; their runs
    /// appear when read).
    int logdirsPending() const { return static_cast<int>(m_logdirsReading.size()) + m_cachedReads; }
    /// Shows these tags (all of a run's when empty and nothing is chosen yet), and these when they appear.
    void showTags(const QStringList& tags);
    /// Reads what the sources gained, off the window's thread, and redraws what changed when it arrives.
    /// Models are read again each time unless they are followed.
    void refresh();
    /// Whether the models' changes are told (`modelsChanged`, by a window that follows the registry's change
    /// feed) instead of each model being read again every second.
    void setModelsFollowed(bool followed) { m_modelsFollowed = followed; }
    bool modelsFollowed() const { return m_modelsFollowed; }
    /// These registry runs changed: those shown are read again (after a read under way, which may be older).
    void modelsChanged(const QStringList& ids);
    /// Writes the runs read since the last save to the offline cache on a pool thread (every 5 s; on
    /// close, at once).
    void saveToCache();

    const RunLibrary& library() const { return m_library; }
    FigureOptions options() const;
    void setOptions(const FigureOptions& options);
    FigureWidget* figure() const { return m_figure; }
    NotesPane* notes() const { return m_notes; }
    QTableWidget* summaryTable() const { return m_summary; }
    QTableWidget* hyperparameterTable() const { return m_hyperparameters; }
    QTextBrowser* mediaPage() const { return m_media; }
    ParallelCoordinates* parallelCoordinates() const { return m_parallel; }
    /// Checks a run in the runs list (a note's link does this), adding it from the registry if needed
    /// (checked when it arrives).
    bool showRun(const QString& idOrName, QString* error);
    /// The figure as a PNG beside the open note, linked into it; the path, or empty with `error`.
    QString insertFigureIntoNote(QString* error);
    /// The Summary as Markdown: a row per run, or per group when the figure groups runs.
    void insertSummaryIntoNote();
    /// Notes › Insert Pivot Table…: the dialog, and its table into the note when accepted.
    void insertPivotIntoNote();
    GroupingControls* grouping() const { return m_grouping; }
    /// What rows, columns and groups may go by: method, model, dataset and the runs' hyperparameters.
    QStringList groupableFields() const;
    bool exportFigure(const QString& path, QString* error);

    /// Presentation mode: full screen, large type; Page Down / Page Up step through the saved views.
    void setPresenting(bool presenting);
    bool isPresenting() const { return m_presenting; }
    void saveView();
    const QJsonArray& savedViews() const { return m_views; }
    void stepView(int delta);

protected:
    void keyPressEvent(QKeyEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    /// The figure's tabs in the middle, runs and tags on the left, meeting notes on the right.
    void layOutPanes();
    /// The figure's options: layout, x axis, smoothing, log y, title, legend template, baseline.
    void createToolBar();
    /// What follows the options, lists, figure and notes when they change.
    void connectParts();
    void buildMenus();
    void fillRunList();
    void fillTagList();
    void optionsChanged();
    void updateTables();
    QVector<const ViewerRun*> checkedRuns() const;
    /// Asks the reader for these models, those not asked already: the ones not in memory many a request;
    /// the others one by one, for the points that changed.
    void readModels(const QStringList& ids);
    /// Asks the reader for model `id` (the points only when they changed), unless that is asked already.
    void readModel(const QString& id);
    /// Asks for these models' records and every point, in one request: those `known` from the cache only
    /// when their records say they changed since.
    void readHistories(const QStringList& ids, const QHash<QString, RunLibrary::Known>& known);
    /// What a reader's thread read of a model: the reading, and the curves of the tags shown made there.
    struct ModelRead;
    /// Shows what was read of model `id` (or that it could not be, saying `error`), and reads it again if
    /// it changed meanwhile.
    void modelRead(const QString& id, ModelRead read, const QString& error);
    /// Reads what `logdir` gained on a pool thread, unless it is being read already.
    void readLogdir(const RunLibrary::Logdir& logdir);
    /// Reads what the cache holds of a logdir that is not there, on a pool thread.
    void readCached(const QString& logdir);
    /// The curves of each run read, made where it was read (run key -> tag -> curve).
    using CurvesByRun = QHash<QString, QHash<QString, ChartCurve>>;
    /// Runs read on a pool thread arrived: drawn at once with the curves made there.
    void runsRead(const QStringList& changed, const CurvesByRun& curves);
    /// Asks the reader for the records of logdir runs named by model IDs.
    void readRecords();
    /// Runs changed: the lists and the figure follow a moment later, once for a burst of arrivals.
    void runsChanged(const QStringList& keys);
    void applyChanges();
    /// Problems that leave the rest readable (a corrupt file, a registry gone, a cache not written), in the
    /// status bar for a while.
    void showWarnings(const QStringList& warnings);
    /// Checks the run's box in the list and shows the figure.
    void check(const QString& key);
    /// Checks the run a note's link asked for, once it is open.
    void checkWhenRead();

    RegistryReader* m_reader;
    RunLibrary m_library;
    QSet<QString> m_reading;   ///< models asked of the reader
    QSet<QString> m_readAgain; ///< models that changed while being read
    QSet<const LogdirRuns*> m_logdirsReading;
    int m_cachedReads = 0;    ///< logdirs being read from the cache
    QStringList m_wantedTags; ///< tags asked for (`showTags`), checked when they appear
    bool m_modelsFollowed = false;
    QSet<QString> m_recordsAsked; ///< logdir runs whose record was asked for
    QTimer* m_apply;              ///< fills the lists once after a burst of arrivals
    QString m_checkWhenRead;      ///< a model to check once it arrives (a note's link)
    CurveStore m_curves;
    FigureRenderer m_renderer;
    FigureWidget* m_figure;
    QTreeWidget* m_runs;
    QListWidget* m_tags;
    QLineEdit* m_tagFilter;
    QTabWidget* m_tabs;
    QTableWidget* m_summary;
    QTableWidget* m_hyperparameters;
    QTextBrowser* m_media;
    ParallelCoordinates* m_parallel;
    NotesPane* m_notes;
    QComboBox* m_layout;
    XAxisPicker* m_xAxis;
    SmoothingControl* m_smoothing;
    QCheckBox* m_logY;
    QLineEdit* m_title;  ///< the figure's title, for exports
    QLineEdit* m_legend; ///< the legend template, `{id} · {model} · lr={lr}`
    QComboBox* m_baseline;
    GroupingControls* m_grouping;
    QTimer* m_poll;
    class ShownCurves;
    std::shared_ptr<ShownCurves> m_shownCurves; ///< shared with the threads that read runs
    QFuture<QStringList> m_saving;              ///< the cache being written, on a pool thread
    std::optional<std::pair<double, double>> m_xRange;
    bool m_filling = false;
    bool m_presenting = false;
    QJsonArray m_views;
    int m_viewIndex = -1;
};

} // namespace jikken
