#include "ViewerWindow.h"

#include "ComparisonTables.h"
#include "FigureExport.h"
#include "FigureWidget.h"
#include "MediaPage.h"
#include "NotesPane.h"
#include "ParallelCoordinates.h"
#include "PivotDialog.h"
#include "charts/CurveControls.h"
#include "charts/GroupingControls.h"
#include "charts/RunColours.h"
#include "ids/ModelId.h"
#include "registry/RegistryReader.h"
#include "viewer/RunSummary.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonDocument>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QPixmap>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QTextBrowser>
#include <QTimer>
#include <QToolBar>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <mutex>

namespace jikken {

namespace {

constexpr int kColourRole = Qt::UserRole + 1; ///< the colour a run's swatch shows

QIcon swatch(const QColor& colour)
{
    QPixmap pixmap(12, 12);
    pixmap.fill(colour);
    return QIcon(pixmap);
}

/// The tags a meeting looks at first, shown when nothing is chosen yet: errors, losses, accuracies.
bool isUsualTag(const QString& tag)
{
    return tag.contains(QLatin1String("err")) || tag.contains(QLatin1String("loss")) ||
           tag.contains(QLatin1String("acc"));
}

} // namespace

/// What the figure shows, for the threads that read runs to make its curves as they read: the window sets it
/// whenever it changes, a reader looks when its run is read (a logdir's first read ends a second after the
/// window asked for it, and the tags are chosen meanwhile).
class ViewerWindow::ShownCurves
{
public:
    void set(const QStringList& tags, double weight)
    {
        const std::lock_guard lock(m_mutex);
        m_tags = tags;
        m_weight = weight;
    }
    /// The curves of `run` to make where it was read: those of the tags shown, or before any are, of the
    /// usual tags.
    QHash<QString, ChartCurve> of(const ViewerRun& run) const
    {
        std::unique_lock lock(m_mutex);
        QStringList tags = m_tags;
        const double weight = m_weight;
        lock.unlock();
        if (tags.isEmpty()) {
            for (auto it = run.scalars.cbegin(); it != run.scalars.cend(); ++it) {
                if (isUsualTag(it.key()))
                    tags << it.key();
            }
        }
        return CurveStore::make(run, tags, weight);
    }

private:
    mutable std::mutex m_mutex;
    QStringList m_tags;
    double m_weight = 0;
};

namespace {

/// What a pool thread read, and the curves of the tags shown that it made for the runs it found.
template <typename Reading> struct ReadRuns
{
    Reading reading;
    QHash<QString, QHash<QString, ChartCurve>> curves; ///< run key -> tag -> curve
};

/// Runs `read` on a pool thread, makes there the curves `shown` asks of the runs it found (its `runs`), and
/// hands both to `take` on `context`'s thread: a hundred runs cost the window's thread neither the reading
/// nor the smoothing and pyramids.
template <typename Reading, typename Shown, typename Read, typename Take>
void readOffThread(QObject* context, Shown shown, Read read, std::vector<std::pair<ViewerRun, QString>> Reading::*runs,
                   Take take)
{
    auto* watcher = new QFutureWatcher<ReadRuns<Reading>>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, context, [watcher, take = std::move(take)] {
        watcher->deleteLater();
        ReadRuns<Reading> done = watcher->result();
        take(std::move(done.reading), done.curves);
    });
    watcher->setFuture(QtConcurrent::run([read = std::move(read), shown = std::move(shown), runs] {
        ReadRuns<Reading> done{read(), {}};
        for (const auto& [run, stamp] : done.reading.*runs)
            done.curves.insert(run.key, shown->of(run));
        return done;
    }));
}

} // namespace

ViewerWindow::ViewerWindow(ViewerCache* cache, RegistryReader* reader, QWidget* parent)
    : QMainWindow(parent), m_reader(reader), m_library(cache, nullptr), m_apply(new QTimer(this)), m_curves(m_library),
      m_renderer(m_library, m_curves), m_figure(new FigureWidget(m_renderer)), m_runs(new QTreeWidget),
      m_tags(new QListWidget), m_tagFilter(new QLineEdit), m_tabs(new QTabWidget), m_summary(new QTableWidget),
      m_hyperparameters(new QTableWidget), m_media(new QTextBrowser), m_parallel(new ParallelCoordinates),
      m_notes(new NotesPane), m_layout(new QComboBox), m_xAxis(new XAxisPicker), m_smoothing(new SmoothingControl),
      m_logY(new QCheckBox(tr("Log y"))), m_title(new QLineEdit), m_legend(new QLineEdit), m_baseline(new QComboBox),
      m_grouping(new GroupingControls), m_poll(new QTimer(this)), m_shownCurves(std::make_shared<ShownCurves>())
{
    layOutPanes();
    createToolBar();
    connectParts();
    buildMenus();

    QSettings settings;
    m_views = QJsonDocument::fromJson(settings.value(QStringLiteral("viewer/views")).toByteArray()).array();
    QString error;
    if (!m_notes->setFolder(
            settings.value(QStringLiteral("viewer/notes"), QDir::current().filePath(QStringLiteral("mtg"))).toString(),
            &error))
        statusBar()->showMessage(error);
    m_apply->setSingleShot(true);
    m_apply->setInterval(200); // a hundred models arriving: the lists and the figure follow five times a second
    connect(m_apply, &QTimer::timeout, this, &ViewerWindow::applyChanges);
    m_poll->setInterval(1000);
    connect(m_poll, &QTimer::timeout, this, &ViewerWindow::refresh);
    m_poll->start();
    // What was read goes to the cache every few seconds and at the end, never on the way to a chart.
    auto* save = new QTimer(this);
    save->setInterval(5000);
    connect(save, &QTimer::timeout, this, &ViewerWindow::saveToCache);
    save->start();
    resize(1400, 850);
}

void ViewerWindow::layOutPanes()
{
    setWindowTitle(tr("Jikken Viewer"));
    m_tabs->addTab(m_figure, tr("Charts"));
    m_tabs->addTab(m_summary, tr("Summary"));
    auto* hyperparameters = new QSplitter(Qt::Vertical);
    hyperparameters->addWidget(m_hyperparameters);
    hyperparameters->addWidget(m_parallel);
    m_tabs->addTab(hyperparameters, tr("Hyperparameters"));
    m_tabs->addTab(m_media, tr("Images and Text"));
    setCentralWidget(m_tabs);

    m_runs->setHeaderLabels({tr("Run"), tr("Method"), tr("Source")});
    m_runs->setRootIsDecorated(false);
    m_tagFilter->setPlaceholderText(tr("Filter tags"));
    m_tagFilter->setClearButtonEnabled(true);
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(4, 4, 4, 4);
    leftLayout->addWidget(new QLabel(tr("Runs")));
    leftLayout->addWidget(m_runs, 3);
    leftLayout->addWidget(new QLabel(tr("Tags")));
    leftLayout->addWidget(m_tagFilter);
    leftLayout->addWidget(m_tags, 2);
    auto* runsDock = new QDockWidget(tr("Runs and Tags"), this);
    runsDock->setObjectName(QStringLiteral("runs"));
    runsDock->setWidget(left);
    addDockWidget(Qt::LeftDockWidgetArea, runsDock);
    auto* notesDock = new QDockWidget(tr("Meeting Notes"), this);
    notesDock->setObjectName(QStringLiteral("notes"));
    notesDock->setWidget(m_notes);
    addDockWidget(Qt::RightDockWidgetArea, notesDock);
}

void ViewerWindow::createToolBar()
{
    auto* bar = addToolBar(tr("Figure"));
    bar->setObjectName(QStringLiteral("figure"));
    m_layout->addItems({tr("Small multiples"), tr("Overlay")});
    m_smoothing->setMinimumWidth(220);
    m_baseline->setToolTip(tr("The run the summary compares with"));
    bar->addWidget(m_layout);
    bar->addWidget(m_xAxis);
    bar->addWidget(m_smoothing);
    bar->addWidget(m_logY);
    m_title->setPlaceholderText(tr("Title"));
    m_title->setMaximumWidth(220);
    m_legend->setPlaceholderText(tr("Legend: {id} · {model} · lr={lr}"));
    m_legend->setToolTip(tr("Each run's legend entry: {id}, {method}, {model}, {dataset}, {status} or any "
                            "hyperparameter"));
    m_legend->setMaximumWidth(220);
    bar->addWidget(m_title);
    bar->addWidget(m_legend);
    bar->addWidget(m_grouping);
    bar->addWidget(new QLabel(tr("  Baseline ")));
    bar->addWidget(m_baseline);
}

void ViewerWindow::connectParts()
{
    connect(m_layout, &QComboBox::currentIndexChanged, this, &ViewerWindow::optionsChanged);
    connect(m_xAxis, &QComboBox::currentIndexChanged, this, [this] {
        m_xRange.reset(); // a zoom in steps means nothing in hours
        optionsChanged();
    });
    connect(m_smoothing, &SmoothingControl::weightChanged, this, &ViewerWindow::optionsChanged);
    connect(m_logY, &QCheckBox::toggled, this, &ViewerWindow::optionsChanged);
    connect(m_title, &QLineEdit::textChanged, this, &ViewerWindow::optionsChanged);
    connect(m_legend, &QLineEdit::textChanged, this, &ViewerWindow::optionsChanged);
    connect(m_baseline, &QComboBox::currentIndexChanged, this, &ViewerWindow::updateTables);
    connect(m_grouping, &GroupingControls::changed, this, &ViewerWindow::optionsChanged);
    connect(m_tabs, &QTabWidget::currentChanged, this, &ViewerWindow::updateTables);
    connect(m_runs, &QTreeWidget::itemChanged, this, &ViewerWindow::optionsChanged);
    connect(m_tags, &QListWidget::itemChanged, this, &ViewerWindow::optionsChanged);
    connect(m_tagFilter, &QLineEdit::textChanged, this, [this](const QString& text) {
        for (int i = 0; i < m_tags->count(); ++i)
            m_tags->item(i)->setHidden(!m_tags->item(i)->text().contains(text, Qt::CaseInsensitive));
    });
    connect(m_figure, &FigureWidget::xRangeChanged, this, [this](auto range) {
        m_xRange = range;
        optionsChanged();
    });
    connect(m_notes, &NotesPane::runRequested, this, [this](const QString& id) {
        QString error;
        if (!showRun(id, &error))
            statusBar()->showMessage(error, 8000);
    });
}

ViewerWindow::~ViewerWindow()
{
    m_saving.waitForFinished(); // it writes from the library's runs' copies into the cache this window holds
}

void ViewerWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open &Logdir…"), QKeySequence::Open, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a TensorBoard logdir"));
        if (!dir.isEmpty())
            open({dir});
    });
    file->addAction(tr("Open &Model…"), this, [this] {
        const QString id = QInputDialog::getText(this, tr("Open a model"), tr("Model ID:"));
        if (!id.isEmpty())
            open({id.trimmed()});
    });
    file->addSeparator();
    file->addAction(tr("&Export Figure…"), QKeySequence(QStringLiteral("Ctrl+E")), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export the figure"), QStringLiteral("figure.png"),
                                                          tr("Figures (*.png *.svg *.pdf);;Data (*.csv)"));
        QString error;
        if (!path.isEmpty() && !exportFigure(path, &error))
            QMessageBox::warning(this, tr("Export"), error);
    });
    file->addAction(tr("Notes &Folder…"), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Meeting notes folder"), m_notes->folder());
        QString error;
        if (dir.isEmpty())
            return;
        if (!m_notes->setFolder(dir, &error))
            QMessageBox::warning(this, tr("Notes"), error);
        else
            QSettings().setValue(QStringLiteral("viewer/notes"), dir);
    });
    QMenu* notes = menuBar()->addMenu(tr("&Notes"));
    notes->addAction(tr("&Today's Note"), QKeySequence(QStringLiteral("Ctrl+T")), this, [this] {
        QString error;
        if (!m_notes->openDay(QDate::currentDate(), &error))
            statusBar()->showMessage(error, 8000);
    });
    notes->addAction(tr("Insert &Figure"), QKeySequence(QStringLiteral("Ctrl+Shift+F")), this, [this] {
        QString error;
        if (insertFigureIntoNote(&error).isEmpty())
            statusBar()->showMessage(error, 8000);
    });
    notes->addAction(tr("Insert &Summary Table"), this, &ViewerWindow::insertSummaryIntoNote);
    notes->addAction(tr("Insert &Pivot Table…"), this, &ViewerWindow::insertPivotIntoNote);
    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("&Save View"), QKeySequence(QStringLiteral("Ctrl+D")), this, &ViewerWindow::saveView);
    view->addAction(tr("&Presentation"), QKeySequence(Qt::Key_F5), this, [this] { setPresenting(!m_presenting); });
    view->addAction(tr("Reset &Zoom"), QKeySequence(QStringLiteral("Ctrl+0")), this, [this] {
        m_xRange.reset();
        optionsChanged();
    });
    view->addAction(tr("Offline &Cache…"), this, [this] {
        QString text;
        qint64 bytes = 0;
        const auto entries = m_library.cache().entries();
        for (const ViewerCache::Entry& entry : entries) {
            text += tr("%1 — %2 points, cached %3, from %4\n")
                        .arg(entry.name)
                        .arg(entry.points)
                        .arg(entry.cachedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd hh:mm")), entry.source);
            bytes += entry.bytes;
        }
        QMessageBox box(QMessageBox::Information, tr("Offline cache"),
                        tr("%1 runs, %2 MB in %3")
                            .arg(entries.size())
                            .arg(bytes / 1e6, 0, 'f', 1)
                            .arg(m_library.cache().directory()),
                        QMessageBox::Ok, this);
        box.setDetailedText(text);
        box.exec();
    });
}

QStringList ViewerWindow::open(const QStringList& sources)
{
    QStringList problems;
    for (const QString& source : sources) {
        QString error;
        if (QFileInfo::exists(source))
            readLogdir(m_library.follow(source));
        else if (m_reader && ModelId::parse(source))
            readModel(source);
        else if (!ModelId::parse(source))
            readCached(source);                   // a logdir read before, not there now
        else if (!m_library.open(source, &error)) // a model, from the cache
            problems << error;
    }
    readRecords();
    if (!m_reading.isEmpty())
        statusBar()->showMessage(tr("Reading %1 models from %2…").arg(m_reading.size()).arg(m_reader->location()));
    fillRunList();
    fillTagList();
    optionsChanged();
    const QStringList shown = problems + m_library.readProblems();
    if (!shown.isEmpty())
        statusBar()->showMessage(shown.join(QStringLiteral("; ")), 15000);
    return problems;
}

void ViewerWindow::fillRunList()
{
    m_filling = true;
    QHash<QString, QTreeWidgetItem*> listed;
    for (int i = 0; i < m_runs->topLevelItemCount(); ++i)
        listed.insert(m_runs->topLevelItem(i)->data(0, Qt::UserRole).toString(), m_runs->topLevelItem(i));
    // Only what changed is set: a hundred models arriving refill the list five times a second, and each
    // item set is a row to lay out and paint again.
    const auto setText = [](QTreeWidgetItem* item, int column, const QString& text) {
        if (item->text(column) != text)
            item->setText(column, text);
    };
    bool added = false;
    for (const QString& key : m_library.keys()) {
        const ViewerRun* run = m_library.run(key);
        QTreeWidgetItem* item = listed.value(key);
        if (!item) {
            item = new QTreeWidgetItem(m_runs);
            item->setData(0, Qt::UserRole, key);
            item->setCheckState(0, Qt::Checked);
            added = true;
        }
        const QColor colour = RunColours::of(*run);
        if (item->data(0, kColourRole).value<QColor>() != colour) {
            item->setData(0, kColourRole, colour);
            item->setIcon(0, swatch(colour));
        }
        setText(item, 0, run->name);
        setText(item, 1, run->method());
        setText(item, 2, m_library.isOffline(key) ? tr("cached (offline)") : run->source);
        const QString tip = run->record ? run->record->memo : run->source;
        if (item->toolTip(0) != tip)
            item->setToolTip(0, tip);
    }
    if (added || m_baseline->count() != m_library.keys().size() + 1) {
        const QString baseline = m_baseline->currentData().toString();
        m_baseline->clear();
        m_baseline->addItem(tr("none"), QString());
        for (const QString& key : m_library.keys())
            m_baseline->addItem(m_library.run(key)->name, key);
        m_baseline->setCurrentIndex(qMax(0, m_baseline->findData(baseline)));
        m_runs->resizeColumnToContents(0);
    }
    m_filling = false;
}

void ViewerWindow::fillTagList()
{
    m_grouping->setFields(groupableFields());
    m_filling = true;
    QSet<QString> listed;
    for (int i = 0; i < m_tags->count(); ++i)
        listed.insert(m_tags->item(i)->text());
    const bool firstTags = listed.isEmpty();
    for (const QString& tag : m_library.allTags()) {
        if (listed.contains(tag))
            continue;
        auto* item = new QListWidgetItem(tag, m_tags);
        // At first, the usual tags: at most four.
        const bool shown =
            m_wantedTags.isEmpty() ? firstTags && isUsualTag(tag) && m_tags->count() <= 4 : m_wantedTags.contains(tag);
        item->setCheckState(shown ? Qt::Checked : Qt::Unchecked);
    }
    m_tags->sortItems();
    m_filling = false;
}

void ViewerWindow::showTags(const QStringList& tags)
{
    m_wantedTags = tags;
    m_filling = true;
    for (int i = 0; i < m_tags->count(); ++i)
        m_tags->item(i)->setCheckState(tags.contains(m_tags->item(i)->text()) ? Qt::Checked : Qt::Unchecked);
    m_filling = false;
    optionsChanged();
}

FigureOptions ViewerWindow::options() const
{
    FigureOptions options;
    for (int i = 0; i < m_runs->topLevelItemCount(); ++i) {
        if (m_runs->topLevelItem(i)->checkState(0) == Qt::Checked)
            options.runs << m_runs->topLevelItem(i)->data(0, Qt::UserRole).toString();
    }
    for (int i = 0; i < m_tags->count(); ++i) {
        if (m_tags->item(i)->checkState() == Qt::Checked)
            options.tags << m_tags->item(i)->text();
    }
    options.layout = m_layout->currentIndex() == 1 ? FigureOptions::Layout::Overlay : FigureOptions::Layout::Grid;
    options.xAxis = m_xAxis->axis();
    options.smoothing = m_smoothing->weight();
    options.logY = m_logY->isChecked();
    options.xRange = m_xRange;
    options.fontScale = m_presenting ? 2.0 : 1.0;
    options.title = m_title->text();
    options.legend = m_legend->text();
    options.grouping = m_grouping->grouping();
    return options;
}

void ViewerWindow::setOptions(const FigureOptions& options)
{
    m_filling = true;
    for (int i = 0; i < m_runs->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = m_runs->topLevelItem(i);
        item->setCheckState(0, options.runs.contains(item->data(0, Qt::UserRole).toString()) ? Qt::Checked
                                                                                             : Qt::Unchecked);
    }
    m_layout->setCurrentIndex(options.layout == FigureOptions::Layout::Overlay ? 1 : 0);
    m_xAxis->setAxis(options.xAxis);
    m_smoothing->setWeight(options.smoothing);
    m_logY->setChecked(options.logY);
    m_title->setText(options.title);
    m_legend->setText(options.legend);
    m_grouping->setGrouping(options.grouping);
    m_filling = false;
    m_xRange = options.xRange;
    showTags(options.tags);
}

void ViewerWindow::optionsChanged()
{
    if (m_filling)
        return;
    const FigureOptions shown = options();
    m_figure->setOptions(shown);
    m_shownCurves->set(shown.tags.isEmpty() ? m_wantedTags : shown.tags, shown.smoothing);
    updateTables();
}

QVector<const ViewerRun*> ViewerWindow::checkedRuns() const
{
    QVector<const ViewerRun*> runs;
    for (const QString& key : options().runs)
        runs.append(m_library.run(key));
    return runs;
}

void ViewerWindow::updateTables()
{
    // Only the page on show is filled, the others when they are shown: a live refresh every second must
    // not walk every point or decode every image for pages nobody looks at.
    if (m_filling)
        return;
    const FigureOptions shown = options();
    const QVector<const ViewerRun*> runs = checkedRuns();
    const QWidget* page = m_tabs->currentWidget();
    if (page == m_summary && shown.grouping.on) {
        ComparisonTables::fillGroupSummary(m_summary, shown.grouping.of(runs), shown.tags);
    } else if (page == m_summary) {
        ComparisonTables::fillSummary(m_summary, runs, shown.tags, m_baseline->currentData().toString());
    } else if (page == m_hyperparameters->parentWidget()) {
        ComparisonTables::fillHyperparameters(m_hyperparameters, runs);
        m_parallel->setRuns(runs, shown.tags.isEmpty() ? QString() : shown.tags.first());
    } else if (page == m_media) {
        MediaPage::fill(m_media, runs);
    }
}

void ViewerWindow::refresh()
{
    for (const RunLibrary::Logdir& logdir : m_library.logdirs())
        readLogdir(logdir);
    if (!m_modelsFollowed) {
        for (const QString& id : m_library.models())
            readModel(id); // what changed of them arrives later
    }
}

void ViewerWindow::readLogdir(const RunLibrary::Logdir& logdir)
{
    if (m_logdirsReading.contains(logdir.get()))
        return; // a slow share: the next poll starts after this one
    m_logdirsReading.insert(logdir.get());
    // A logdir of a hundred runs is a second of reading and CRCs, and its curves a fifth.
    readOffThread(
        this, m_shownCurves, [logdir] { return RunLibrary::readLogdir(*logdir); }, &RunLibrary::LogdirReading::changed,
        [this, logdir](RunLibrary::LogdirReading reading, const CurvesByRun& curves) {
            m_logdirsReading.remove(logdir.get());
            QStringList changed, warnings;
            QString error;
            if (!m_library.takeLogdir(logdir, std::move(reading), &changed, &warnings, &error))
                warnings << error;
            showWarnings(warnings);
            runsRead(changed, curves);
        });
}

void ViewerWindow::readCached(const QString& logdir)
{
    // A copy per run, and every copy's header read to find them: a hundred runs are a second or more. The
    // read takes a copy of the cache (a folder's name): it may outlive the window, and the cache it was given.
    ++m_cachedReads;
    readOffThread(
        this, m_shownCurves, [cache = m_library.cache(), logdir] { return RunLibrary::readCached(cache, logdir); },
        &RunLibrary::CachedReading::runs,
        [this](RunLibrary::CachedReading reading, const CurvesByRun& curves) {
            --m_cachedReads;
            QStringList changed;
            QString error;
            if (!m_library.takeCached(std::move(reading), &changed, &error))
                showWarnings({error});
            runsRead(changed, curves);
        });
}

void ViewerWindow::runsRead(const QStringList& changed, const CurvesByRun& curves)
{
    if (changed.isEmpty())
        return;
    for (const QString& key : changed) {
        m_curves.forget(key);
        m_curves.take(key, curves.value(key));
    }
    readRecords();
    applyChanges(); // at once: a logdir's runs arrive together
}

bool ViewerWindow::showRun(const QString& idOrName, QString* error)
{
    if (const QString key = m_library.keyForName(idOrName); !key.isEmpty()) {
        check(key);
        return true;
    }
    // Not open yet: opened as any source is (a model or a logdir read off the window's thread), and checked
    // once it is there.
    const QStringList problems = open({idOrName});
    if (!problems.isEmpty()) {
        *error = problems.first();
        return false;
    }
    m_checkWhenRead = idOrName;
    checkWhenRead();
    return true;
}

void ViewerWindow::checkWhenRead()
{
    const QString key = m_checkWhenRead.isEmpty() ? QString() : m_library.keyForName(m_checkWhenRead);
    if (key.isEmpty())
        return;
    check(key);
    m_checkWhenRead.clear();
}

void ViewerWindow::check(const QString& key)
{
    for (int i = 0; i < m_runs->topLevelItemCount(); ++i) {
        QTreeWidgetItem* item = m_runs->topLevelItem(i);
        if (item->data(0, Qt::UserRole).toString() == key) {
            item->setCheckState(0, Qt::Checked);
            m_runs->setCurrentItem(item);
        }
    }
    m_tabs->setCurrentWidget(m_figure);
    optionsChanged();
}

void ViewerWindow::modelsChanged(const QStringList& ids)
{
    for (const QString& id : ids) {
        if (!m_library.models().contains(id))
            continue;
        if (m_reading.contains(id))
            m_readAgain.insert(id);
        else
            readModel(id);
    }
}

void ViewerWindow::readModel(const QString& id)
{
    if (!m_reader || m_reading.contains(id))
        return;
    m_reading.insert(id);
    struct Read
    {
        std::optional<RunLibrary::ModelReading> reading;
        QHash<QString, ChartCurve> curves; ///< of the tags shown, when every point was read
    };
    m_reader->ask(
        this, RegistryReader::Kind::Long,
        [id, known = m_library.known(id), shown = m_shownCurves](RegistryClient& registry, QString* error) {
            Read read{RunLibrary::readModel(registry, id, known, error), {}};
            if (read.reading && read.reading->run && read.reading->tails.isEmpty())
                read.curves = shown->of(*read.reading->run);
            return read;
        },
        [this, id](Read read, const QString& error) {
            m_reading.remove(id);
            const bool wasShown = m_library.run(id) && !m_library.isOffline(id);
            std::optional<RunLibrary::ModelReading>& reading = read.reading;
            const bool newPoints = reading && reading->run;
            QString problem;
            const bool shown = reading ? m_library.takeModel(id, std::move(*reading), &problem)
                                       : m_library.modelUnavailable(id, error, &problem);
            if (!reading || !shown)
                statusBar()->showMessage(shown ? tr("%1: %2").arg(id, error) : problem, 15000);
            else if (m_reading.isEmpty())
                statusBar()->clearMessage();
            if (shown && (newPoints || !wasShown)) {
                runsChanged({id});
                m_curves.take(id, read.curves);
            } else if (shown) {
                updateTables(); // the record (memo, status) may have moved
            }
            if (m_readAgain.remove(id))
                readModel(id); // from what this read brought: only the points after it
        });
}

void ViewerWindow::readRecords()
{
    if (!m_reader)
        return;
    for (const QString& name : m_library.modelNamesWithoutRecord()) {
        if (m_recordsAsked.contains(name))
            continue;
        m_recordsAsked.insert(name);
        m_reader->ask(
            this, RegistryReader::Kind::Quick,
            [name](RegistryClient& registry, QString* error) { return registry.run(name, error); },
            [this, name](const std::optional<RunRecord>& record, const QString&) {
                if (!record)
                    return; // a logdir named like a model the registry does not know
                m_library.setRecord(name, *record);
                runsChanged({m_library.keyForName(name)});
            });
    }
}

void ViewerWindow::runsChanged(const QStringList& keys)
{
    for (const QString& key : keys)
        m_curves.forget(key);
    if (!m_apply->isActive())
        m_apply->start();
}

void ViewerWindow::applyChanges()
{
    fillRunList();
    fillTagList();
    optionsChanged();
    checkWhenRead();
}

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

void ViewerWindow::keyPressEvent(QKeyEvent* event)
{
    switch (event->key()) {
    case Qt::Key_PageDown:
    case Qt::Key_Space:
    case Qt::Key_Right:
        stepView(1);
        return;
    case Qt::Key_PageUp:
    case Qt::Key_Left:
        stepView(-1);
        return;
    case Qt::Key_Escape:
        if (m_presenting) {
            setPresenting(false);
            return;
        }
        break;
    default:
        break;
    }
    QMainWindow::keyPressEvent(event);
}

void ViewerWindow::showWarnings(const QStringList& warnings)
{
    if (!warnings.isEmpty())
        statusBar()->showMessage(warnings.join(QStringLiteral("; ")), 8000);
}

void ViewerWindow::saveToCache()
{
    if (m_saving.isRunning())
        return; // the last save is still writing; what is new waits for the next
    RunLibrary::Unsaved runs = m_library.takeUnsaved();
    if (runs.empty())
        return;
    // Written on a pool thread: a hundred runs take tens of milliseconds of disk, not the window's.
    // Not at idle priority: on Linux that is SCHED_IDLE, and closing the window waits for this write.
    m_saving = QtConcurrent::run([cache = &m_library.cache(), runs = std::move(runs)] {
        QStringList warnings;
        RunLibrary::store(*cache, runs, &warnings);
        return warnings;
    });
    auto* watcher = new QFutureWatcher<QStringList>(this);
    connect(watcher, &QFutureWatcher<QStringList>::finished, this, [this, watcher] {
        showWarnings(watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(m_saving);
}

void ViewerWindow::closeEvent(QCloseEvent* event)
{
    m_saving.waitForFinished();
    QStringList warnings;
    m_library.saveToCache(&warnings); // what is left, now: the window is going
    showWarnings(warnings);
    QString error;
    if (!m_notes->save(&error)) {
        QMessageBox::warning(this, tr("Notes"), error);
        event->ignore();
        return;
    }
    event->accept();
}

} // namespace jikken
