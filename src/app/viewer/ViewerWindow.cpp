#include "ViewerWindow.h"

#include "ViewerReading.h"

#include "ComparisonTables.h"
#include "FigureWidget.h"
#include "MediaPage.h"
#include "NotesPane.h"
#include "ParallelCoordinates.h"
#include "charts/CurveControls.h"
#include "charts/GroupingControls.h"
#include "charts/RunColours.h"
#include "ids/ModelId.h"
#include "registry/RegistryReader.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
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

namespace jikken {

namespace {

constexpr int kColourRole = Qt::UserRole + 1; ///< the colour a run's swatch shows

QIcon swatch(const QColor& colour)
{
    QPixmap pixmap(12, 12);
    pixmap.fill(colour);
    return QIcon(pixmap);
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
    QStringList models; // read together
    for (const QString& source : sources) {
        QString error;
        if (QFileInfo::exists(source))
            readLogdir(m_library.follow(source));
        else if (m_reader && ModelId::parse(source))
            models << source;
        else if (!ModelId::parse(source))
            readCached(source);                   // a logdir read before, not there now
        else if (!m_library.open(source, &error)) // a model, from the cache
            problems << error;
    }
    readModels(models);
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
