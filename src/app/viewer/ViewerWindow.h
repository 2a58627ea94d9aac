#pragma once

#include "CurveStore.h"
#include "FigureRenderer.h"
#include "viewer/RunLibrary.h"

#include <QJsonArray>
#include <QMainWindow>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QListWidget;
class QTableWidget;
class QTabWidget;
class QTextBrowser;
class QTimer;
class QTreeWidget;

namespace jikken {

class FigureWidget;
class NotesPane;
class ParallelCoordinates;

/// The meeting-time plot viewer: runs from logdirs and the registry on the left, the figure (overlay
/// or small multiples), the summary table and the hyperparameters side by side in the middle, meeting
/// notes on the right. Sources are followed live (a second's poll reads only new bytes); every run read
/// is kept in the cache, so the same runs open in a meeting room with no network.
class ViewerWindow : public QMainWindow
{
    Q_OBJECT

public:
    /// `registry` may be null; both must outlive the window.
    ViewerWindow(ViewerCache* cache, RegistryClient* registry, QWidget* parent = nullptr);
    ~ViewerWindow() override;

    /// Opens logdirs, event files or model IDs; problems are shown and returned (one line each).
    QStringList open(const QStringList& sources);
    /// Shows these tags (all of a run's when empty and nothing is chosen yet).
    void showTags(const QStringList& tags);
    /// Reads what the sources gained and redraws what changed; the keys that changed.
    QStringList refresh();
    /// Writes the runs read since the last save to the offline cache (every 5 s, and on close).
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
    /// Checks a run in the runs list (a note's link does this), adding it from the registry if needed.
    bool showRun(const QString& idOrName, QString* error);
    /// The figure as a PNG beside the open note, linked into it; the path, or empty with `error`.
    QString insertFigureIntoNote(QString* error);
    void insertSummaryIntoNote();
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
    void buildMenus();
    void fillRunList();
    void fillTagList();
    void optionsChanged();
    void updateTables();
    QVector<const ViewerRun*> checkedRuns() const;

    RunLibrary m_library;
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
    QComboBox* m_xAxis;
    QDoubleSpinBox* m_smoothing;
    QCheckBox* m_logY;
    QLineEdit* m_title;  ///< the figure's title, for exports
    QLineEdit* m_legend; ///< the legend template, `{id} · {model} · lr={lr}`
    QComboBox* m_baseline;
    QTimer* m_poll;
    std::optional<std::pair<double, double>> m_xRange;
    bool m_filling = false;
    bool m_presenting = false;
    QJsonArray m_views;
    int m_viewIndex = -1;
};

} // namespace jikken
