// The main window on a real X server (Xvfb, run by CTest through xvfb-run) over a fixture registry of a
// few dozen runs, two of them training while it is shown. Saves PNGs in build/screenshots for a person
// to look at, and checks the pictures hold what they should: every shown run's curve in its colour.
#include "charts/ChartPane.h"
#include "charts/CurveMarks.h"
#include "registry/RegistryStore.h"
#include "registry/RegistryTableModel.h"
#include "widgets/RegistryWindow.h"
#include "widgets/RunDetailsWidget.h"

#include <QApplication>
#include <QChart>
#include <QCheckBox>
#include <QDir>
#include <QLineSeries>
#include <QSettings>
#include <QStandardPaths>
#include <QStyle>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace jikken;

namespace {

std::unique_ptr<RegistryStore> open(const QString& path)
{
    auto store = std::make_unique<RegistryStore>();
    QString error;
    if (!store->open(path, &error))
        qFatal("%s", qPrintable(error));
    return store;
}

QVector<ScalarPoint> curve(int run, int fromStep, int toStep)
{
    QVector<ScalarPoint> points;
    for (int step = fromStep; step < toStep; step += 10) {
        const double error = 0.08 + 0.8 * std::exp(-step / (600.0 + 150 * run)) + 0.01 * std::sin(step / 40.0 + run);
        points.append({QStringLiteral("test/error"), step, 1.7e9 + step * 0.5, error});
        points.append({QStringLiteral("train/loss"), step, 1.7e9 + step * 0.5, 2.3 * error});
    }
    return points;
}

/// How many pixels of `image` are within a few levels of `colour` (the line's own pixels, not its blend).
int pixelsOf(const QImage& image, const QColor& colour)
{
    int count = 0;
    for (int y = 0; y < image.height(); ++y) {
        const auto* line = reinterpret_cast<const QRgb*>(image.constScanLine(y));
        for (int x = 0; x < image.width(); ++x) {
            if (std::abs(qRed(line[x]) - colour.red()) + std::abs(qGreen(line[x]) - colour.green()) +
                    std::abs(qBlue(line[x]) - colour.blue()) <
                12)
                ++count;
        }
    }
    return count;
}

} // namespace

class TestScreenshots : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // the remembered layout goes to a test location
        QSettings().clear();
    }

    void mainWindowWithLiveCurves()
    {
        QVERIFY2(QGuiApplication::platformName() == QLatin1String("xcb"),
                 "run under an X server (ctest runs this through xvfb-run)");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("registry.sqlite"));
        auto writer = open(path);
        QString error;
        const char* methods[] = {"softmax", "focalloss", "cbloss", "mixup", "label-smoothing", "cutmix"};
        const char* models[] = {"resnet18", "resnet50", "wrn-28-10", "vit-tiny"};
        QStringList ids;
        for (int i = 0; i < 36; ++i) {
            const QString id = writer->reserve(QString::fromLatin1(methods[i % 6]), &error)->toString();
            RunDescription description;
            description.model = QString::fromLatin1(models[i % 4]);
            description.dataset = QStringLiteral("fashion-mnist");
            description.host = QStringLiteral("gpu%1").arg(i % 3 + 1);
            description.device = QStringLiteral("cuda:%1").arg(i % 4);
            description.command = QStringLiteral("jikken train --method %1").arg(QString::fromLatin1(methods[i % 6]));
            description.totalEpochs = 90;
            QVERIFY2(writer->describe(id, description, &error), qPrintable(error));
            QVERIFY(writer->setMemo(id, QStringLiteral("gamma=%1, lr=%2").arg(i % 5).arg(0.1 / (1 + i % 3)), &error));
            const bool training = i >= 34;
            QVERIFY(writer->setStatus(id,
                                      training     ? RunStatus::Running
                                      : i % 7 == 3 ? RunStatus::Failed
                                                   : RunStatus::Finished,
                                      {}, &error));
            QVERIFY(writer->reportProgress(id, training ? 30 + i : 90, 1000, 0.1 + (i % 10) / 50.0, &error));
            ids << id;
        }
        const QStringList shown{ids[30], ids[32], ids[34], ids[35]};
        for (int i = 0; i < shown.size(); ++i)
            QVERIFY(writer->addScalars(shown[i], curve(i, 0, 3000), &error));

        RegistryWindow window([&path](QString*) -> std::unique_ptr<RegistryClient> { return open(path); }, path);
        QVERIFY(QTest::qWaitFor(
            [&window] { return window.reader().outstanding() == 0 && !window.chart()->isDrawPending(); }, 20000));
        window.resize(1440, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTableView* table = window.table();
        for (const QString& id : shown) {
            const int row = [&] {
                for (int r = 0; r < table->model()->rowCount(); ++r)
                    if (table->model()->index(r, 0).data(RegistryTableModel::IdRole).toString() == id)
                        return r;
                return -1;
            }();
            table->selectionModel()->select(table->model()->index(row, 0),
                                            QItemSelectionModel::Select | QItemSelectionModel::Rows);
        }
        ChartPane* chart = window.chart();
        QTRY_VERIFY(chart->curve(shown[3], QStringLiteral("test/error")) &&
                    chart->curve(shown[3], QStringLiteral("test/error"))->isComplete());

        // The two running models report more points while the window is up.
        for (int i : {2, 3}) {
            QVERIFY(writer->addScalars(shown[i], curve(i, 3000, 4500), &error));
            QVERIFY(writer->reportProgress(shown[i], 70, 4490, 0.09, &error));
        }
        window.refresh();
        QVERIFY(QTest::qWaitFor(
            [&window] { return window.reader().outstanding() == 0 && !window.chart()->isDrawPending(); }, 20000));
        QTRY_COMPARE(chart->curve(shown[3], QStringLiteral("test/error"))
                         ->step(chart->curve(shown[3], QStringLiteral("test/error"))->size() - 1),
                     qint64(4490));
        QTest::qWait(200); // let the redraw reach the screen

        QDir().mkpath(QStringLiteral(JIKKEN_SCREENSHOT_DIR));
        const QImage light = window.grab().toImage().convertToFormat(QImage::Format_RGB32);
        QVERIFY(light.save(QStringLiteral(JIKKEN_SCREENSHOT_DIR "/xvfb-main-window.png")));
        for (const QString& id : shown)
            QVERIFY2(pixelsOf(light, QColor(writer->run(id, &error)->colour)) > 100, qPrintable(id));

        // Dark mode: the palette a dark macOS gives; the chart follows with its dark theme.
        QPalette dark;
        dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
        dark.setColor(QPalette::WindowText, Qt::white);
        dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
        dark.setColor(QPalette::AlternateBase, QColor(0x26, 0x26, 0x26));
        dark.setColor(QPalette::Text, Qt::white);
        dark.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
        dark.setColor(QPalette::ButtonText, Qt::white);
        QApplication::setPalette(dark);
        QTRY_COMPARE(chart->chart()->theme(), QChart::ChartThemeDark);
        QTest::qWait(200);
        const QImage night = window.grab().toImage().convertToFormat(QImage::Format_RGB32);
        QVERIFY(night.save(QStringLiteral(JIKKEN_SCREENSHOT_DIR "/xvfb-main-window-dark.png")));
        for (const QString& id : shown)
            QVERIFY2(pixelsOf(night, QColor(writer->run(id, &error)->colour)) > 100,
                     qPrintable(id)); // still its own colour
    }

    // Eight runs of train/loss on a log y, zoomed, one of them diverged (a spike to 3,600, then NaN): the
    // diverged run says so in the table and its details, its spike is left out of the y range (the chart's
    // title names it, triangles at the top mark it) and a cross where it became NaN, and every run is
    // drawn in the colour the registry keeps for it.
    void eightRunsZoomedOnALogAxisWithADivergedOne()
    {
        QApplication::setPalette(QApplication::style()->standardPalette()); // light again after the dark shot
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("registry.sqlite"));
        auto writer = open(path);
        QString error;
        QStringList ids;
        for (int i = 0; i < 8; ++i) {
            const QString id = writer->reserve(QStringLiteral("sweep"), &error)->toString();
            QVERIFY(writer->setStatus(id, RunStatus::Running, {}, &error));
            QVERIFY(writer->addScalars(id, curve(i, 0, i == 5 ? 1800 : 3000), &error));
            ids << id;
        }
        const QString diverged = ids[5];
        QVERIFY(writer->addScalars(diverged,
                                   {{QStringLiteral("train/loss"), 1500, 1.7e9 + 750, 3600},
                                    {QStringLiteral("train/loss"), 1850, 1.7e9 + 925, qQNaN()},
                                    {QStringLiteral("train/loss"), 1900, 1.7e9 + 950, qQNaN()}},
                                   &error));
        QCOMPARE(toString(writer->run(diverged, &error)->status), QStringLiteral("diverged"));

        RegistryWindow window([&path](QString*) -> std::unique_ptr<RegistryClient> { return open(path); }, path);
        window.resize(1440, 900);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(QTest::qWaitFor([&window] { return window.table()->model()->rowCount() == 8; }, 20000));
        window.table()->selectAll();
        ChartPane* chart = window.chart();
        QTRY_VERIFY(chart->tagBox()->findText(QStringLiteral("train/loss")) >= 0);
        chart->tagBox()->setCurrentText(QStringLiteral("train/loss"));
        chart->logScale()->setChecked(true);
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (const QString& id : ids) {
                    const ChartCurve* c = chart->curve(id, QStringLiteral("train/loss"));
                    if (!c || !c->isComplete())
                        return false;
                }
                return !chart->isDrawPending();
            },
            20000));
        chart->reload();
        QVERIFY2(chart->chart()->title().contains(diverged), qPrintable(chart->chart()->title()));
        const QRectF plot = chart->chart()->plotArea();
        chart->chart()->zoomIn(QRectF(plot.left() + plot.width() * 0.2, plot.top(), plot.width() * 0.5, plot.height()));
        QTest::qWait(200);
        QDir().mkpath(QStringLiteral(JIKKEN_SCREENSHOT_DIR));
        const QImage shot = window.grab().toImage().convertToFormat(QImage::Format_RGB32);
        QVERIFY(shot.save(QStringLiteral(JIKKEN_SCREENSHOT_DIR "/xvfb-main-window-8-runs-log-zoomed.png")));
        for (const QString& id : ids)
            QVERIFY2(pixelsOf(shot, QColor(writer->run(id, &error)->colour)) > 30, qPrintable(id));
        QVERIFY(window.details()->shownId().size() > 0); // a chosen run detailed, not "no run selected"
        int crosses = 0, triangles = 0;
        for (const CurveMarks::Mark& mark : chart->chart()->marks()->marks()) {
            if (chart->chart()->marks()->placeOf(mark))
                ++(mark.kind == CurveMarks::Mark::Kind::NotFinite ? crosses : triangles);
        }
        QCOMPARE(crosses, 1);
        QVERIFY(triangles >= 1);
    }
};

QTEST_MAIN(TestScreenshots)
#include "TestScreenshots.moc"
