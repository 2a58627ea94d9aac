// The main window on the offscreen platform, over a real SQLite registry (and an unreachable service).
#include "charts/ChartCurve.h"
#include "charts/ChartPane.h"
#include "charts/PlotView.h"
#include "charts/RunColours.h"
#include "registry/HttpRegistryClient.h"
#include "registry/RegistryStore.h"
#include "registry/RegistryTableModel.h"
#include "viewer/ViewerWindow.h"
#include "widgets/RegistryWindow.h"
#include "widgets/RunDetailsWidget.h"

#include <QChart>
#include <QCheckBox>
#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSlider>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTemporaryDir>
#include <QValueAxis>
#include <QtTest>

using namespace jikken;

class TestRegistryWindow : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_path;
    QStringList m_ids;

    static std::unique_ptr<RegistryClient> open(const QString& path)
    {
        auto store = std::make_unique<RegistryStore>();
        QString error;
        if (!store->open(path, &error))
            qFatal("%s", qPrintable(error));
        return store;
    }

    static int rowOf(const QTableView* table, const QString& id)
    {
        for (int row = 0; row < table->model()->rowCount(); ++row) {
            if (table->model()->index(row, 0).data(RegistryTableModel::IdRole).toString() == id)
                return row;
        }
        return -1;
    }

    /// Adds the run's row to the selection (or takes it out), as a ctrl-click does.
    static void selectRun(QTableView* table, const QString& id, bool on = true)
    {
        table->selectionModel()->select(table->model()->index(rowOf(table, id), 0),
                                        (on ? QItemSelectionModel::Select : QItemSelectionModel::Deselect) |
                                            QItemSelectionModel::Rows);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // the remembered layout goes to a test location
        QSettings().clear();
        m_path = m_dir.filePath(QStringLiteral("registry.sqlite"));
        auto store = open(m_path);
        QString error;
        for (const char* method : {"softmax", "focalloss", "focalloss", "cbloss"})
            m_ids << store->reserve(QString::fromLatin1(method), &error)->toString();
        QVERIFY(store->setMemo(m_ids[1], QStringLiteral("gamma=2"), &error));
        QVERIFY(store->setStatus(m_ids[3], RunStatus::Running, {}, &error));
    }

    void filtersSelectsAndSavesTheMemo()
    {
        RegistryWindow window(open(m_path));
        window.show();
        QTableView* table = window.table();
        QCOMPARE(table->model()->rowCount(), 4);
        QCOMPARE(table->model()->index(0, 0).data().toString(), m_ids[3]); // newest first

        QTest::keyClicks(window.filterBox(), QStringLiteral("FOCAL"));
        QCOMPARE(table->model()->rowCount(), 2);
        window.filterBox()->clear();
        window.statusBox()->setCurrentIndex(window.statusBox()->findText(QStringLiteral("running")));
        QCOMPARE(table->model()->rowCount(), 1);
        window.statusBox()->setCurrentIndex(0);
        QCOMPARE(table->model()->rowCount(), 4);

        table->selectRow(rowOf(table, m_ids[1]));
        QCOMPARE(window.details()->shownId(), m_ids[1]);
        QCOMPARE(window.details()->memoEditor()->toPlainText(), QStringLiteral("gamma=2"));
        window.details()->memoEditor()->setPlainText(QStringLiteral("gamma=2, alpha=none"));
        window.details()->memoEditor()->document()->setModified(true);
        QTest::mouseClick(window.details()->saveButton(), Qt::LeftButton);
        QString error;
        QCOMPARE(open(m_path)->run(m_ids[1], &error)->memo, QStringLiteral("gamma=2, alpha=none"));
        QCOMPARE(table->model()->index(rowOf(table, m_ids[1]), RegistryTableModel::Memo).data().toString(),
                 QStringLiteral("gamma=2, alpha=none"));
    }

    // The filter takes queries, says when nothing matches or the query is unreadable, and the runs chosen
    // before stay chosen (and charted) while typing hides them.
    void theFilterTakesQueriesAndKeepsTheSelection()
    {
        RegistryWindow window(open(m_path));
        window.show();
        QTableView* table = window.table();
        selectRun(table, m_ids[0]);
        selectRun(table, m_ids[1]);
        QCOMPARE(window.chart()->shownRuns().size(), 2);
        QTest::keyClicks(window.filterBox(), QStringLiteral("method:focalloss -memo:gamma"));
        QCOMPARE(table->model()->rowCount(), 1);
        QCOMPARE(table->model()->index(0, 0).data(RegistryTableModel::IdRole).toString(), m_ids[2]);
        QCOMPARE(window.chart()->shownRuns().size(), 2); // the chosen runs are still on the chart
        window.filterBox()->setText(QStringLiteral("status:running"));
        QCOMPARE(table->model()->rowCount(), 1);
        window.filterBox()->setText(QStringLiteral("model:nothing-like-it"));
        QCOMPARE(table->model()->rowCount(), 0);
        QVERIFY(window.filterHint()->isVisible());
        QVERIFY(window.filterHint()->text().contains(QStringLiteral("No run matches")));
        window.filterBox()->setText(QStringLiteral("epoch<soon"));
        QVERIFY(window.filterHint()->text().contains(QStringLiteral("wants a number")));
        window.filterBox()->clear();
        QVERIFY(!window.filterHint()->isVisible());
        QCOMPARE(table->model()->rowCount(), 4);
        QStringList selected;
        for (const QModelIndex& row : table->selectionModel()->selectedRows())
            selected << row.data(RegistryTableModel::IdRole).toString();
        selected.sort();
        QStringList expected{m_ids[0], m_ids[1]};
        expected.sort();
        QCOMPARE(selected, expected); // chosen again once shown again
    }

    // A run that ends while the window is open is told: finished, failed (with why) or lost.
    void endedRunsAreAnnounced()
    {
        const QString path = m_dir.filePath(QStringLiteral("ending.sqlite")); // a registry of its own
        auto writer = open(path);
        QString error;
        const QString id = writer->reserve(QStringLiteral("ending"), &error)->toString();
        QVERIFY(writer->setStatus(id, RunStatus::Running, {}, &error));
        RegistryWindow window(open(path));
        QVERIFY(window.statusBar()->currentMessage().isEmpty() || !window.statusBar()->currentMessage().contains(id));
        QVERIFY(writer->setStatus(id, RunStatus::Failed, QStringLiteral("CUDA out of memory"), &error));
        window.refresh();
        QVERIFY2(window.statusBar()->currentMessage().contains(id) &&
                     window.statusBar()->currentMessage().contains(QStringLiteral("failed: CUDA out of memory")),
                 qPrintable(window.statusBar()->currentMessage()));
        window.statusBar()->clearMessage();
        window.refresh(); // told once, not at every poll
        QVERIFY(window.statusBar()->currentMessage().isEmpty());
    }

    // Labels typed in the details pane are stored, and the filter finds the run by them.
    void labelsAreEditedAndFiltered()
    {
        RegistryWindow window(open(m_path));
        window.show();
        QTableView* table = window.table();
        table->selectRow(rowOf(table, m_ids[2]));
        QLineEdit* labels = window.details()->labelsEditor();
        labels->setText(QStringLiteral("ablation  paper-fig3"));
        Q_EMIT labels->editingFinished();
        QString error;
        QCOMPARE(open(m_path)->run(m_ids[2], &error)->labels,
                 (QStringList{QStringLiteral("ablation"), QStringLiteral("paper-fig3")}));
        window.filterBox()->setText(QStringLiteral("tag:paper-fig3"));
        QCOMPARE(table->model()->rowCount(), 1);
        window.filterBox()->clear();
        table->selectRow(rowOf(table, m_ids[2]));
        labels->setText(QStringLiteral("bad,label"));
        Q_EMIT labels->editingFinished();
        QVERIFY2(window.banner()->text().contains(QStringLiteral("bad,label")), qPrintable(window.banner()->text()));
        QCOMPARE(open(m_path)->run(m_ids[2], &error)->labels.size(), 2); // refused whole
        QVERIFY(open(m_path)->setLabels(m_ids[2], {}, &error));
    }

    // What is typed in the memo is saved by itself: after a pause in typing, and at once when another run
    // is clicked (it used to be thrown away). A save that fails keeps the text for its run.
    void theMemoSavesItself()
    {
        RegistryWindow window(open(m_path));
        window.show();
        QTableView* table = window.table();
        table->selectRow(rowOf(table, m_ids[0]));
        QTest::keyClicks(window.details()->memoEditor(), QStringLiteral("typed, then paused"));
        QString error;
        QCOMPARE(open(m_path)->run(m_ids[0], &error)->memo, QString()); // not yet: typing may go on
        QTRY_COMPARE_WITH_TIMEOUT(open(m_path)->run(m_ids[0], &error)->memo, QStringLiteral("typed, then paused"),
                                  RunDetailsWidget::kAutosaveMs * 4);
        QVERIFY(!window.details()->memoEditor()->document()->isModified());

        table->selectRow(rowOf(table, m_ids[2]));
        QTest::keyClicks(window.details()->memoEditor(), QStringLiteral("switched away at once"));
        table->selectRow(rowOf(table, m_ids[0]));
        QCOMPARE(open(m_path)->run(m_ids[2], &error)->memo, QStringLiteral("switched away at once"));

        // The registry refuses (a memo too long for it): the text stays, shown again for its run.
        const QString tooLong =
            QString(QStringLiteral("%1\n").arg(QString(79, u'x'))).repeated(RunRecord::kMaxMemoLength / 80 + 1);
        table->selectRow(rowOf(table, m_ids[2]));
        window.details()->memoEditor()->setPlainText(tooLong);
        window.details()->memoEditor()->document()->setModified(true);
        table->selectRow(rowOf(table, m_ids[0]));
        QCOMPARE(open(m_path)->run(m_ids[2], &error)->memo, QStringLiteral("switched away at once"));
        table->selectRow(rowOf(table, m_ids[2]));
        QCOMPARE(window.details()->memoEditor()->toPlainText(), tooLong);
        window.details()->memoEditor()->clear(); // leave the shared registry as it was
        window.details()->memoEditor()->setPlainText(QString());
        QVERIFY(open(m_path)->setMemo(m_ids[0], QString(), &error));
        QVERIFY(open(m_path)->setMemo(m_ids[2], QString(), &error));
    }

    void liveUpdatesKeepTheSelectionAndTheTypedMemo()
    {
        RegistryWindow window(open(m_path));
        QTableView* table = window.table();
        table->selectRow(rowOf(table, m_ids[3]));
        window.details()->memoEditor()->setPlainText(QStringLiteral("half-typed"));
        window.details()->memoEditor()->document()->setModified(true);
        auto writer = open(m_path);
        QString error;
        QVERIFY(writer->reportProgress(m_ids[3], 5, 500, 0.3, &error));
        const QString fresh = writer->reserve(QStringLiteral("late"), &error)->toString();
        window.refresh();
        QCOMPARE(table->model()->rowCount(), 5);
        QVERIFY(rowOf(table, fresh) >= 0);
        const QModelIndex current = table->selectionModel()->currentIndex();
        QCOMPARE(current.data(RegistryTableModel::IdRole).toString(), m_ids[3]); // still selected
        QCOMPARE(table->model()->index(current.row(), RegistryTableModel::TestError).data().toString(),
                 QStringLiteral("0.3000"));
        QCOMPARE(window.details()->memoEditor()->toPlainText(), QStringLiteral("half-typed")); // not lost
    }

    void selectedRunsAreOverlaidInTheirColours()
    {
        auto writer = open(m_path);
        QString error;
        for (int i : {0, 2}) {
            QVector<ScalarPoint> points;
            for (int step = 1; step <= 5000; ++step)
                points.append(
                    {QStringLiteral("test/error"), step, 1.0 * step, 0.9 * std::exp(-step / (1000.0 + i * 500)) + 0.1});
            points.append({QStringLiteral("train/loss"), 1, 1.0, 2.0});
            QVERIFY(writer->addScalars(m_ids[i], points, &error));
        }
        RegistryWindow window(open(m_path));
        window.resize(1200, 800);
        window.show();
        QTableView* table = window.table();
        selectRun(table, m_ids[0]);
        selectRun(table, m_ids[2]);
        ChartPane* chart = window.chart();
        QCOMPARE(chart->tagBox()->count(), 2);
        QCOMPARE(chart->tagBox()->currentText(), QStringLiteral("test/error")); // the first curve people look at
        const QList<QAbstractSeries*> series = chart->chart()->series();
        QCOMPARE(series.size(), 2);
        auto* first = qobject_cast<QLineSeries*>(series[0]);
        QCOMPARE(first->name(), m_ids[0]);
        QCOMPARE(first->color(), RunColours::colour(m_ids[0]));
        // Reduced to the plot's width before QtCharts sees it, and smoothed as TensorBoard smooths.
        QVERIFY2(first->count() < 5000 && first->count() >= 200, qPrintable(QString::number(first->count())));
        chart->smoothing()->setValue(0);
        const double raw = qobject_cast<QLineSeries*>(chart->chart()->series()[0])->at(1).y();
        chart->smoothing()->setValue(90);
        const double smoothed = qobject_cast<QLineSeries*>(chart->chart()->series()[0])->at(1).y();
        QVERIFY(smoothed > raw); // a falling curve: the average lags above it
        // New points of a shown run arrive with its progress and are drawn at the next refresh.
        QVERIFY(writer->addScalars(m_ids[0], {{QStringLiteral("test/error"), 6000, 6000.0, 0.11}}, &error));
        QVERIFY(writer->reportProgress(m_ids[0], 7, 6000, 0.11, &error));
        window.refresh();
        auto* updated = qobject_cast<QLineSeries*>(chart->chart()->series()[0]);
        QCOMPARE(updated->at(updated->count() - 1).x(), 6000.0);
        chart->logScale()->setChecked(true);
        QCOMPARE(chart->chart()->series().size(), 2);
        QCOMPARE(chart->chart()->axes(Qt::Vertical).first()->type(), QAbstractAxis::AxisTypeLogValue);
        QDir().mkpath(QStringLiteral(JIKKEN_SCREENSHOT_DIR));
        QVERIFY(window.grab().save(QStringLiteral(JIKKEN_SCREENSHOT_DIR "/desktop-main-window.png")));
    }

    // Smoothing leaves sparse curves as measured: a six-point test error is drawn at its values.
    void sparseCurvesAreDrawnAsMeasured()
    {
        ScalarSeries sparse;
        for (int epoch = 1; epoch <= 6; ++epoch)
            sparse.append(epoch * 1000, epoch, 0.5 / epoch);
        ChartCurve few(sparse, true);
        few.setSmoothing(0.6);
        QVERIFY(!few.isSmoothed());
        for (int i = 0; i < few.size(); ++i)
            QCOMPARE(few.smoothed(i), static_cast<float>(few.value(i)));
        ScalarSeries dense;
        for (int step = 1; step <= ChartCurve::kFewestSmoothedPoints; ++step)
            dense.append(step, step, step % 2 ? 1.0 : 0.0);
        ChartCurve many(dense, true);
        many.setSmoothing(0.6);
        QVERIFY(many.isSmoothed());
        QVERIFY(many.smoothed(50) != static_cast<float>(many.value(50)));
    }

    // Runs selected together are drawn in distinct colours (a hash of the ID put 4 runs in 2 colours), and a
    // run keeps its colour while others come and go.
    void selectedRunsGetDistinctColoursAndKeepThem()
    {
        RegistryWindow window(open(m_path));
        window.resize(1200, 800);
        window.show();
        QTableView* table = window.table();
        for (const QString& id : m_ids.mid(0, 4))
            selectRun(table, id);
        const auto colours = [&] {
            QHash<QString, QColor> byRun;
            for (QAbstractSeries* series : window.chart()->chart()->series()) {
                if (auto* line = qobject_cast<QLineSeries*>(series))
                    byRun.insert(line->name(), line->color());
            }
            return byRun;
        };
        const QHash<QString, QColor> four = colours();
        QCOMPARE(four.size(), 4);
        QCOMPARE(
            QSet<QRgb>({four[m_ids[0]].rgb(), four[m_ids[1]].rgb(), four[m_ids[2]].rgb(), four[m_ids[3]].rgb()}).size(),
            4);
        selectRun(table, m_ids[1], false);
        selectRun(table, m_ids[1]);
        QCOMPARE(colours().value(m_ids[0]), four[m_ids[0]]);
        QCOMPARE(colours().value(m_ids[1]), four[m_ids[1]]);
        // Twenty keys shown at once: twenty colours.
        QStringList many;
        for (int i = 0; i < RunColours::paletteSize(); ++i)
            many << QStringLiteral("20190101_%1_many").arg(i + 1, 2, 10, QLatin1Char('0'));
        RunColours::show(many);
        QSet<QRgb> distinct;
        for (const QString& key : many)
            distinct.insert(RunColours::colour(key).rgb());
        QCOMPARE(distinct.size(), RunColours::paletteSize());
    }

    // With a background worker (as the app runs): a preview at once, every point later; zooming redraws
    // only what is in view; the x axis by step, relative or wall time; the read-out names exact values.
    void zoomsAndReadsOutInTheBackground()
    {
        auto writer = open(m_path);
        QString error;
        const QString id = writer->reserve(QStringLiteral("long"), &error)->toString();
        QVector<ScalarPoint> points;
        for (int step = 0; step < 20000; ++step)
            points.append({QStringLiteral("train/loss"), step, 1.7e9 + 2.0 * step, 1.0 + std::sin(step / 50.0)});
        QVERIFY(writer->addScalars(id, points, &error));
        RegistryWindow window(open(m_path), [this](QString*) { return open(m_path); });
        window.resize(1200, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTableView* table = window.table();
        table->selectRow(rowOf(table, id));
        ChartPane* chart = window.chart();
        QCOMPARE(chart->tagBox()->currentText(), QStringLiteral("train/loss"));
        const ChartCurve* preview = chart->curve(id, QStringLiteral("train/loss"));
        QVERIFY(preview && !preview->isEmpty());
        QTRY_VERIFY(chart->curve(id, QStringLiteral("train/loss"))->isComplete());
        QCOMPARE(chart->curve(id, QStringLiteral("train/loss"))->size(), 20000);
        auto* line = qobject_cast<QLineSeries*>(chart->chart()->series().first());
        QVERIFY2(line->count() <= 2 * 600 + 2, qPrintable(QString::number(line->count())));

        auto* x = qobject_cast<QValueAxis*>(chart->chart()->axes(Qt::Horizontal).first());
        x->setRange(1000, 1100);                               // as a rubber band or the wheel would
        QVERIFY(line->count() >= 100 && line->count() <= 104); // every point in view, one beyond each edge
        QVERIFY(line->at(0).x() >= 999 && line->at(line->count() - 1).x() <= 1101);
        QTest::keyClick(chart->view(), Qt::Key_Escape);
        x = qobject_cast<QValueAxis*>(chart->chart()->axes(Qt::Horizontal).first());
        QCOMPARE(x->min(), 0.0);
        QVERIFY(x->max() >= 19999 && x->max() <= 20000); // the whole curve, to a round tick

        const QString readout = chart->describePoint(id, 1500.4);
        QVERIFY2(readout.contains(QStringLiteral("step 1500 ")), qPrintable(readout));
        QVERIFY(readout.contains(QString::number(1.0 + std::sin(1500 / 50.0), 'g', 8)));
        chart->xAxisBox()->setCurrentIndex(1); // relative: hours since the first point
        auto* hours = qobject_cast<QValueAxis*>(chart->chart()->axes(Qt::Horizontal).first());
        QVERIFY(hours);
        QVERIFY(hours->max() >= 2.0 * 19999 / 3600.0);
        line = qobject_cast<QLineSeries*>(chart->chart()->series().first());
        QCOMPARE(line->at(line->count() - 1).x(), 2.0 * 19999 / 3600.0); // 11.1 hours after the first point
        chart->xAxisBox()->setCurrentIndex(2);
        QCOMPARE(chart->chart()->axes(Qt::Horizontal).first()->type(), QAbstractAxis::AxisTypeDateTime);
        line = qobject_cast<QLineSeries*>(chart->chart()->series().first());
        QCOMPARE(line->at(0).x(), 1.7e12);
    }

    // The column chooser hides a column; closing and opening the window keeps that, the sort and the chart's
    // settings.
    void remembersColumnsSortAndChartSettings()
    {
        {
            RegistryWindow window(open(m_path));
            window.show();
            QAction* memo = nullptr;
            for (QAction* action : window.columnsMenu()->actions()) {
                if (action->data().toInt() == RegistryTableModel::Memo)
                    memo = action;
            }
            QVERIFY(memo);
            Q_EMIT window.columnsMenu()->aboutToShow();
            QVERIFY(memo->isChecked());
            memo->toggle();
            QVERIFY(window.table()->horizontalHeader()->isSectionHidden(RegistryTableModel::Memo));
            window.table()->sortByColumn(RegistryTableModel::Method, Qt::AscendingOrder);
            window.chart()->smoothing()->setValue(25);
            window.chart()->logScale()->setChecked(true);
            window.close();
        }
        RegistryWindow again(open(m_path));
        QVERIFY(again.table()->horizontalHeader()->isSectionHidden(RegistryTableModel::Memo));
        QCOMPARE(again.table()->horizontalHeader()->sortIndicatorSection(), int(RegistryTableModel::Method));
        QCOMPARE(again.table()->model()->index(0, RegistryTableModel::Method).data().toString(),
                 QStringLiteral("cbloss"));
        QCOMPARE(again.chart()->smoothing()->value(), 25);
        QVERIFY(again.chart()->logScale()->isChecked());
        QSettings().clear();
    }

    void opensSelectedRunsInThePlotViewer()
    {
        auto writer = open(m_path);
        QString error;
        QVector<ScalarPoint> points;
        for (int step = 1; step <= 300; ++step)
            points.append({QStringLiteral("viewer/loss"), step, 1.0 * step, 1.0 / step});
        QVERIFY(writer->addScalars(m_ids[2], points, &error));
        RegistryWindow window(open(m_path));
        window.show();
        QTableView* table = window.table();
        selectRun(table, m_ids[2]);
        selectRun(table, m_ids[1]);
        QAction* openViewer = nullptr;
        for (QAction* action : window.findChildren<QAction*>()) {
            if (action->text() == QStringLiteral("Open in Plot &Viewer"))
                openViewer = action;
        }
        QVERIFY(openViewer);
        openViewer->trigger();
        ViewerWindow* viewer = nullptr;
        for (QWidget* widget : QApplication::topLevelWidgets()) {
            if (auto* found = qobject_cast<ViewerWindow*>(widget); found && found->isVisible())
                viewer = found;
        }
        QVERIFY(viewer);
        QCOMPARE(viewer->library().keys().size(), 2);
        QCOMPARE(viewer->library().run(m_ids[2])->scalars.value(QStringLiteral("viewer/loss")).size(), 300);
        QCOMPARE(viewer->library().run(m_ids[1])->method(), QStringLiteral("focalloss"));
        QVERIFY(!viewer->library().isOffline(m_ids[2]));
    }

    void anUnreachableServiceShowsABanner()
    {
        RegistryWindow window(std::make_unique<HttpRegistryClient>(QUrl(QStringLiteral("http://127.0.0.1:9")),
                                                                   QStringLiteral("jk_x"), 2000));
        window.show();
        QVERIFY(window.banner()->isVisibleTo(&window));
        QVERIFY2(window.banner()->text().contains(QStringLiteral("does not answer")),
                 qPrintable(window.banner()->text()));
        QCOMPARE(window.table()->model()->rowCount(), 0);
    }
};

QTEST_MAIN(TestRegistryWindow)
#include "TestRegistryWindow.moc"
