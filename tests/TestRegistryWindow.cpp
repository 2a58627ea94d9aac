// The main window on the offscreen platform, over a real SQLite registry (and an unreachable service).
#include "ServiceThread.h"
#include "charts/ChartPane.h"
#include "charts/CurveChart.h"
#include "charts/CurveLegend.h"
#include "charts/CurveMarks.h"
#include "charts/GroupingControls.h"
#include "charts/LineLayer.h"
#include "charts/OutlierRange.h"
#include "charts/PlotView.h"
#include "charts/ReadoutTip.h"
#include "charts/RunColours.h"
#include "charts/SmallMultiples.h"
#include "dispatch/CheckpointDownload.h"
#include "registry/AlertRules.h"
#include "registry/HttpRegistryClient.h"
#include "registry/RegistryStore.h"
#include "registry/RegistryTableModel.h"
#include "registry/RuleAlerts.h"
#include "registry/RunQueue.h"
#include "series/ChartCurve.h"
#include "viewer/ViewerWindow.h"
#include "widgets/RegistryWindow.h"
#include "widgets/RunDetailsWidget.h"

#include <QChart>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QCryptographicHash>
#include <QFontMetricsF>
#include <QGraphicsTextItem>
#include <QHash>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMenu>
#include <QMouseEvent>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTableWidget>
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

    /// What the window's reader opens the registry with.
    static RegistryConnector connectorTo(const QString& path)
    {
        return [path](QString*) -> std::unique_ptr<RegistryClient> { return open(path); };
    }

    /// Waits until the window's reader has answered everything asked (and what the answers asked), and
    /// the chart has drawn what arrived.
    /// Runs 0 and 2 get 5,000 points of a decaying `test/error` (each its own rate) and one of `train/loss`;
    /// the same points again change nothing.
    void giveRunsCurves()
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
    }

    static void settle(RegistryWindow& window)
    {
        QVERIFY(QTest::qWaitFor(
            [&window] { return window.reader().outstanding() == 0 && !window.chart()->isDrawPending(); }, 20000));
    }

    static std::unique_ptr<RegistryClient> open(const QString& path)
    {
        auto store = std::make_unique<RegistryStore>();
        QString error;
        if (!store->open(path, &error))
            qFatal("%s", qPrintable(error));
        return store;
    }

    /// Where `widget` paints `colour`'s hue (edges blended by antialiasing included): the pixels whose
    /// saturation is over `saturation` and whose hue is within 10 degrees of it.
    static QVector<QPoint> pixelsOfHue(QWidget& widget, const QColor& colour, int saturation)
    {
        const QImage image = widget.grab().toImage();
        QVector<QPoint> found;
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x) {
                const QColor pixel = image.pixelColor(x, y);
                const int apart = std::abs(pixel.hsvHue() - colour.hsvHue());
                if (pixel.hsvSaturation() > saturation && std::min(apart, 360 - apart) < 10)
                    found.append({x, y});
            }
        }
        return found;
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

    /// Selects the runs and opens them in the plot viewer from the menu; the viewer once it has read them
    /// (through the window's reader), or null.
    static ViewerWindow* openInViewer(RegistryWindow& window, const QStringList& ids)
    {
        window.table()->clearSelection();
        for (const QString& id : ids)
            selectRun(window.table(), id);
        for (QAction* action : window.findChildren<QAction*>()) {
            if (action->text() == QStringLiteral("Open in Plot &Viewer"))
                action->trigger();
        }
        settle(window);
        for (QWidget* widget : QApplication::topLevelWidgets()) {
            if (auto* viewer = qobject_cast<ViewerWindow*>(widget);
                viewer && viewer->isVisible() && viewer->parent() == nullptr)
                return viewer;
        }
        return nullptr;
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

    // An empty registry says how to start, in the table; the first run takes its place.
    void anEmptyRegistrySaysHowToStart()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("empty.sqlite"));
        auto store = open(path);
        RegistryWindow window(connectorTo(path), path);
        settle(window);
        window.resize(1280, 800);
        window.show();
        QTRY_VERIFY(window.emptyHint()->isVisible());
        QVERIFY(window.emptyHint()->text().contains(QStringLiteral("jikken train spec.json")));
        QVERIFY(window.emptyHint()->text().contains(QStringLiteral("New Run")));
        QVERIFY(window.emptyHint()->text().contains(QStringLiteral("jikken import")));
        QVERIFY(window.table()->viewport()->rect().contains(window.emptyHint()->geometry()));
        QString error;
        QVERIFY(store->reserve(QStringLiteral("first"), &error));
        window.refresh();
        settle(window);
        QTRY_COMPARE(window.table()->model()->rowCount(), 1);
        QVERIFY(!window.emptyHint()->isVisible());
        QCOMPARE(window.statusBox()->accessibleName(), QStringLiteral("Status")); // a labelled combo box
    }

    void filtersSelectsAndSavesTheMemo()
    {
        RegistryWindow window(connectorTo(m_path), m_path);
        settle(window);
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
        settle(window);
        QString error;
        QCOMPARE(open(m_path)->run(m_ids[1], &error)->memo, QStringLiteral("gamma=2, alpha=none"));
        QCOMPARE(table->model()->index(rowOf(table, m_ids[1]), RegistryTableModel::Memo).data().toString(),
                 QStringLiteral("gamma=2, alpha=none"));
    }

    // The filter takes queries, says when nothing matches or the query is unreadable, and the runs chosen
    // before stay chosen (and charted) while typing hides them.
    void theFilterTakesQueriesAndKeepsTheSelection()
    {
        RegistryWindow window(connectorTo(m_path), m_path);
        settle(window);
        window.show();
        QTableView* table = window.table();
        selectRun(table, m_ids[0]);
        selectRun(table, m_ids[1]);
        QCOMPARE(window.chart()->shownRuns().size(), 2);
        QTest::keyClicks(window.filterBox(), QStringLiteral("method:focalloss -memo:gamma"));
        QCOMPARE(table->model()->rowCount(), 1);
        QCOMPARE(table->model()->index(0, 0).data(RegistryTableModel::IdRole).toString(), m_ids[2]);
        QCOMPARE(window.chart()->shownRuns().size(), 2); // the chosen runs are still on the chart
        QVERIFY2(
            window.filterHint()->text().contains(QStringLiteral("2 chosen runs the filter hides are still plotted")) &&
                window.filterHint()->text().contains(m_ids[0]),
            qPrintable(window.filterHint()->text()));     // and the window says so
        QCOMPARE(window.details()->shownId(), QString()); // none of them in view
        window.filterBox()->setText(QStringLiteral("method:focalloss"));
        QCOMPARE(window.details()->shownId(), m_ids[1]); // a chosen run in view is the one detailed
        QVERIFY2(window.filterHint()->text().contains(QStringLiteral("A chosen run the filter hides")),
                 qPrintable(window.filterHint()->text()));
        // A term being typed is left out until it can be read: the table is not filtered by a half-typed query.
        window.filterBox()->setText(QStringLiteral("method:focalloss epoch<0"));
        QCOMPARE(table->model()->rowCount(), 0);
        window.filterBox()->setText(QStringLiteral("method:focalloss epoch<0x"));
        QCOMPARE(table->model()->rowCount(), 2); // method:focalloss alone, not the half-typed epoch<0
        QVERIFY(window.filterHint()->text().contains(QStringLiteral("wants a number")));
        window.filterBox()->setText(QStringLiteral("method:focalloss memo:\"gam"));
        QCOMPARE(table->model()->rowCount(), 2);
        QVERIFY(window.filterHint()->text().contains(QStringLiteral("quote")));
        // An unknown key names itself and the nearest key there is.
        window.filterBox()->setText(QStringLiteral("epohc<3"));
        QVERIFY2(window.filterHint()->text().contains(QStringLiteral("no run has “epohc”; the nearest key is “epoch”")),
                 qPrintable(window.filterHint()->text()));
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
        RegistryWindow window(connectorTo(path), path);
        settle(window);
        QVERIFY(window.statusBar()->currentMessage().isEmpty() || !window.statusBar()->currentMessage().contains(id));
        QVERIFY(writer->setStatus(id, RunStatus::Failed, QStringLiteral("CUDA out of memory"), &error));
        window.refresh();
        settle(window);
        QVERIFY2(window.statusBar()->currentMessage().contains(id) &&
                     window.statusBar()->currentMessage().contains(QStringLiteral("failed: CUDA out of memory")),
                 qPrintable(window.statusBar()->currentMessage()));
        window.statusBar()->clearMessage();
        window.refresh();
        settle(window); // told once, not at every poll
        QVERIFY(window.statusBar()->currentMessage().isEmpty());
    }

    // The user's alert rules (the file `jikken alert` keeps), judged by a desktop on a local registry, which has
    // no service to judge them: each told once, in the status bar (and the tray where there is one).
    void alertRulesAreJudgedForALocalRegistry()
    {
        const QString rulesPath = AlertRules::defaultPath(); // a test location (QStandardPaths' test mode)
        QString error;
        QVERIFY(AlertRules::write(rulesPath,
                                  {*AlertRule::fromJson({{QStringLiteral("name"), QStringLiteral("stalled")},
                                                         {QStringLiteral("kind"), QStringLiteral("stalled")},
                                                         {QStringLiteral("minutes"), 60}},
                                                        &error),
                                   *AlertRule::fromJson({{QStringLiteral("name"), QStringLiteral("target")},
                                                         {QStringLiteral("kind"), QStringLiteral("crossing")},
                                                         {QStringLiteral("metric"), QStringLiteral("test/error")},
                                                         {QStringLiteral("below"), 0.1}},
                                                        &error)},
                                  &error));
        const auto removeRules = qScopeGuard([&] { QFile::remove(rulesPath); });
        const QString path = m_dir.filePath(QStringLiteral("alerting.sqlite"));
        auto writer = open(path);
        const QString id = writer->reserve(QStringLiteral("alerting"), &error)->toString();
        QVERIFY(writer->setStatus(id, RunStatus::Running, {}, &error));
        QVERIFY(writer->addScalars(id, {{QStringLiteral("test/error"), 1, 1.0, 0.3}}, &error));
        RegistryWindow window(connectorTo(path), path);
        const QDateTime start = QDateTime::currentDateTimeUtc();
        int minutes = 0;
        window.ruleAlerts().setClock([&] { return start.addSecs(minutes * 60); });
        settle(window);
        window.ruleAlerts().check();
        settle(window);
        QVERIFY(!window.statusBar()->currentMessage().contains(id));
        QVERIFY(writer->addScalars(id, {{QStringLiteral("test/error"), 2, 2.0, 0.05}}, &error));
        window.ruleAlerts().check();
        settle(window);
        QVERIFY2(window.statusBar()->currentMessage().startsWith(
                     id + QStringLiteral(" crossing: test/error 0.05 at step 2")),
                 qPrintable(window.statusBar()->currentMessage()));
        window.statusBar()->clearMessage();
        minutes = 59;
        window.refresh();
        settle(window);
        QVERIFY(window.statusBar()->currentMessage().isEmpty());
        minutes = 61; // its last step came at minute 0
        window.refresh();
        settle(window);
        QVERIFY2(
            window.statusBar()->currentMessage().startsWith(id + QStringLiteral(" stalled: no new step for 61 min")),
            qPrintable(window.statusBar()->currentMessage()));
        window.statusBar()->clearMessage();
        minutes = 200;
        window.refresh();
        window.ruleAlerts().check();
        settle(window); // each once
        QVERIFY(window.statusBar()->currentMessage().isEmpty());
    }

    // Labels typed in the details pane are stored, and the filter finds the run by them.
    void labelsAreEditedAndFiltered()
    {
        RegistryWindow window(connectorTo(m_path), m_path);
        settle(window);
        window.show();
        QTableView* table = window.table();
        table->selectRow(rowOf(table, m_ids[2]));
        QLineEdit* labels = window.details()->labelsEditor();
        labels->setText(QStringLiteral("ablation  paper-fig3"));
        Q_EMIT labels->editingFinished();
        settle(window);
        QString error;
        QCOMPARE(open(m_path)->run(m_ids[2], &error)->labels,
                 (QStringList{QStringLiteral("ablation"), QStringLiteral("paper-fig3")}));
        window.filterBox()->setText(QStringLiteral("tag:paper-fig3"));
        QCOMPARE(table->model()->rowCount(), 1);
        window.filterBox()->clear();
        table->selectRow(rowOf(table, m_ids[2]));
        labels->setText(QStringLiteral("bad,label"));
        Q_EMIT labels->editingFinished();
        settle(window);
        QVERIFY2(window.banner()->text().contains(QStringLiteral("bad,label")), qPrintable(window.banner()->text()));
        QCOMPARE(open(m_path)->run(m_ids[2], &error)->labels.size(), 2); // refused whole
        QVERIFY(open(m_path)->setLabels(m_ids[2], {}, &error));
    }

    // What is typed in the memo is saved by itself: after a pause in typing, and at once when another run
    // is clicked (it used to be thrown away). A save that fails keeps the text for its run.
    void theMemoSavesItself()
    {
        RegistryWindow window(connectorTo(m_path), m_path);
        settle(window);
        window.show();
        QTableView* table = window.table();
        table->selectRow(rowOf(table, m_ids[0]));
        QTest::keyClicks(window.details()->memoEditor(), QStringLiteral("typed, then paused"));
        QString error;
        QCOMPARE(open(m_path)->run(m_ids[0], &error)->memo, QString()); // not yet: typing may go on
        QTRY_COMPARE_WITH_TIMEOUT(open(m_path)->run(m_ids[0], &error)->memo, QStringLiteral("typed, then paused"),
                                  RunDetailsWidget::kAutosaveMs * 4);
        settle(window); // and the window is told
        QVERIFY(!window.details()->memoEditor()->document()->isModified());
        QCOMPARE(window.details()->memoState(), QStringLiteral("saved"));
        // Typed and undone: nothing was edited, and nothing says so.
        QTest::keyClicks(window.details()->memoEditor(), QStringLiteral("x"));
        QCOMPARE(window.details()->memoState(), QStringLiteral("editing…"));
        QTest::keyClick(window.details()->memoEditor(), Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(window.details()->memoEditor()->toPlainText(), QStringLiteral("typed, then paused"));
        QCOMPARE(window.details()->memoState(), QString());

        table->selectRow(rowOf(table, m_ids[2]));
        QTest::keyClicks(window.details()->memoEditor(), QStringLiteral("switched away at once"));
        table->selectRow(rowOf(table, m_ids[0]));
        settle(window);
        QCOMPARE(open(m_path)->run(m_ids[2], &error)->memo, QStringLiteral("switched away at once"));

        // The registry refuses (a memo too long for it): the text stays, shown again for its run.
        const QString tooLong =
            QString(QStringLiteral("%1\n").arg(QString(79, u'x'))).repeated(RunRecord::kMaxMemoLength / 80 + 1);
        table->selectRow(rowOf(table, m_ids[2]));
        window.details()->memoEditor()->setPlainText(tooLong);
        window.details()->memoEditor()->document()->setModified(true);
        table->selectRow(rowOf(table, m_ids[0]));
        settle(window);
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
        RegistryWindow window(connectorTo(m_path), m_path);
        settle(window);
        QTableView* table = window.table();
        table->selectRow(rowOf(table, m_ids[3]));
        window.details()->memoEditor()->setPlainText(QStringLiteral("half-typed"));
        window.details()->memoEditor()->document()->setModified(true);
        auto writer = open(m_path);
        QString error;
        QVERIFY(writer->reportProgress(m_ids[3], 5, 500, 0.3, &error));
        const QString fresh = writer->reserve(QStringLiteral("late"), &error)->toString();
        window.refresh();
        settle(window);
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
        giveRunsCurves();
        RegistryWindow window(connectorTo(m_path), m_path);
        settle(window);
        window.resize(1200, 800);
        window.show();
        QTableView* table = window.table();
        QVERIFY(window.chart()->tagBox()->currentText().isEmpty());
        selectRun(table, m_ids[0]);
        // No tag is picked yet: the test error's curve (a preview, then every point) is asked for with the
        // run's tags and comes in the same answer, not after them (over a slow link, one answer rather than two).
        QVERIFY(QTest::qWaitFor([&window] { return window.chart()->tagBox()->count() > 0; }, 20000));
        QVERIFY(window.chart()->curve(m_ids[0], QStringLiteral("test/error")));
        selectRun(table, m_ids[2]);
        settle(window);
        ChartPane* chart = window.chart();
        QCOMPARE(chart->tagBox()->count(), 2);
        QCOMPARE(chart->tagBox()->currentText(), QStringLiteral("test/error")); // the first curve people look at
        const QList<QAbstractSeries*> series = chart->chart()->series();
        QCOMPARE(series.size(), 2);
        auto* first = qobject_cast<QLineSeries*>(series[0]);
        QCOMPARE(first->name(), m_ids[0]);
        QString error;
        QCOMPARE(first->color(), QColor(open(m_path)->run(m_ids[0], &error)->colour));
        // Reduced to the plot's width before QtCharts sees it, and smoothed as TensorBoard smooths.
        QVERIFY2(first->count() < 5000 && first->count() >= 200, qPrintable(QString::number(first->count())));
        chart->smoothing()->setWeight(0);
        const double raw = qobject_cast<QLineSeries*>(chart->chart()->series()[0])->at(1).y();
        chart->smoothing()->setWeight(0.9);
        const double smoothed = qobject_cast<QLineSeries*>(chart->chart()->series()[0])->at(1).y();
        QVERIFY(smoothed > raw); // a falling curve: the average lags above it
        // The measured values stay in sight, faintly, beneath the smoothed lines.
        const QVector<LineLayer::Line>& measured = chart->measuredLines()->lines();
        QCOMPARE(measured.size(), 2);
        const LineLayer::Line& beneath =
            measured[0].series->name() == m_ids[0] ? measured[0] : measured[1]; // the first run's
        QCOMPARE(beneath.series->name(), m_ids[0]);
        QCOMPARE(beneath.colour, first->color());
        QVERIFY(beneath.points.size() >= 200);
        const ChartCurve* drawn = chart->curve(m_ids[0], QStringLiteral("test/error"));
        for (const QPointF& p : beneath.points)
            QCOMPARE(p.y(), drawn->value(drawn->nearest(XAxis::Step, p.x())));
        chart->smoothing()->setWeight(0);
        QVERIFY(chart->measuredLines()->lines().isEmpty()); // nothing smoothed, nothing beneath
        chart->smoothing()->setWeight(0.9);
        // The pointer over the plot reads out every run at its x, as TensorBoard's tooltip does: lowest first,
        // each with its point's exact step and time, and the measured value under the smoothed one.
        const QStringList both = chart->describeAll(3000).split(u'\n');
        QVERIFY2(both.size() == 3 && both[0] == QStringLiteral("step 3000") && both.join(u' ').contains(m_ids[0]) &&
                     both.join(u' ').contains(m_ids[2]) && both[1].contains(QStringLiteral("(measured ")) &&
                     both[1].contains(QStringLiteral(" at step 3000, ")),
                 qPrintable(both.join(u'\n')));
        const auto valueOf = [](const QString& line) { return line.section(u' ', 1, 1).toDouble(); };
        QVERIFY(valueOf(both[1]) <= valueOf(both[2]));
        const QRectF plot = chart->chart()->plotArea();
        // Top right: the falling curves are low there by then, so the pointer is over no line of its own.
        const QPoint inside = chart->view()->mapFromScene(chart->chart()->mapToScene(plot.topRight() + QPointF(-8, 8)));
        QMouseEvent move(QEvent::MouseMove, inside, chart->view()->viewport()->mapToGlobal(inside), Qt::NoButton,
                         Qt::NoButton, Qt::NoModifier);
        QApplication::sendEvent(chart->view()->viewport(), &move);
        const ReadoutTip* tip = chart->readoutTip();
        QVERIFY(tip->isVisible());
        QVERIFY2(tip->plainLines().join(u' ').contains(m_ids[2]), qPrintable(tip->plainLines().join(u'\n')));
        // Beside the pointer, inside the chart: never wider than it (seven runs once widened the window).
        QVERIFY2(chart->view()->viewport()->rect().contains(tip->geometry()),
                 qPrintable(
                     QStringLiteral("%1 in %2").arg(tip->geometry().width()).arg(chart->view()->viewport()->width())));
        QVERIFY(chart->readout()->text().isEmpty()); // the line under the chart is for errors only
        // The other key tags small beside the main chart, in the runs' colours; a click shows one in the main chart.
        const SmallMultiples* multiples = chart->smallMultiples();
        QVERIFY(multiples->isVisible());
        QCOMPARE(multiples->panels().size(), 1);
        QCOMPARE(multiples->panels()[0].tag, QStringLiteral("train/loss"));
        QCOMPARE(multiples->panels()[0].lines.size(), 2);
        QCOMPARE(multiples->panels()[0].lines[0].colour, first->color());
        QCOMPARE(multiples->panels()[0].lines[0].points.size(), 1);
        const QPoint panel(multiples->width() / 2, multiples->height() / 2);
        QCOMPARE(multiples->tagAt(panel), QStringLiteral("train/loss"));
        QTest::mouseClick(const_cast<SmallMultiples*>(multiples), Qt::LeftButton, {}, panel);
        QCOMPARE(chart->tagBox()->currentText(), QStringLiteral("train/loss"));
        QCOMPARE(multiples->panels()[0].tag, QStringLiteral("test/error"));
        const qsizetype reduced = multiples->panels()[0].lines[0].points.size(); // min/max buckets of 5,000 points
        QVERIFY2(reduced >= 100 && reduced < 1000, qPrintable(QString::number(reduced)));
        chart->tagBox()->setCurrentText(QStringLiteral("test/error"));

        // New points of a shown run arrive with its progress and are drawn at the next refresh.
        auto writer = open(m_path);
        QVERIFY(writer->addScalars(m_ids[0], {{QStringLiteral("test/error"), 6000, 6000.0, 0.11}}, &error));
        QVERIFY(writer->reportProgress(m_ids[0], 7, 6000, 0.11, &error));
        window.refresh();
        settle(window);
        auto* updated = qobject_cast<QLineSeries*>(chart->chart()->series()[0]);
        QCOMPARE(updated->at(updated->count() - 1).x(), 6000.0);
        // x by epoch: the run's progress says 6,000 steps made 7 epochs.
        chart->xAxisBox()->setCurrentIndex(chart->xAxisBox()->findData(int(XAxis::Epoch)));
        updated = qobject_cast<QLineSeries*>(chart->chart()->series()[0]);
        QCOMPARE(updated->at(updated->count() - 1).x(), 7.0);
        QVERIFY(chart->describeAll(7.0).startsWith(QStringLiteral("epoch 7.00")));
        chart->xAxisBox()->setCurrentIndex(0);
        // Past a run's last point the read-out names the pointer's x, and says the run ended before it.
        const QStringList past = chart->describeAll(5900).split(u'\n');
        QCOMPARE(past[0], QStringLiteral("step 5900"));
        QVERIFY2(past[1].startsWith(m_ids[0] + QStringLiteral(" ")) && !past[1].contains(QStringLiteral("ended")) &&
                     past.last().startsWith(m_ids[2] + QStringLiteral(" ended at step ")),
                 qPrintable(past.join(u'\n')));
        chart->logScale()->setChecked(true);
        QCOMPARE(chart->chart()->series().size(), 2);
        QCOMPARE(chart->chart()->axes(Qt::Vertical).first()->type(), QAbstractAxis::AxisTypeLogValue);
        QDir().mkpath(QStringLiteral(JIKKEN_SCREENSHOT_DIR));
        QVERIFY(window.grab().save(QStringLiteral(JIKKEN_SCREENSHOT_DIR "/desktop-main-window.png")));
    }

    // A chart with nothing to draw says how to fill it.
    void anEmptyChartSaysWhatToDo()
    {
        RegistryWindow window(connectorTo(m_path), m_path);
        settle(window);
        window.show();
        QVERIFY2(window.chart()->chart()->title().contains(QStringLiteral("Select runs")),
                 qPrintable(window.chart()->chart()->title()));
        selectRun(window.table(), m_ids[3]); // reserved, running, no points yet
        QVERIFY2(window.chart()->chart()->title().contains(QStringLiteral("Reading")),
                 qPrintable(window.chart()->chart()->title()));
        settle(window);
        QVERIFY2(window.chart()->chart()->title().contains(QStringLiteral("no scalars")),
                 qPrintable(window.chart()->chart()->title()));
    }

    // Colour by a field: runs with the same method share a colour, another method gets another; the legend
    // says the group.
    void coloursByGroup()
    {
        giveRunsCurves(); // as when run after the tests before it
        RegistryWindow window(connectorTo(m_path), m_path);
        settle(window);
        window.show();
        for (int i : {0, 1, 2})
            selectRun(window.table(), m_ids[i]); // softmax, focalloss, focalloss
        settle(window);
        ChartPane* chart = window.chart();
        QComboBox* by = chart->colourByBox();
        QCOMPARE(by->currentText(), QStringLiteral("Colour: run"));
        by->setCurrentIndex(by->findData(QStringLiteral("method")));
        QHash<QString, QColor> colourOf;
        for (QAbstractSeries* series : chart->chart()->series()) {
            auto* line = qobject_cast<QLineSeries*>(series);
            colourOf.insert(line->name().section(u' ', 0, 0), line->color());
            QVERIFY2(line->name().endsWith(QStringLiteral("(focalloss)")) ||
                         line->name().endsWith(QStringLiteral("(softmax)")),
                     qPrintable(line->name()));
        }
        QCOMPARE(colourOf.size(), 3);
        const QVector<CurveLegend::Entry> named = chart->chart()->curveLegend()->entries();
        QCOMPARE(named.size(), 3);
        for (const CurveLegend::Entry& entry : named) // the legend says the group, in the line's colour
            QCOMPARE(entry.colour, colourOf.value(entry.text.section(u' ', 0, 0)));
        QCOMPARE(colourOf.value(m_ids[1]), colourOf.value(m_ids[2]));
        QVERIFY(colourOf.value(m_ids[0]) != colourOf.value(m_ids[1]));
        by->setCurrentIndex(0); // back to one colour per run
        QSet<QRgb> distinct;
        for (QAbstractSeries* series : chart->chart()->series())
            distinct.insert(qobject_cast<QLineSeries*>(series)->color().rgb());
        QCOMPARE(distinct.size(), 3);
    }

    // Group by every setting but the seed: a line per group, its mean, named with its n, in a band from the
    // lowest run to the highest (or ± 1 std); the read-out gives the mean; the grouping is kept in the settings.
    void seedsAreGroupedIntoAMeanWithABand()
    {
        const QString path = m_dir.filePath(QStringLiteral("seeds.sqlite"));
        QStringList ids;
        {
            auto store = open(path);
            QString error;
            // lr 0.1: seed 1 logs 0.5·step, seed 2 1.5·step; lr 0.01: 4 and 6 at every step.
            for (const double lr : {0.1, 0.01}) {
                for (const int seed : {1, 2}) {
                    ids << store->reserve(QStringLiteral("seeds"), &error)->toString();
                    RunDescription description;
                    description.hparams = {{QStringLiteral("lr"), lr}, {QStringLiteral("seed"), seed}};
                    QVERIFY(store->describe(ids.last(), description, &error));
                    QVector<ScalarPoint> points;
                    for (int step = 1; step <= 8; ++step)
                        points.append({QStringLiteral("train/loss"), step, 1.7e9 + step,
                                       lr > 0.05 ? (seed == 1 ? 0.5 : 1.5) * step : (seed == 1 ? 4.0 : 6.0)});
                    QVERIFY2(store->addScalars(ids.last(), points, &error), qPrintable(error));
                }
            }
        }
        RegistryWindow window(connectorTo(path), path);
        settle(window);
        window.show();
        for (const QString& id : ids)
            selectRun(window.table(), id);
        settle(window);
        ChartPane* chart = window.chart();
        QCOMPARE(chart->chart()->lines().size(), 4);
        const auto choose = [&](const QString& text) {
            for (QAction* action : chart->grouping()->menu()->actions()) {
                if (action->text() == text)
                    action->trigger();
            }
            settle(window);
        };
        choose(QStringLiteral("Every setting but the seed"));
        QCOMPARE(chart->lineKeys(), (QStringList{QStringLiteral("lr=0.1"), QStringLiteral("lr=0.01")}));
        QCOMPARE(chart->chart()->lines().size(), 2);
        const QLineSeries* fast = chart->chart()->lines()[0];
        QCOMPARE(fast->name(), QStringLiteral("lr=0.1 (n=2)"));
        QCOMPARE(chart->chart()->curveLegend()->entries().size(), 2);
        const QList<QPointF> mean = chart->chart()->pointsOf(fast);
        QCOMPARE(mean.size(), 8);
        for (const QPointF& point : mean)
            QCOMPARE(point.y(), point.x()); // (0.5 + 1.5) / 2 · step
        for (const QPointF& point : chart->chart()->pointsOf(chart->chart()->lines()[1]))
            QCOMPARE(point.y(), 5.0);
        const auto bandOf = [chart](const QLineSeries* line) { return chart->chart()->bands()->pointsOf(line); };
        QList<QPointF> expected; // the low side forward, the high side back
        for (int step = 1; step <= 8; ++step)
            expected.append(QPointF(step, 0.5 * step));
        for (int step = 8; step >= 1; --step)
            expected.append(QPointF(step, 1.5 * step));
        QCOMPARE(bandOf(fast), expected);
        QCOMPARE(chart->chart()->yRange().second >= 12.0, true); // the band's top is in view
        QVERIFY2(chart->describeAll(4).contains(QStringLiteral("lr=0.1")), qPrintable(chart->describeAll(4)));
        QVERIFY2(chart->describeAll(4).contains(QStringLiteral("4")), qPrintable(chart->describeAll(4)));
        choose(QStringLiteral("Band: mean ± 1 standard deviation"));
        const QList<QPointF> spread = bandOf(chart->chart()->lines()[0]);
        QVERIFY(std::abs(spread.first().y() - (1 - std::sqrt(0.5))) < 1e-9); // √2/2 · step around step
        QVERIFY(std::abs(spread.last().y() - (1 + std::sqrt(0.5))) < 1e-9);
        // Kept between sessions, as the chart's other settings are.
        QSettings settings(m_dir.filePath(QStringLiteral("grouping.ini")), QSettings::IniFormat);
        chart->saveSettings(settings);
        choose(QStringLiteral("Each run on its own"));
        QCOMPARE(chart->chart()->lines().size(), 4);
        QVERIFY(chart->chart()->bands()->lines().isEmpty());
        chart->restoreSettings(settings);
        QVERIFY(chart->grouping()->grouping().on);
        QVERIFY(chart->grouping()->grouping().spread == RunGroups::Spread::StdDev);
    }

    // A sweep is one row above its points, its counts following theirs; a double-click hides its points
    // (remembered), and choosing its row plots them all.
    void aSweepIsOneCollapsibleRow()
    {
        const QString path = m_dir.filePath(QStringLiteral("sweep.sqlite"));
        QStringList points;
        {
            RegistryStore store;
            QString error;
            QVERIFY2(store.open(path, &error), qPrintable(error));
            store.reserve(QStringLiteral("alone"), &error);
            RunQueue queue(store);
            QueueRequest request;
            request.sweep = QStringLiteral("lr-grid");
            for (int i = 0; i < 3; ++i) {
                const auto id = store.reserve(QStringLiteral("grid"), &error);
                QVERIFY2(queue.add(*id, QJsonObject{{QStringLiteral("epochs"), 1}}, request, &error),
                         qPrintable(error));
                points << id->toString();
            }
        }
        QSettings().remove(QStringLiteral("window/collapsedSweeps"));
        auto window = std::make_unique<RegistryWindow>(connectorTo(path), path);
        window->show();
        QTableView* table = window->table();
        const auto rows = [table] {
            QStringList shown;
            for (int row = 0; row < table->model()->rowCount(); ++row) {
                const QModelIndex index = table->model()->index(row, 0);
                shown << (index.data(RegistryTableModel::IsSweepRole).toBool()
                              ? index.data().toString()
                              : index.data(RegistryTableModel::IdRole).toString());
            }
            return shown;
        };
        QTRY_COMPARE(table->model()->rowCount(), 5);
        settle(*window);
        // Newest first: the sweep (placed by its first point) above its three points, the older run after.
        QCOMPARE(rows().mid(0, 4), (QStringList{QStringLiteral("▾ lr-grid (3)"), points[2], points[1], points[0]}));
        QCOMPARE(table->model()->index(0, RegistryTableModel::Status).data().toString(), QStringLiteral("3 queued"));

        table->clearSelection();
        table->selectRow(0);
        settle(*window);
        QCOMPARE(window->chart()->shownRuns(), points);

        {
            auto store = open(path);
            QString error;
            QVERIFY(store->setStatus(points[1], RunStatus::Failed, QStringLiteral("test"), &error));
        }
        window->refresh();
        QTRY_COMPARE(table->model()->index(0, RegistryTableModel::Status).data().toString(),
                     QStringLiteral("2 queued · 1 failed"));

        const QRect sweepRow = table->visualRect(table->model()->index(0, RegistryTableModel::Method));
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, sweepRow.center());  // the press a view's
        QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, sweepRow.center()); // double-click follows
        QCOMPARE(rows().size(), 2);
        QCOMPARE(rows().first(), QStringLiteral("▸ lr-grid (3)"));
        window->close(); // saves the layout
        window = std::make_unique<RegistryWindow>(connectorTo(path), path);
        window->show();
        QTRY_COMPARE(window->table()->model()->rowCount(), 2); // still collapsed
        const QPoint again = window->table()->visualRect(window->table()->model()->index(0, 1)).center();
        QTest::mouseClick(window->table()->viewport(), Qt::LeftButton, {}, again);
        QTest::mouseDClick(window->table()->viewport(), Qt::LeftButton, {}, again);
        QCOMPARE(window->table()->model()->rowCount(), 5);
    }

    // Run › Download Checkpoint… fetches a run's checkpoint off the GUI thread, as `jikken pull` does: the
    // file as recorded; one changed where it is, refused in a line.
    void downloadsACheckpoint()
    {
        QTemporaryDir host;
        const QString file = host.filePath(QStringLiteral("best-40.pt"));
        QFile made(file);
        QVERIFY(made.open(QIODevice::WriteOnly));
        const QByteArray bytes(300'000, 'w');
        made.write(bytes);
        made.close();
        const CheckpointRecord best{
            QStringLiteral("best"),
            40,
            2,
            QStringLiteral("test/error"),
            0.2,
            QStringLiteral("localhost"),
            file,
            bytes.size(),
            QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex()),
            true};
        RegistryWindow window(connectorTo(m_path), m_path);
        QSignalSpy finished(window.download(), &CheckpointDownload::finished);
        const QString target = host.filePath(QStringLiteral("fetched.pt"));
        window.download()->fetch(best, target);
        QVERIFY(window.download()->isBusy());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(1).toString()));
        QFile fetched(target);
        QVERIFY(fetched.open(QIODevice::ReadOnly));
        QCOMPARE(fetched.readAll(), bytes);
        QVERIFY(!window.download()->isBusy());
        QTRY_VERIFY(!window.download()->progress()); // its dialog gone with it

        QVERIFY(made.open(QIODevice::Append));
        made.write("x");
        made.close();
        window.download()->fetch(best, host.filePath(QStringLiteral("changed.pt")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 30000);
        QVERIFY(!finished.last().at(0).toBool());
        QVERIFY2(finished.last().at(1).toString().contains(QStringLiteral("has changed")),
                 qPrintable(finished.last().at(1).toString()));
        QVERIFY(!QFile::exists(host.filePath(QStringLiteral("changed.pt"))));
    }

    // The legend names up to 20 lines; past that it is hidden, the lines are drawn as one band (not by
    // their series) and the readout names the run nearest the pointer; fewer lines bring the legend back.
    void aCrowdedChartHidesItsLegend()
    {
        const QString path = m_dir.filePath(QStringLiteral("crowded.sqlite"));
        QStringList ids;
        {
            auto store = open(path);
            QString error;
            for (int i = 0; i <= ChartPane::kLegendLines; ++i) { // run i: a level line at i
                ids << store->reserve(QStringLiteral("crowd"), &error)->toString();
                QVERIFY2(store->addScalars(ids.last(),
                                           {{QStringLiteral("train/loss"), 1, 1.7e9, 1.0 * i},
                                            {QStringLiteral("train/loss"), 2, 1.7e9 + 1, 1.0 * i}},
                                           &error),
                         qPrintable(error));
            }
        }
        RegistryWindow window(connectorTo(path), path);
        settle(window);
        window.show();
        const auto lines = [&window] { return window.chart()->chart()->series().size(); };
        for (int i = 0; i < ChartPane::kLegendLines; ++i)
            selectRun(window.table(), ids[i]);
        settle(window);
        ChartPane* chart = window.chart();
        QCOMPARE(lines(), ChartPane::kLegendLines);
        QVERIFY(chart->chart()->curveLegend()->isVisible());
        QCOMPARE(chart->chart()->curveLegend()->entries().size(), ChartPane::kLegendLines);
        QVERIFY(!chart->chart()->isLayered());
        QCOMPARE(qobject_cast<QLineSeries*>(chart->chart()->series().first())->count(), 2);
        selectRun(window.table(), ids.last());
        settle(window);
        QCOMPARE(lines(), ChartPane::kLegendLines + 1);
        QVERIFY(!chart->chart()->curveLegend()->isVisible());
        QVERIFY(chart->chart()->isLayered());
        for (QAbstractSeries* series : chart->chart()->series()) { // drawn from the layer, in the series' pen
            QCOMPARE(qobject_cast<QLineSeries*>(series)->count(), 0);
            QCOMPARE(chart->chart()->pointsOf(qobject_cast<QLineSeries*>(series)).size(), 2);
        }
        // The pointer a little above run 7's line, well below run 8's: the readout names run 7.
        QLineSeries* anyLine = chart->chart()->lines().first();
        const QPointF near = chart->chart()->mapToPosition(QPointF(1.5, 7.2), anyLine);
        const QPoint at = chart->view()->mapFromScene(chart->chart()->mapToScene(near));
        QMouseEvent move(QEvent::MouseMove, at, chart->view()->viewport()->mapToGlobal(at), Qt::NoButton, Qt::NoButton,
                         Qt::NoModifier);
        QApplication::sendEvent(chart->view()->viewport(), &move);
        QVERIFY2(chart->readoutTip()->plainLines().value(1).startsWith(ids[7] + QLatin1Char(' ')),
                 qPrintable(chart->readoutTip()->plainLines().join(u'\n')));
        const auto lineOf = [chart](const QString& id) -> const QAbstractSeries* {
            for (QAbstractSeries* series : chart->chart()->series()) {
                if (series->name() == id)
                    return series;
            }
            return nullptr;
        };
        QVERIFY(lineOf(ids[7]));
        QCOMPARE(chart->chart()->highlighted(), lineOf(ids[7])); // drawn over the band, wider
        QEvent leave(QEvent::Leave);
        QApplication::sendEvent(chart->view(), &leave);
        QCOMPARE(chart->chart()->highlighted(), nullptr);
        selectRun(window.table(), ids.first(), false);
        settle(window);
        QVERIFY(chart->chart()->curveLegend()->isVisible());
        QVERIFY(!chart->chart()->isLayered());
    }

    // The legend names every line whole, in rows under the plot as wide as the chart (QtCharts' own kept
    // one row and elided the names: "2019…"), and its room goes back to the plot as lines go.
    void aLegendWrapsUnderThePlot()
    {
        auto* chart = new CurveChart; // the view owns it
        PlotView view(chart);
        view.resize(500, 400);
        chart->setAxes(XAxis::Step, false, QStringLiteral("loss"));
        QVector<CurveChart::Style> styles;
        for (int i = 0; i < 8; ++i)
            styles.append({QStringLiteral("20190705_%1_focalloss_long_method").arg(i, 2, 10, QLatin1Char('0')),
                           QColor::fromHsv(i * 40, 255, 200)});
        chart->setLines(styles);
        chart->setXRange(0, 10, CurveChart::Ticks::Exact);
        chart->setYRange(0, 1, CurveChart::Ticks::Exact);
        QCoreApplication::processEvents(); // QtCharts lays the chart out later
        const CurveLegend* legend = chart->curveLegend();
        QVERIFY(!chart->legend()->isVisible());
        QVERIFY(legend->isVisible());
        QCOMPARE(legend->entries().size(), 8);
        for (int i = 0; i < 8; ++i) {
            QCOMPARE(legend->entries()[i].text, styles[i].name);
            QCOMPARE(legend->entries()[i].colour, styles[i].colour);
        }
        QVERIFY2(legend->rows() >= 4, qPrintable(QString::number(legend->rows()))); // two names a row at most
        const QRectF placed = legend->mapRectToScene(legend->boundingRect());
        const QRectF plot = chart->mapRectToScene(chart->plotArea());
        QVERIFY2(placed.top() > plot.bottom() + 10, // under the x axis' labels
                 qPrintable(QStringLiteral("legend %1, plot %2").arg(placed.top()).arg(plot.bottom())));
        QVERIFY(chart->mapRectToScene(chart->rect()).contains(placed));
        const double crowdedHeight = plot.height();
        chart->setLines({styles.first()});
        QCoreApplication::processEvents();
        QCOMPARE(legend->rows(), 1);
        QVERIFY(chart->plotArea().height() > crowdedHeight + 2 * QFontMetricsF(QFont()).height());
    }

    // A short axis still gets round ticks: a small chart's y from 0.102 to 2.12 found one round value a
    // tick per 70 pixels apart, and QtCharts' fixed ticks labelled it 2.11964, 1.61523, 1.11082, ….
    void axesKeepRoundTicks()
    {
        auto* chart = new CurveChart(CurveChart::Mode::Figure); // the view owns it
        PlotView view(chart);
        view.resize(300, 180);
        chart->setAxes(XAxis::Step, false, QStringLiteral("train/loss"));
        chart->setXRange(0, 450, CurveChart::Ticks::Exact);
        QCoreApplication::processEvents();
        chart->setYRange(0.102001, 2.11964, CurveChart::Ticks::Exact);
        const auto* y = qobject_cast<QValueAxis*>(chart->axes(Qt::Vertical).first());
        QVERIFY(y);
        QCOMPARE(y->tickType(), QValueAxis::TicksDynamic);
        const double interval = y->tickInterval(), power = std::pow(10.0, std::floor(std::log10(interval)));
        QVERIFY2(qFuzzyCompare(interval / power, 1.0) || qFuzzyCompare(interval / power, 2.0) ||
                     qFuzzyCompare(interval / power, 2.5) || qFuzzyCompare(interval / power, 5.0),
                 qPrintable(QString::number(interval)));
        QVERIFY2(y->tickAnchor() / interval == std::round(y->tickAnchor() / interval),
                 qPrintable(QString::number(y->tickAnchor())));
        QVERIFY((2.11964 - 0.102001) / interval >= 1); // two ticks or more in view

        // A curve that grows keeps round ticks of the same spacing: QtCharts, switched to fixed ticks and
        // back to dynamic ones of an unchanged spacing, kept labelling 0, 1122.5, 2245, ….
        const auto xLabels = [&view] {
            QStringList labels;
            for (QGraphicsItem* item : view.scene()->items()) {
                if (const auto* text = dynamic_cast<QGraphicsTextItem*>(item); text && text->isVisible())
                    labels << text->toPlainText();
            }
            return labels;
        };
        chart->setXRange(0, 2990, CurveChart::Ticks::Exact);
        view.grab();
        QVERIFY2(xLabels().contains(QStringLiteral("2000")), qPrintable(xLabels().join(u' ')));
        chart->setXRange(0, 4490, CurveChart::Ticks::Exact);
        view.grab();
        QVERIFY2(xLabels().contains(QStringLiteral("4000")), qPrintable(xLabels().join(u' ')));
        QVERIFY2(!xLabels().contains(QStringLiteral("1122.5")), qPrintable(xLabels().join(u' ')));
    }

    // Every tick label at a round value, fitted, zoomed, panned and on a log axis; a fitted range snug to the
    // data (at most one tick's spacing of margin): after a zoom the ticks read 48.5114, 410.021, x reached
    // 10,000 for data ending near 5,500, and a log axis within one decade had no labels at all.
    void ticksAreRoundInEveryState()
    {
        auto* chart = new CurveChart; // the view owns it
        PlotView view(chart);
        view.resize(800, 500);
        view.show();
        chart->setAxes(XAxis::Step, false, QStringLiteral("train/loss"));
        chart->setLines({{QStringLiteral("run"), Qt::red}});
        chart->setXRange(0, 5493, CurveChart::Ticks::RoundOut);
        chart->setYRange(0.41, 2.3, CurveChart::Ticks::RoundOut);
        QCoreApplication::processEvents();
        const auto labels = [&view](Qt::Orientation side) { // the numbers written beside the plot
            QCoreApplication::processEvents(); // QtCharts lays its axes out later, and drops old ones later still
            QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
            view.grab();
            const QRectF plot = view.chart()->mapRectToScene(view.chart()->plotArea());
            QVector<double> values;
            for (QGraphicsItem* item : view.scene()->items()) {
                const auto* text = dynamic_cast<QGraphicsTextItem*>(item);
                bool number = false;
                const double value = text && text->isVisible() ? text->toPlainText().toDouble(&number) : 0;
                if (!number)
                    continue;
                const QPointF at = text->mapToScene(text->boundingRect().center());
                const bool left = at.x() < plot.left() && at.y() > plot.top() - 10 && at.y() < plot.bottom() + 10;
                const bool below = at.y() > plot.bottom() && at.x() > plot.left() - 40 && at.x() < plot.right() + 40;
                if (side == Qt::Vertical ? left : below)
                    values << value;
            }
            std::sort(values.begin(), values.end());
            values.erase(std::unique(values.begin(), values.end()), values.end());
            return values;
        };
        const auto roundSteps = [](const QVector<double>& ticks) {
            if (ticks.size() < 2)
                return QStringLiteral("fewer than two ticks");
            const double step = ticks[1] - ticks[0], power = std::pow(10.0, std::floor(std::log10(step) + 1e-9));
            const double factor = step / power;
            if (!(qFuzzyCompare(factor, 1.0) || qFuzzyCompare(factor, 2.0) || qFuzzyCompare(factor, 2.5) ||
                  qFuzzyCompare(factor, 5.0)))
                return QStringLiteral("a step of %1").arg(step);
            for (double t : ticks) {
                if (std::abs(t / step - std::round(t / step)) > 1e-6)
                    return QStringLiteral("%1 is not a multiple of %2").arg(t).arg(step);
            }
            return QString();
        };
        const auto check = [&](const char* state) {
            for (Qt::Orientation side : {Qt::Horizontal, Qt::Vertical}) {
                const QVector<double> ticks = labels(side);
                QStringList shown;
                for (double t : ticks)
                    shown << QString::number(t);
                const QString problem = roundSteps(ticks);
                QVERIFY2(problem.isEmpty(),
                         qPrintable(QStringLiteral("%1, %2: %3 (%4)")
                                        .arg(QLatin1String(state),
                                             side == Qt::Horizontal ? QStringLiteral("x") : QStringLiteral("y"),
                                             problem, shown.join(u' '))));
            }
        };
        check("fitted");
        const auto [x0, x1] = chart->xRange();
        const double xStep = labels(Qt::Horizontal)[1] - labels(Qt::Horizontal)[0];
        QVERIFY2(x0 == 0 && x1 >= 5493 && x1 <= 5493 + xStep, qPrintable(QStringLiteral("%1 to %2").arg(x0).arg(x1)));
        const auto [y0, y1] = chart->yRange();
        const double yStep = labels(Qt::Vertical)[1] - labels(Qt::Vertical)[0];
        QVERIFY2(y0 <= 0.41 && y0 >= 0.41 - yStep && y1 >= 2.3 && y1 <= 2.3 + yStep,
                 qPrintable(QStringLiteral("%1 to %2").arg(y0).arg(y1)));
        const QRectF plot = chart->plotArea();
        chart->zoomIn(QRectF(plot.left() + plot.width() * 0.137, plot.top() + plot.height() * 0.29,
                             plot.width() * 0.311, plot.height() * 0.23));
        check("zoomed");
        chart->scroll(37, -23);
        check("panned");
        chart->setAxes(XAxis::Step, true, QStringLiteral("train/loss"));
        chart->setXRange(0, 5493, CurveChart::Ticks::RoundOut);
        chart->setYRange(0.13, 0.48, CurveChart::Ticks::RoundOut); // within one decade
        QVERIFY(std::abs(chart->yRange().first - 0.1) < 1e-6 && std::abs(chart->yRange().second - 1) < 1e-6);
        // Few decades: labelled at 2 and 5 times the powers too, each beside its grid line; many: the powers.
        QCOMPARE(labels(Qt::Vertical), (QVector<double>{0.1, 0.2, 0.5, 1}));
        QCOMPARE(chart->decadeLabels()->values(), (QList<double>{0.2, 0.5}));
        chart->setYRange(0.013, 48, CurveChart::Ticks::RoundOut);
        QCOMPARE(labels(Qt::Vertical), (QVector<double>{0.01, 0.1, 1, 10, 100}));
        chart->setYRange(0.013, 0.48, CurveChart::Ticks::Exact); // as a zoom leaves it
        QCOMPARE(labels(Qt::Vertical), (QVector<double>{0.02, 0.05, 0.1, 0.2}));
    }

    // One diverged run's spike (3,600 over curves under 2.3) is left out of the y range, naming the run; a
    // curve that merely starts high, or a single run, keeps its whole range.
    void oneRunsSpikeIsLeftOutOfTheYRange()
    {
        QHash<QString, QList<QPointF>> lines;
        for (const QString& run : {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")}) {
            for (int i = 0; i < 1000; ++i)
                lines[run].append({double(i), 2.2 * std::exp(-i / 300.0) + 0.1});
        }
        lines[QStringLiteral("b")][500].setY(3600);
        const auto clipped = OutlierRange::highWithoutSpike(lines);
        QVERIFY(clipped);
        QCOMPARE(clipped->run, QStringLiteral("b"));
        QCOMPARE(clipped->reaches, 3600.0);
        QVERIFY2(clipped->high >= 2.29 && clipped->high <= 2.31, qPrintable(QString::number(clipped->high)));
        lines[QStringLiteral("b")][500].setY(20); // high, but under ten times the others
        QVERIFY(!OutlierRange::highWithoutSpike(lines));
        lines[QStringLiteral("b")][500].setY(3600);
        QVERIFY(!OutlierRange::highWithoutSpike({{QStringLiteral("b"), lines[QStringLiteral("b")]}}));
    }

    // A crowded chart's band is painted once and shown from a picture until its lines or the axes move:
    // when the axes move, the lines are drawn where the new axes put them.
    void aBandFollowsItsAxes()
    {
        auto* chart = new CurveChart; // the view owns it
        PlotView view(chart);
        view.resize(400, 300);
        chart->setAxes(XAxis::Step, false, QStringLiteral("level"));
        chart->setLayered(true);
        QLineSeries* line = chart->addLine({QStringLiteral("run"), Qt::red, Qt::SolidLine, 1});
        chart->setXRange(0, 10, CurveChart::Ticks::Exact);
        chart->setYRange(0, 1, CurveChart::Ticks::Exact);
        chart->setPoints(line, {{0, 0.5}, {10, 0.5}});
        const auto redPixels = [&view] { return pixelsOfHue(view, Qt::red, 150); };
        const auto redRow = [&redPixels] { // where the red line is drawn: the mean row of its pixels
            const QVector<QPoint> red = redPixels();
            double rows = 0;
            for (const QPoint& p : red)
                rows += p.y();
            return red.size() > 100 ? rows / red.size() : -1.0;
        };
        const double before = redRow();
        QVERIFY(before > 0);
        QCOMPARE(redRow(), before);                       // painted from the picture, the same
        chart->setYRange(0, 2, CurveChart::Ticks::Exact); // 0.5 is now a quarter of the way up
        const double after = redRow();
        QVERIFY2(after > before + 30, qPrintable(QStringLiteral("%1 -> %2").arg(before).arg(after)));
        // Picked out (the pointer at it): drawn again, wider.
        const qsizetype thin = redPixels().size();
        chart->highlight(line);
        const qsizetype wide = redPixels().size();
        QVERIFY2(wide > thin * 3 / 2, qPrintable(QStringLiteral("%1 -> %2").arg(thin).arg(wide)));
    }

    // The small charts are drawn once into a picture and shown from it: new panels and a new size are
    // drawn anew, not the old picture shown.
    void smallMultiplesDrawWhatTheyAreGiven()
    {
        SmallMultiples multiples;
        multiples.resize(480, 160);
        const auto panelOf = [](const QColor& colour) {
            // A step: mostly level, so a wider chart draws more of it.
            const QList<QPointF> points{{0, 0}, {50, 0}, {50, 1}, {100, 1}};
            return QVector<SmallMultiples::Panel>{{QStringLiteral("train/loss"), {{colour, points}}}};
        };
        const auto pixelsOf = [&multiples](const QColor& colour) {
            return static_cast<int>(pixelsOfHue(multiples, colour, 80).size());
        };
        multiples.setPanels(panelOf(Qt::red), XAxis::Step, false);
        QVERIFY(pixelsOf(Qt::red) > 100);
        multiples.setPanels(panelOf(Qt::blue), XAxis::Step, false);
        QVERIFY(pixelsOf(Qt::blue) > 100);
        QCOMPARE(pixelsOf(Qt::red), 0);
        const int narrow = pixelsOf(Qt::blue);
        multiples.resize(960, 160);
        QVERIFY2(pixelsOf(Qt::blue) > narrow, qPrintable(QString::number(narrow)));
        // A log y within a decade is labelled at its ends and at 2 and 5 between; labels of the axis before
        // are gone.
        const QList<QPointF> within{{0, 0.48}, {50, 0.2}, {100, 0.13}};
        multiples.setPanels({{QStringLiteral("train/loss"), {{Qt::blue, within}}}}, XAxis::Step, true);
        multiples.grab();
        QTest::qWait(20); // the old axes' labels deleted, the picture drawn again without them
        CurveChart* chart = multiples.charts().value(0);
        QVERIFY(chart);
        const QRectF plot = chart->mapRectToScene(chart->plotArea());
        QVector<double> left;
        for (QGraphicsItem* item : chart->scene()->items()) {
            const auto* text = dynamic_cast<QGraphicsTextItem*>(item);
            bool number = false;
            const double value = text && text->isVisible() ? text->toPlainText().toDouble(&number) : 0;
            const QPointF at = number ? text->mapToScene(text->boundingRect().center()) : QPointF();
            if (number && at.x() < plot.left() && at.y() > plot.top() - 10 && at.y() < plot.bottom() + 10)
                left << value;
        }
        std::sort(left.begin(), left.end());
        QCOMPARE(left, (QVector<double>{0.1, 0.2, 0.5, 1}));
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

    // A run's colour is the registry's: runs made one after another were dealt distinct ones, a run keeps its
    // colour as others come and go, a colour set from the window is kept in the registry, and two runs given
    // one colour are told apart by dash, never by giving one another colour.
    void runsAreDrawnInTheirRegistryColours()
    {
        giveRunsCurves(); // as when run after the tests before it
        RegistryWindow window(connectorTo(m_path), m_path);
        settle(window);
        window.resize(1200, 800);
        window.show();
        QTableView* table = window.table();
        for (const QString& id : m_ids.mid(0, 4))
            selectRun(table, id);
        settle(window);
        const auto lines = [&] {
            QHash<QString, QPen> byRun;
            for (QAbstractSeries* series : window.chart()->chart()->series()) {
                if (auto* line = qobject_cast<QLineSeries*>(series))
                    byRun.insert(line->name(), line->pen());
            }
            return byRun;
        };
        QString error;
        const auto kept = [&](const QString& id) { return QColor(open(m_path)->run(id, &error)->colour); };
        const QHash<QString, QPen> four = lines();
        QCOMPARE(four.size(), 4);
        QSet<QRgb> distinct;
        for (const QString& id : m_ids.mid(0, 4)) {
            QCOMPARE(four[id].color(), kept(id));
            distinct.insert(four[id].color().rgb());
        }
        QCOMPARE(distinct.size(), 4);
        // The table shows each run's colour beside its ID.
        const QModelIndex firstRow =
            table->model()
                ->match(table->model()->index(0, 0), RegistryTableModel::IdRole, m_ids[0], 1, Qt::MatchExactly)
                .value(0);
        QCOMPARE(firstRow.data(Qt::DecorationRole).value<QColor>(), kept(m_ids[0]));
        selectRun(table, m_ids[1], false);
        selectRun(table, m_ids[1]);
        settle(window);
        QCOMPARE(lines().value(m_ids[0]).color(), four[m_ids[0]].color());
        QCOMPARE(lines().value(m_ids[1]).color(), four[m_ids[1]].color());
        // The user's colour, kept by the registry; a second run given it is dashed.
        const QColor chosen(QStringLiteral("#123456"));
        window.setRunColour(m_ids[0], chosen);
        window.setRunColour(m_ids[1], chosen);
        QTRY_COMPARE(kept(m_ids[1]), chosen);
        QCOMPARE(kept(m_ids[0]), chosen);
        QTRY_COMPARE(lines().value(m_ids[1]).color(), chosen);
        QCOMPARE(lines().value(m_ids[0]).color(), chosen);
        QCOMPARE(lines().value(m_ids[0]).style(), Qt::SolidLine); // selected first
        QCOMPARE(lines().value(m_ids[1]).style(), Qt::DashLine);
        QCOMPARE(lines().value(m_ids[2]).style(), Qt::SolidLine);
        for (int i = 0; i < 2; ++i) // as they were, for the tests after this one
            window.setRunColour(m_ids[i], four[m_ids[i]].color());
        QTRY_COMPARE(kept(m_ids[1]), four[m_ids[1]].color());
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
        RegistryWindow window(connectorTo(m_path), m_path);
        settle(window);
        window.resize(1200, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTableView* table = window.table();
        table->selectRow(rowOf(table, id));
        ChartPane* chart = window.chart();
        QTRY_COMPARE(chart->tagBox()->currentText(), QStringLiteral("train/loss"));
        QTRY_VERIFY(chart->curve(id, QStringLiteral("train/loss"))); // the preview, or already every point
        QVERIFY(!chart->curve(id, QStringLiteral("train/loss"))->isEmpty());
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

        const QString readout = chart->describeAll(1500.4);
        QVERIFY2(readout.contains(QStringLiteral(" at step 1500, ")), qPrintable(readout));
        QVERIFY(readout.contains(QString::number(1.0 + std::sin(1500 / 50.0), 'g', 6)));
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
            RegistryWindow window(connectorTo(m_path), m_path);
            settle(window);
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
            window.chart()->smoothing()->setWeight(0.25);
            window.chart()->logScale()->setChecked(true);
            window.close();
        }
        RegistryWindow again(connectorTo(m_path), m_path);
        settle(again);
        QVERIFY(again.table()->horizontalHeader()->isSectionHidden(RegistryTableModel::Memo));
        QCOMPARE(again.table()->horizontalHeader()->sortIndicatorSection(), int(RegistryTableModel::Method));
        QCOMPARE(again.table()->model()->index(0, RegistryTableModel::Method).data().toString(),
                 QStringLiteral("cbloss"));
        QCOMPARE(again.chart()->smoothing()->weight(), 0.25);
        QVERIFY(again.chart()->logScale()->isChecked());
        again.close();
        {
            // The weight as an earlier version kept it (the slider's hundredths) is taken up.
            QSettings settings;
            settings.remove(QStringLiteral("chart/smoothingWeight"));
            settings.setValue(QStringLiteral("chart/smoothing"), 35);
        }
        RegistryWindow earlier(connectorTo(m_path), m_path);
        QCOMPARE(earlier.chart()->smoothing()->weight(), 0.35);
        QSettings().clear();
    }

    // Any hyperparameter or final metric becomes a column (Columns › Hyperparameters / Final Metrics), sorts
    // by value (0.05 between 0.01 and 0.1, runs without it last) and is there again after a restart.
    void hyperparameterAndMetricColumnsSortAndAreRemembered()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("columns.sqlite"));
        QStringList ids;
        {
            auto store = open(path);
            QString error;
            for (const double lr : {0.1, 0.01, 0.05}) {
                const QString id = store->reserve(QStringLiteral("sgd"), &error)->toString();
                RunDescription description;
                description.hparams = {{QStringLiteral("lr"), lr},
                                       {QStringLiteral("optimizer"), QStringLiteral("sgd")}};
                QVERIFY(store->describe(id, description, &error));
                QVERIFY(store->setFinalMetrics(id, {{QStringLiteral("test_accuracy"), 1 - lr}}, &error));
                ids << id;
            }
            ids << store->reserve(QStringLiteral("imported"), &error)->toString();                 // no hyperparameters
            ids << store->reserve(QStringLiteral("label-smoothing-ablation"), &error)->toString(); // a long ID
        }
        const auto column = [](RegistryWindow& window, const QString& key) {
            return qobject_cast<RegistryTableModel*>(
                       qobject_cast<QSortFilterProxyModel*>(window.table()->model())->sourceModel())
                ->extraColumn(key);
        };
        {
            RegistryWindow window(connectorTo(path), path);
            settle(window);
            window.show();
            Q_EMIT window.columnsMenu()->aboutToShow();
            QMenu* hparams = nullptr;
            for (QAction* action : window.columnsMenu()->actions()) {
                if (action->menu() && action->text() == QStringLiteral("&Hyperparameters"))
                    hparams = action->menu();
            }
            QVERIFY(hparams);
            QStringList offered;
            for (QAction* action : hparams->actions())
                offered << action->text();
            QCOMPARE(offered, (QStringList{QStringLiteral("lr"), QStringLiteral("optimizer")}));
            hparams->actions().first()->toggle();
            const int lr = column(window, QStringLiteral("hparams/lr"));
            QCOMPARE(lr, int(RegistryTableModel::ColumnCount));
            QAbstractItemModel* rows = window.table()->model();
            QCOMPARE(rows->headerData(lr, Qt::Horizontal).toString(), QStringLiteral("lr"));
            window.table()->sortByColumn(lr, Qt::AscendingOrder);
            QStringList order;
            for (int row = 0; row < rows->rowCount(); ++row)
                order << rows->index(row, lr).data().toString();
            QCOMPARE(order,
                     (QStringList{QStringLiteral("0.01"), QStringLiteral("0.05"), QStringLiteral("0.1"), {}, {}}));
            // No ID is cut off, however long its method.
            QVERIFY(window.table()->columnWidth(RegistryTableModel::Id) >
                    window.table()->fontMetrics().horizontalAdvance(ids[4]));
            QCOMPARE((QSet<QString>{rows->index(3, 0).data().toString(), rows->index(4, 0).data().toString()}),
                     (QSet<QString>{ids[3], ids[4]})); // without an lr: last
            window.close();
        }
        RegistryWindow again(connectorTo(path), path);
        settle(again);
        again.show();
        QCOMPARE(column(again, QStringLiteral("hparams/lr")), int(RegistryTableModel::ColumnCount));
        QCOMPARE(again.table()->horizontalHeader()->sortIndicatorSection(), int(RegistryTableModel::ColumnCount));
        QSettings().clear();
    }

    // The details pane is a key/value table: only the hyperparameters that applied to the run (no focal_gamma
    // for softmax, no momentum for Adam), a limit of 0 read as "all", numbers rounded but exact on hover and
    // when copied.
    void detailsShowTheHyperparametersThatApplied()
    {
        RunRecord run;
        run.id = QStringLiteral("20261201_01_softmax");
        run.method = QStringLiteral("softmax");
        run.hparams = {{QStringLiteral("method"), QStringLiteral("softmax")},
                       {QStringLiteral("focal_gamma"), 2.0},
                       {QStringLiteral("optimizer"), QStringLiteral("adam")},
                       {QStringLiteral("momentum"), 0.9},
                       {QStringLiteral("lr"), 0.00123456789},
                       {QStringLiteral("train_limit"), 0},
                       {QStringLiteral("test_limit"), 1000}};
        run.finalMetrics = {{QStringLiteral("test_accuracy"), 0.87654321}};
        RunDetailsWidget details;
        details.showRun(&run);
        QHash<QString, QTableWidgetItem*> shown;
        for (int row = 0; row < details.factsTable()->rowCount(); ++row)
            shown.insert(details.factsTable()->item(row, 0)->text(), details.factsTable()->item(row, 1));
        QVERIFY(!shown.contains(QStringLiteral("focal_gamma")));
        QVERIFY(!shown.contains(QStringLiteral("momentum")));
        QVERIFY(!shown.contains(QStringLiteral("hparams")));
        QCOMPARE(shown.value(QStringLiteral("lr"))->text(), QStringLiteral("0.00123457"));
        QCOMPARE(shown.value(QStringLiteral("lr"))->toolTip(), QStringLiteral("0.00123456789"));
        QCOMPARE(shown.value(QStringLiteral("train_limit"))->text(), QStringLiteral("all"));
        QCOMPARE(shown.value(QStringLiteral("test_limit"))->text(), QStringLiteral("1000"));
        QCOMPARE(shown.value(QStringLiteral("test_accuracy"))->text(), QStringLiteral("0.876543"));
        QCOMPARE(shown.value(QStringLiteral("optimizer"))->text(), QStringLiteral("adam"));
        details.factsTable()->selectRow(details.factsTable()->row(shown.value(QStringLiteral("lr"))));
        details.copyFacts();
        QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("lr\t0.00123456789"));
    }

    // A script's interpreter keeps its packages with the run (jikken run): a count in the pane, every name on
    // hover, and the versions row without them.
    void detailsCountAScriptsPackagesAndListThemOnHover()
    {
        RunRecord run;
        run.id = QStringLiteral("20261201_02_focalloss");
        run.versions = {{QStringLiteral("python"), QStringLiteral("3.11.2")},
                        {QStringLiteral("packages"),
                         QJsonArray{QStringLiteral("numpy==1.24.2"), QStringLiteral("torch==1.13.0a0")}}};
        RunDetailsWidget details;
        details.showRun(&run);
        QHash<QString, QTableWidgetItem*> shown;
        for (int row = 0; row < details.factsTable()->rowCount(); ++row)
            shown.insert(details.factsTable()->item(row, 0)->text(), details.factsTable()->item(row, 1));
        QVERIFY(shown.contains(QStringLiteral("packages")));
        QCOMPARE(shown.value(QStringLiteral("packages"))->text(), QStringLiteral("2 installed"));
        QCOMPARE(shown.value(QStringLiteral("packages"))->toolTip(), QStringLiteral("numpy==1.24.2\ntorch==1.13.0a0"));
        QCOMPARE(shown.value(QStringLiteral("python"))->text(), QStringLiteral("3.11.2")); // a version a line
    }

    // The pane in sections, times local to the second with how long the run took, and for a failed run the
    // reason and the last lines of its output (not only "exit status 1").
    void detailsAreInSectionsWithAFailedRunsLastOutput()
    {
        QTemporaryDir logs;
        QFile log(logs.filePath(QStringLiteral("output.log")));
        QVERIFY(log.open(QIODevice::WriteOnly));
        for (int i = 1; i <= 40; ++i)
            log.write(QByteArray("epoch ") + QByteArray::number(i) + " done\n");
        log.write("Traceback (most recent call last):\nRuntimeError: CUDA out of memory\n");
        log.close();
        RunRecord run;
        run.id = QStringLiteral("20261201_03_focalloss");
        run.method = QStringLiteral("focalloss");
        run.model = QStringLiteral("resnet18");
        run.status = RunStatus::Failed;
        run.statusReason = QStringLiteral("exit status 1");
        run.started = QDateTime(QDate(2026, 12, 1), QTime(10, 0, 0, 123), Qt::UTC);
        run.finished = run.started.addSecs(2 * 3600 + 14 * 60 + 5);
        run.hparams = {{QStringLiteral("lr"), 0.1}};
        run.versions = {{QStringLiteral("libtorch"), QStringLiteral("1.13.1")}};
        run.host = QStringLiteral("gpu1");
        run.command = QStringLiteral("jikken train spec.json");
        run.logDir = logs.path();
        run.latestTestError = 0.3;
        // Kept checkpoints in a section of their own (a removed one not), where each is on hover.
        const CheckpointRecord best{QStringLiteral("best"),
                                    3000,
                                    7,
                                    QStringLiteral("test/error"),
                                    0.25,
                                    QStringLiteral("gpu1"),
                                    QStringLiteral("/r/best-3000.pt"),
                                    3 * 1024 * 1024,
                                    QString(64, u'b'),
                                    true};
        CheckpointRecord gone = best;
        gone.kind = QStringLiteral("last");
        gone.kept = false;
        run.checkpoints = {gone, best};
        RunDetailsWidget details;
        details.showRun(&run);
        QStringList headings;
        QHash<QString, QString> shown;
        for (int row = 0; row < details.factsTable()->rowCount(); ++row) {
            if (details.factsTable()->columnSpan(row, 0) == 2)
                headings << details.factsTable()->item(row, 0)->text();
            else
                shown.insert(details.factsTable()->item(row, 0)->text(), details.factsTable()->item(row, 1)->text());
        }
        QCOMPARE(headings,
                 (QStringList{QStringLiteral("Run"), QStringLiteral("Hyperparameters"), QStringLiteral("Results"),
                              QStringLiteral("Checkpoints"), QStringLiteral("Machine"), QStringLiteral("Reproduce"),
                              QStringLiteral("Output")}));
        QCOMPARE(shown.value(QStringLiteral("best")), QStringLiteral("step 3000 (epoch 7), test/error 0.25, 3.00 MB"));
        QVERIFY(!shown.contains(QStringLiteral("last")));
        QCOMPARE(shown.value(QStringLiteral("started")),
                 run.started.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
        QCOMPARE(shown.value(QStringLiteral("duration")), QStringLiteral("2 h 14 min"));
        QCOMPARE(shown.value(QStringLiteral("status")), QStringLiteral("failed: exit status 1"));
        QCOMPARE(shown.value(QStringLiteral("libtorch")), QStringLiteral("1.13.1"));
        const QString tail = shown.value(QStringLiteral("last lines"));
        QVERIFY2(tail.endsWith(QStringLiteral("RuntimeError: CUDA out of memory")) &&
                     tail.contains(QStringLiteral("epoch 40 done")) && !tail.contains(QStringLiteral("epoch 30 done")),
                 qPrintable(tail));
        run.status = RunStatus::Finished; // a finished run's output is not news
        details.showRun(&run);
        for (int row = 0; row < details.factsTable()->rowCount(); ++row)
            QVERIFY(details.factsTable()->item(row, 0)->text() != QLatin1String("Output"));
    }

    void opensSelectedRunsInThePlotViewer()
    {
        auto writer = open(m_path);
        QString error;
        QVector<ScalarPoint> points;
        for (int step = 1; step <= 300; ++step)
            points.append({QStringLiteral("viewer/loss"), step, 1.0 * step, 1.0 / step});
        QVERIFY(writer->addScalars(m_ids[2], points, &error));
        RegistryWindow window(connectorTo(m_path), m_path);
        settle(window);
        window.show();
        ViewerWindow* viewer = openInViewer(window, {m_ids[2], m_ids[1]});
        QVERIFY(viewer);
        QCOMPARE(viewer->library().keys().size(), 2);
        QCOMPARE(viewer->library().run(m_ids[2])->scalars.value(QStringLiteral("viewer/loss")).size(), 300);
        QCOMPARE(viewer->library().run(m_ids[1])->method(), QStringLiteral("focalloss"));
        QVERIFY(!viewer->library().isOffline(m_ids[2]));
    }

    // On a service the window follows the change feed instead of polling: a memo written by someone else
    // shows without a poll (the window polls no more); a SQLite file here is followed too.
    void followsTheServicesChangeFeed()
    {
        ServiceThread service(m_path);
        QVERIFY2(service.port(), qPrintable(service.error()));
        const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(service.port()));
        const QString token = service.token();
        RegistryWindow window(
            [url, token](QString*) -> std::unique_ptr<RegistryClient> {
                return std::make_unique<HttpRegistryClient>(url, token, 5000);
            },
            url.toString(), 2);
        settle(window);
        QTRY_VERIFY_WITH_TIMEOUT(window.followsChanges(), 5000);
        settle(window);
        HttpRegistryClient other(url, token, 5000);
        QString error;
        QVERIFY2(other.setMemo(m_ids[1], QStringLiteral("seen through the feed"), &error), qPrintable(error));
        const auto memoShown = [&] {
            QAbstractItemModel* rows = window.table()->model();
            return rows->index(rowOf(window.table(), m_ids[1]), RegistryTableModel::Memo).data().toString() ==
                   QStringLiteral("seen through the feed");
        };
        QTRY_VERIFY_WITH_TIMEOUT(memoShown(), 5000);
        QVERIFY(window.followsChanges()); // the update came through the feed: nothing polled meanwhile

        // The plot viewer opened from the window is told of its runs' changes by the feed, and does not read
        // every run again each second; new points reach it all the same.
        window.show();
        ViewerWindow* viewer = openInViewer(window, {m_ids[1]});
        QVERIFY(viewer);
        QVERIFY(viewer->modelsFollowed());
        const auto pointsInViewer = [&](ViewerWindow* shown) {
            const ViewerRun* run = shown->library().run(m_ids[1]);
            return run ? run->scalars.value(QStringLiteral("feed/loss")).size() : -1;
        };
        QCOMPARE(pointsInViewer(viewer), 0);
        // A companion's report: the points, then the progress they make (which the viewer looks for).
        const auto report = [&](qint64 step) {
            return other.addScalars(m_ids[1], {{QStringLiteral("feed/loss"), step, 1.0 * step, 1.0 / step}}, &error) &&
                   other.reportProgress(m_ids[1], 1, step, std::nullopt, &error);
        };
        QVERIFY2(report(1), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(pointsInViewer(viewer), 1, 5000);
        viewer->close();

        // A SQLite file here has a feed of its own: SQLite's count of the commits of other connections (the
        // service's, another process's). A memo written elsewhere shows, and the viewer's runs follow.
        RegistryWindow local(connectorTo(m_path), m_path);
        settle(local);
        QTRY_VERIFY_WITH_TIMEOUT(local.followsChanges(), 5000);
        QVERIFY2(other.setMemo(m_ids[1], QStringLiteral("seen in the file"), &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(
            local.table()->model()->index(rowOf(local.table(), m_ids[1]), RegistryTableModel::Memo).data().toString(),
            QStringLiteral("seen in the file"), 5000);
        QVERIFY(local.followsChanges()); // through the feed: nothing polled meanwhile
        local.show();
        ViewerWindow* following = openInViewer(local, {m_ids[1]});
        QVERIFY(following && following != viewer);
        QVERIFY(following->modelsFollowed());
        QCOMPARE(pointsInViewer(following), 1);
        QVERIFY2(report(2), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(pointsInViewer(following), 2, 5000);
        following->close();
    }

    // The chart marks what its lines cannot show: a cross and "NaN" where a run's curve stopped being
    // finite (at its last finite value), and the points of a spike Ignore outliers leaves out, at the top
    // edge. Last of the tests on this registry: its runs get a curve the tests before did not expect.
    void marksWhereCurvesStopAndWhatIsClipped()
    {
        {
            auto writer = open(m_path);
            QString error;
            for (int i : {0, 1, 2}) {
                QVector<ScalarPoint> points;
                for (int step = 0; step < 1000; ++step) {
                    double value = 2.2 * std::exp(-step / (300.0 + 50 * i)) + 0.1;
                    if (i == 0 && step >= 600)
                        value = qQNaN();
                    if (i == 1 && (step == 500 || step == 501))
                        value = 3600;
                    points.append({QStringLiteral("probe/value"), step, 1.0 * step, value});
                }
                QVERIFY2(writer->addScalars(m_ids[i], points, &error), qPrintable(error));
            }
        }
        RegistryWindow window(connectorTo(m_path), m_path);
        settle(window);
        window.resize(1200, 800);
        window.show();
        for (int i : {0, 1, 2})
            selectRun(window.table(), m_ids[i]);
        settle(window);
        ChartPane* pane = window.chart();
        pane->smoothing()->setWeight(0);
        pane->ignoreOutliers()->setChecked(true);
        pane->tagBox()->setCurrentText(QStringLiteral("probe/value"));
        settle(window);
        QCOMPARE(pane->tagBox()->currentText(), QStringLiteral("probe/value"));
        QVERIFY2(pane->chart()->title().contains(m_ids[1]), qPrintable(pane->chart()->title()));
        QVERIFY(pane->chart()->yRange().second < 10);
        const CurveMarks* marks = pane->chart()->marks();
        QVector<CurveMarks::Mark> stopped, above;
        for (const CurveMarks::Mark& mark : marks->marks())
            (mark.kind == CurveMarks::Mark::Kind::NotFinite ? stopped : above).append(mark);
        QCOMPARE(stopped.size(), 1);
        QCOMPARE(qobject_cast<QLineSeries*>(stopped[0].series)->name(), m_ids[0]);
        QCOMPARE(stopped[0].label, QStringLiteral("NaN"));
        QCOMPARE(stopped[0].at.x(), 600.0);
        QCOMPARE(stopped[0].at.y(), 2.2 * std::exp(-599 / 300.0) + 0.1);
        QVERIFY(!above.isEmpty());
        const QRectF plot = pane->chart()->plotArea();
        for (const CurveMarks::Mark& mark : std::as_const(above)) {
            QCOMPARE(qobject_cast<QLineSeries*>(mark.series)->name(), m_ids[1]);
            QCOMPARE(mark.at.y(), 3600.0);
            const auto place = marks->placeOf(mark);
            QVERIFY(place);
            QCOMPARE(place->y(), plot.top());
            QVERIFY(std::abs(place->x() - pane->chart()->mapToPosition(QPointF(500, 1), mark.series).x()) < 2);
        }
        // Drawn: the NaN run's colour around its mark.
        const QPointF cross = pane->chart()->mapToScene(*marks->placeOf(stopped[0]));
        const QPoint onScreen = pane->view()->mapFromScene(cross);
        const QImage image = pane->view()->grab().toImage();
        int coloured = 0;
        for (int dy = -4; dy <= 4; ++dy) {
            for (int dx = -4; dx <= 4; ++dx)
                coloured += image.pixelColor(onScreen + QPoint(dx, dy)).rgb() == stopped[0].colour.rgb();
        }
        QVERIFY2(coloured >= 5, qPrintable(QString::number(coloured)));
        // Without Ignore outliers the spike is in range: nothing above it to mark.
        pane->ignoreOutliers()->setChecked(false);
        settle(window);
        for (const CurveMarks::Mark& mark : marks->marks())
            QVERIFY(mark.kind == CurveMarks::Mark::Kind::NotFinite);
    }

    void anUnreachableServiceShowsABanner()
    {
        RegistryWindow window(
            [](QString*) -> std::unique_ptr<RegistryClient> {
                return std::make_unique<HttpRegistryClient>(QUrl(QStringLiteral("http://127.0.0.1:9")),
                                                            QStringLiteral("jk_x"), 2000);
            },
            QStringLiteral("http://127.0.0.1:9"));
        settle(window);
        window.show();
        QVERIFY(window.banner()->isVisibleTo(&window));
        QVERIFY2(window.banner()->text().contains(QStringLiteral("does not answer")),
                 qPrintable(window.banner()->text()));
        QCOMPARE(window.table()->model()->rowCount(), 0);
    }
};

QTEST_MAIN(TestRegistryWindow)
#include "TestRegistryWindow.moc"
