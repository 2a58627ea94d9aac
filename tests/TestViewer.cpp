// The meeting-time plot viewer: logdirs of every writer (both scalar encodings, several files per run,
// truncated, growing and corrupt files), figures exported by the real `jikken-desktop` (valid PNG/SVG/PDF
// of the requested size), the offline cache with the registry service stopped, and meeting notes whose
// model IDs open runs.

#include "EventTestSupport.h"
#include "JikkenProcess.h"
#include "ServeProcess.h"
#include "charts/CurveChart.h"
#include "charts/CurveControls.h"
#include "charts/GroupingControls.h"
#include "charts/RunColours.h"
#include "data/DatasetLoader.h"
#include "events/EventFileWriter.h"
#include "events/LoggedTables.h"
#include "events/ScalarExport.h"
#include "registry/HttpRegistryClient.h"
#include "viewer/ComparisonTables.h"
#include "viewer/CurveStore.h"
#include "viewer/FigureExport.h"
#include "viewer/FigureRenderer.h"
#include "viewer/FigureWidget.h"
#include "viewer/LogdirRuns.h"
#include "viewer/MediaPage.h"
#include "viewer/NotesPane.h"
#include "viewer/ParallelCoordinates.h"
#include "viewer/RunLibrary.h"
#include "viewer/RunSummary.h"
#include "viewer/ViewerWindow.h"

#include <QAbstractAxis>
#include <QBuffer>
#include <QDir>
#include <QGraphicsScene>
#include <QImage>
#include <QJsonArray>
#include <QLineSeries>
#include <QPainter>
#include <QPlainTextEdit>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSettings>
#include <QSlider>
#include <QStandardPaths>
#include <QStatusBar>
#include <QSvgRenderer>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextFrame>
#include <QTextTable>
#include <QTreeWidget>
#include <QValueAxis>
#include <QXmlStreamReader>
#include <QtConcurrent/QtConcurrentRun>
#include <QtEndian>

using namespace jikken;
using namespace jikken::testing;

namespace {

const QString kFocal = QStringLiteral("20261101_01_focal");

/// A logdir as three writers leave it: a Jikken run named by its model ID over two files (the second in
/// the tensor encoding, as after a resume with PyTorch's writer) with an `eval` sub-folder, a TensorFlow
/// run in the tensor encoding, and a run still being written whose last record is cut in half.
struct Logdir
{
    QTemporaryDir dir;
    QString growingFile;
    std::string growingTail;

    Logdir()
    {
        QDir root(dir.path());
        root.mkpath(kFocal + QStringLiteral("/eval"));
        root.mkpath(QStringLiteral("tf_run/train"));
        root.mkpath(QStringLiteral("growing"));
        std::string first = fileVersionRecord();
        for (int step = 1; step <= 50; ++step) {
            first += simpleScalarRecord("loss", step, 1.0f / static_cast<float>(step), 1000.0 + step);
            if (step % 10 == 0)
                first += simpleScalarRecord("test/error", step, 0.5f - static_cast<float>(step) / 1000, 1000.0 + step);
        }
        std::string second = fileVersionRecord();
        for (int step = 51; step <= 100; ++step)
            second += tensorScalarRecord("loss", step, 1.0f / static_cast<float>(step), step == 51, 1000.0 + step);
        std::string eval = fileVersionRecord();
        for (int step = 10; step <= 100; step += 10)
            eval += simpleScalarRecord("acc", step, static_cast<float>(step) / 100, 1000.0 + step);
        std::string tf = fileVersionRecord();
        for (int step = 1; step <= 30; ++step)
            tf += tensorScalarRecord("loss", step, 2.0f / static_cast<float>(step), step == 1, 2000.0 + step);
        std::string growing = fileVersionRecord();
        for (int step = 1; step <= 20; ++step)
            growing += simpleScalarRecord("loss", step, 3.0f, 3000.0 + step);
        const std::string cut = simpleScalarRecord("loss", 21, 3.0f, 3021);
        growing += cut.substr(0, cut.size() / 2);
        growingTail = cut.substr(cut.size() / 2);
        growingFile = root.filePath(QStringLiteral("growing/events.out.tfevents.1000000000.g.1.0"));
        writeFile(root.filePath(kFocal + QStringLiteral("/events.out.tfevents.1000000000.h.1.0")), first);
        writeFile(root.filePath(kFocal + QStringLiteral("/events.out.tfevents.1000000500.h.1.0")), second);
        writeFile(root.filePath(kFocal + QStringLiteral("/eval/events.out.tfevents.1000000000.h.2.0")), eval);
        writeFile(root.filePath(QStringLiteral("tf_run/train/events.out.tfevents.1000000000.tf.1.v2")), tf);
        writeFile(growingFile, growing);
    }
    QString path() const { return dir.path(); }
    QString key(const QString& run) const { return LogdirRuns::keyFor(QFileInfo(dir.path()).absoluteFilePath(), run); }
};

struct Exported
{
    int exitCode = -1;
    QString out;
    QString err;
};

/// Cuts one of the cache's copies to half its length; the file, or empty when there is none.
QString damageACachedCopy(const ViewerCache& cache)
{
    const QFileInfoList copies = QDir(cache.directory()).entryInfoList({QStringLiteral("*.run")});
    if (copies.isEmpty())
        return {};
    QFile damaged(copies.first().absoluteFilePath());
    if (!damaged.open(QIODevice::ReadWrite) || !damaged.resize(damaged.size() / 2))
        return {};
    return damaged.fileName();
}

Exported runDesktop(const QStringList& arguments, const QString& cacheHome)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_CACHE_HOME"), cacheHome);
    env.remove(QStringLiteral("QT_QPA_PLATFORM")); // --export must choose off-screen drawing itself
    env.remove(QStringLiteral("DISPLAY"));
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(JIKKEN_DESKTOP), arguments);
    Exported result;
    if (!process.waitForFinished(60000))
        return result;
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestViewer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true); // saved views and the notes folder go to a test location
        QSettings().clear();
    }

    void readsLogdirsOfEveryWriterAndFollowsGrowth()
    {
        Logdir logdir;
        LogdirRuns runs(logdir.path());
        QStringList changed, warnings;
        QString error;
        QVERIFY2(runs.poll(&changed, &warnings, &error), qPrintable(error));
        QCOMPARE(changed.size(), 3);
        const ViewerRun& focal = runs.runs().at(kFocal);
        QCOMPARE(focal.name, kFocal);
        QCOMPARE(focal.method(), QStringLiteral("focal"));
        QCOMPARE(focal.scalars.keys(),
                 (QStringList{QStringLiteral("eval/acc"), QStringLiteral("loss"), QStringLiteral("test/error")}));
        const ScalarSeries& loss = focal.scalars.value(QStringLiteral("loss"));
        QCOMPARE(loss.size(), 100); // both files, both encodings
        QCOMPARE(loss.steps.first(), 1);
        QCOMPARE(loss.steps.last(), 100);
        QCOMPARE(loss.values[99], static_cast<double>(1.0f / 100.0f));
        QCOMPARE(focal.scalars.value(QStringLiteral("eval/acc")).size(), 10);
        const ViewerRun& tf = runs.runs().at(logdir.key(QStringLiteral("tf_run/train")));
        QCOMPARE(tf.name, QStringLiteral("tf_run/train"));
        QCOMPARE(tf.scalars.value(QStringLiteral("loss")).size(), 30);
        const QString growingKey = logdir.key(QStringLiteral("growing"));
        QCOMPARE(runs.runs().at(growingKey).pointCount(), 20); // the half-written record waits

        // The writer finishes its record and writes five more: only that run changed.
        std::string more = logdir.growingTail;
        for (int step = 22; step <= 26; ++step)
            more += simpleScalarRecord("loss", step, 4.0f, 3000.0 + step);
        QVERIFY(writeFile(logdir.growingFile, more, true));
        changed.clear();
        QVERIFY(runs.poll(&changed, &warnings, &error));
        QCOMPARE(changed, QStringList{growingKey});
        QCOMPARE(runs.runs().at(growingKey).pointCount(), 26);
        QCOMPARE(runs.runs().at(growingKey).scalars.value(QStringLiteral("loss")).values.last(), 4.0);

        // A corrupt file is a warning; the rest of the logdir is still read.
        QDir(logdir.path()).mkpath(QStringLiteral("broken"));
        std::string broken = fileVersionRecord() + simpleScalarRecord("loss", 1, 1.0f);
        broken[broken.size() - 2] ^= 0x55;
        QVERIFY(writeFile(logdir.path() + QStringLiteral("/broken/events.out.tfevents.1.b.1.0"), broken));
        QVERIFY(runs.poll(&changed, &warnings, &error));
        QVERIFY2(warnings.join(u' ').contains(QStringLiteral("corrupt")), qPrintable(warnings.join(u' ')));
        QCOMPARE(runs.runs().at(kFocal).scalars.value(QStringLiteral("loss")).size(), 100);
        changed.clear();
        QVERIFY(runs.poll(&changed, &warnings, &error)); // polling again reads nothing twice
        QVERIFY(changed.isEmpty());
        QCOMPARE(runs.runs().at(kFocal).scalars.value(QStringLiteral("loss")).size(), 100);
    }

    void exportsValidFiguresOfTheRequestedSize()
    {
        Logdir logdir;
        QTemporaryDir out;
        const QString cache = out.filePath(QStringLiteral("cache"));
        const QStringList base{QStringLiteral("--viewer"), logdir.path(), QStringLiteral("--registry"),
                               out.filePath(QStringLiteral("registry.sqlite"))};
        const QStringList tags{QStringLiteral("--tags"), QStringLiteral("loss"), QStringLiteral("eval/acc")};

        const QString png = out.filePath(QStringLiteral("figure.png"));
        Exported r = runDesktop(
            base + tags +
                QStringList{QStringLiteral("--export"), png, QStringLiteral("--size"), QStringLiteral("800x450")},
            cache);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("3 runs, 2 tags")), qPrintable(r.out));
        const QByteArray pngBytes = readAll(png);
        QVERIFY(pngBytes.startsWith("\x89PNG\r\n\x1a\n"));
        QCOMPARE(pngBytes.mid(12, 4), QByteArray("IHDR"));
        QCOMPARE(qFromBigEndian<quint32>(pngBytes.constData() + 16), 1600u); // 2x for slides
        QCOMPARE(qFromBigEndian<quint32>(pngBytes.constData() + 20), 900u);
        const QImage image(png);
        QCOMPARE(image.size(), QSize(1600, 900));
        // Each run's colour is on the figure (its curve and its legend swatch).
        for (const QString& run : {kFocal, QStringLiteral("tf_run/train")}) {
            const QRgb colour = RunColours::ofName(run).rgb();
            int found = 0;
            for (int y = 0; y < image.height(); y += 1)
                for (int x = 0; x < image.width(); x += 1)
                    found += (image.pixel(x, y) & 0xffffff) == (colour & 0xffffff);
            QVERIFY2(found > 200, qPrintable(QStringLiteral("%1: %2 pixels").arg(run).arg(found)));
        }

        const QString svg = out.filePath(QStringLiteral("figure.svg"));
        r = runDesktop(
            base + tags +
                QStringList{QStringLiteral("--export"), svg, QStringLiteral("--size"), QStringLiteral("800x450")},
            cache);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QXmlStreamReader xml(readAll(svg));
        while (!xml.isStartElement() && !xml.atEnd())
            xml.readNext();
        QCOMPARE(xml.name().toString(), QStringLiteral("svg"));
        QCOMPARE(xml.attributes().value(QStringLiteral("viewBox")).toString(), QStringLiteral("0 0 800 450"));
        int paths = 0;
        while (!xml.atEnd()) {
            xml.readNext();
            paths += xml.isStartElement() &&
                     (xml.name() == QLatin1String("path") || xml.name() == QLatin1String("polyline"));
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(paths > 3);
        QSvgRenderer renderer(svg);
        QVERIFY(renderer.isValid());
        QCOMPARE(renderer.viewBox(), QRect(0, 0, 800, 450));

        const QString pdf = out.filePath(QStringLiteral("figure.pdf"));
        r = runDesktop(
            base + tags +
                QStringList{QStringLiteral("--export"), pdf, QStringLiteral("--size"), QStringLiteral("800x450")},
            cache);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QByteArray pdfBytes = readAll(pdf);
        QVERIFY(pdfBytes.startsWith("%PDF-1."));
        QVERIFY(pdfBytes.trimmed().endsWith("%%EOF"));
        static const QRegularExpression mediaBox(QStringLiteral("/MediaBox \\[0 0 800(\\.0+)? 450(\\.0+)?\\]"));
        QVERIFY(mediaBox.match(QString::fromLatin1(pdfBytes)).hasMatch());

        const QString csv = out.filePath(QStringLiteral("figure.csv"));
        r = runDesktop(base + tags + QStringList{QStringLiteral("--export"), csv}, cache);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QList<QByteArray> lines = readAll(csv).trimmed().split('\n');
        QCOMPARE(lines.first(), QByteArray("run,method,tag,step,wall_time,value"));
        QCOMPARE(lines.size(), 1 + 100 + 10 + 30 + 20); // loss of three runs, eval/acc of one
        QVERIFY(lines.contains("20261101_01_focal,focal,eval/acc,100,1100,1"));

        // Bad requests: one line, a non-zero exit, no file.
        const QString never = out.filePath(QStringLiteral("never.png"));
        const QList<std::pair<QStringList, QString>> bad{
            {base + QStringList{QStringLiteral("--export"), never, QStringLiteral("--size"), QStringLiteral("800x")},
             QStringLiteral("--size")},
            {base + QStringList{QStringLiteral("--tags"), QStringLiteral("nope"), QStringLiteral("--export"), never},
             QStringLiteral("no run has the tag 'nope'")},
            {QStringList{QStringLiteral("--viewer"), out.filePath(QStringLiteral("missing")),
                         QStringLiteral("--export"), never},
             QStringLiteral("neither a logdir")},
            {base + QStringList{QStringLiteral("--export"), out.filePath(QStringLiteral("figure.gif"))},
             QStringLiteral(".png, .svg, .pdf or .csv")},
            {base + QStringList{QStringLiteral("--export"), never, QStringLiteral("--smoothing"), QStringLiteral("2")},
             QStringLiteral("--smoothing")},
        };
        for (const auto& [arguments, message] : bad) {
            r = runDesktop(arguments, cache);
            QVERIFY2(r.exitCode == 1 || r.exitCode == 2, qPrintable(arguments.join(u' ')));
            QVERIFY2(r.err.contains(message), qPrintable(r.err));
            QCOMPARE(r.err.count(QStringLiteral("jikken-desktop: ")), 1);
            QVERIFY(!QFileInfo::exists(never));
        }
    }

    // A figure zoomed for a slide: --x-range and --y-range as given, every tick label a round value (at most
    // three significant digits: 48.5114 and 1.63333 once read on zoomed axes); a malformed range is refused.
    void anExportTakesRangesAndItsTicksAreRound()
    {
        Logdir logdir;
        QTemporaryDir out;
        const QString svg = out.filePath(QStringLiteral("zoomed.svg"));
        const QString cache = out.filePath(QStringLiteral("cache"));
        const Exported r =
            runDesktop({QStringLiteral("--viewer"), logdir.path(), QStringLiteral("--tags"), QStringLiteral("loss"),
                        QStringLiteral("--x-range"), QStringLiteral("13:61"), QStringLiteral("--y-range"),
                        QStringLiteral("0.01:0.37"), QStringLiteral("--export"), svg},
                       cache);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString text = QString::fromUtf8(readAll(svg));
        static const QRegularExpression numberText(QStringLiteral(">\\s*(-?[0-9]+(\\.[0-9]+)?)\\s*<"));
        QVector<double> labels;
        for (auto it = numberText.globalMatch(text); it.hasNext();) {
            const QString label = it.next().captured(1);
            labels << label.toDouble();
            QString digits = label;
            digits.remove(u'-').remove(u'.');
            while (digits.startsWith(u'0'))
                digits.remove(0, 1);
            while (digits.endsWith(u'0'))
                digits.chop(1);
            QVERIFY2(digits.size() <= 3, qPrintable(label));
        }
        QVERIFY2(labels.size() >= 6, qPrintable(QString::number(labels.size())));
        for (double label : labels) // x within 13–61 or y within 0.01–0.37: the ranges as given
            QVERIFY2((label >= 13 && label <= 61) || (label >= 0.01 && label <= 0.37),
                     qPrintable(QString::number(label)));
        QVERIFY(labels.contains(20) && labels.contains(60));   // x ticks
        QVERIFY(labels.contains(0.1) || labels.contains(0.2)); // y ticks
        for (const QString& bad :
             {QStringLiteral("5"), QStringLiteral("9:3"), QStringLiteral("a:b"), QStringLiteral("1:inf")}) {
            const QString never = out.filePath(QStringLiteral("never.svg"));
            const Exported refused = runDesktop({QStringLiteral("--viewer"), logdir.path(), QStringLiteral("--x-range"),
                                                 bad, QStringLiteral("--export"), never},
                                                cache);
            QVERIFY2(refused.exitCode != 0 && refused.err.contains(QStringLiteral("--x-range must be LOW:HIGH")),
                     qPrintable(refused.err));
            QVERIFY(!QFileInfo::exists(never));
        }
    }

    // An exported figure carries the title asked for and names its axes; its legend follows the template
    // and lists only the runs it draws (tf_run has no eval/acc).
    void exportsATitleAxisNamesAndATemplatedLegend()
    {
        Logdir logdir;
        QTemporaryDir out;
        const QString svg = out.filePath(QStringLiteral("legend.svg"));
        const Exported r =
            runDesktop({QStringLiteral("--viewer"), logdir.path(), QStringLiteral("--tags"), QStringLiteral("eval/acc"),
                        QStringLiteral("--title"), QStringLiteral("Eval accuracy"), QStringLiteral("--legend"),
                        QStringLiteral("{id} [{method}]"), QStringLiteral("--export"), svg},
                       out.filePath(QStringLiteral("cache")));
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString text = QString::fromUtf8(readAll(svg));
        QVERIFY2(text.contains(QStringLiteral(">Eval accuracy<")), qPrintable(text.left(3000)));
        QVERIFY(text.contains(QStringLiteral(">20261101_01_focal [focal]<")));
        QVERIFY(!text.contains(QStringLiteral("tf_run")));
        QVERIFY(text.contains(QStringLiteral(">step<")));     // the x axis' name
        QVERIFY(text.contains(QStringLiteral(">eval/acc<"))); // the y axis' (and the panel's)
        // Each run in its own colour whichever runs a figure shows: focal alone (above, the only run with
        // eval/acc) and among three.
        const Exported three = runDesktop({QStringLiteral("--viewer"), logdir.path(), QStringLiteral("--tags"),
                                           QStringLiteral("loss"), QStringLiteral("--export"), svg},
                                          out.filePath(QStringLiteral("cache")));
        QVERIFY2(three.exitCode == 0, qPrintable(three.err));
        const QString coloured = QString::fromUtf8(readAll(svg));
        QVERIFY(text.contains(RunColours::ofName(kFocal).name(), Qt::CaseInsensitive));
        for (const QString& name : {kFocal, QStringLiteral("tf_run/train"), QStringLiteral("growing")})
            QVERIFY2(coloured.contains(RunColours::ofName(name).name(), Qt::CaseInsensitive), qPrintable(name));
        // The same as a slide, kept beside the screenshots.
        QDir().mkpath(QStringLiteral(JIKKEN_SCREENSHOT_DIR));
        const Exported slide =
            runDesktop({QStringLiteral("--viewer"), logdir.path(), QStringLiteral("--tags"), QStringLiteral("loss"),
                        QStringLiteral("eval/acc"), QStringLiteral("--title"), QStringLiteral("Focal loss against TF"),
                        QStringLiteral("--legend"), QStringLiteral("{id} [{method}]"), QStringLiteral("--export"),
                        QStringLiteral(JIKKEN_SCREENSHOT_DIR "/viewer-export.png"), QStringLiteral("--size"),
                        QStringLiteral("960x540")},
                       out.filePath(QStringLiteral("cache")));
        QVERIFY2(slide.exitCode == 0, qPrintable(slide.err));

        // The template's fields: the record's, any hyperparameter, "–" for what the run lacks.
        ViewerRun run;
        run.name = QStringLiteral("20261101_02_focalloss");
        RunRecord record;
        record.method = QStringLiteral("focalloss");
        record.model = QStringLiteral("resnet18");
        record.hparams = {{QStringLiteral("lr"), 0.05}, {QStringLiteral("optimizer"), QStringLiteral("sgd")}};
        run.record = record;
        QCOMPARE(run.label(QStringLiteral("{id} · {model} · lr={lr} {optimizer} {nope}")),
                 QStringLiteral("20261101_02_focalloss · resnet18 · lr=0.05 sgd –"));

        // Steps per epoch, for x by epoch: the record's progress, else a logged `epoch` scalar.
        QVERIFY(!run.stepsPerEpoch());
        run.record->epoch = 4;
        run.record->step = 1000;
        QCOMPARE(*run.stepsPerEpoch(), 250.0);
        ViewerRun logged;
        ScalarSeries epochs;
        for (int epoch = 1; epoch <= 3; ++epoch)
            epochs.append(epoch * 469, epoch, epoch);
        logged.scalars.insert(QStringLiteral("epoch"), epochs);
        QCOMPARE(*logged.stepsPerEpoch(), 469.0);
        ChartCurve curve(epochs, true);
        curve.setStepsPerEpoch(*logged.stepsPerEpoch());
        QCOMPARE(curve.x(XAxis::Epoch, 2), 3.0);
    }

    void offlineCacheAnswersWithTheRegistryStopped()
    {
        QTemporaryDir home;
        JikkenProcess jikken(home.path(), home.path());
        ServeProcess serve(jikken, home.filePath(QStringLiteral("registry.sqlite")));
        const QString token = serve.makeToken(QStringLiteral("viewer"));
        QVERIFY(!token.isEmpty());
        QString error;
        QVERIFY2(serve.start(&error), qPrintable(error));
        HttpRegistryClient client(QUrl(serve.url()), token, 3000);
        const auto id = client.reserve(QStringLiteral("focal"), &error);
        QVERIFY2(id, qPrintable(error));
        RunDescription description;
        description.hparams = QJsonObject{{QStringLiteral("lr"), 0.1}};
        QVERIFY(client.describe(id->toString(), description, &error));
        QVERIFY(client.setStatus(id->toString(), RunStatus::Running, QString(), &error));
        QVector<ScalarPoint> points;
        for (int step = 1; step <= 100; ++step)
            points.append({QStringLiteral("loss"), step, 1000.0 + step, 1.0 / step});
        QVERIFY(client.addScalars(id->toString(), points, &error));
        QVERIFY(client.reportProgress(id->toString(), 1, 100, 0.25, &error));

        ViewerCache cache(home.filePath(QStringLiteral("cache")));
        {
            RunLibrary library(&cache, &client);
            QVERIFY2(library.open(id->toString(), &error), qPrintable(error));
            QVERIFY(!library.isOffline(id->toString()));
            QStringList warnings;
            library.saveToCache(&warnings);
            QVERIFY2(warnings.isEmpty(), qPrintable(warnings.join(u' ')));
        }
        QCOMPARE(cache.entries().size(), 1);
        QCOMPARE(cache.entries().first().points, 100);

        serve.stop(SIGTERM);
        HttpRegistryClient away(QUrl(serve.url()), token, 2000);
        RunLibrary library(&cache, &away);
        QVERIFY2(library.open(id->toString(), &error), qPrintable(error));
        QVERIFY(library.isOffline(id->toString()));
        const ViewerRun* run = library.run(id->toString());
        QCOMPARE(run->scalars.value(QStringLiteral("loss")).size(), 100);
        QCOMPARE(run->scalars.value(QStringLiteral("loss")).values[9], 0.1);
        QVERIFY(run->record);
        QCOMPARE(run->record->hparams.value(QStringLiteral("lr")).toDouble(), 0.1);
        QStringList warnings;
        QVERIFY(library.refresh(&warnings).isEmpty());
        QVERIFY2(warnings.join(u' ').contains(id->toString()), qPrintable(warnings.join(u' ')));
        // A model never opened before cannot come from anywhere: said in one line.
        QVERIFY(!library.open(QStringLiteral("20200101_01_never"), &error));
        QVERIFY2(error.contains(QStringLiteral("20200101_01_never")) && error.contains(QStringLiteral("never opened")),
                 qPrintable(error));

        // The registry is back and the run went on: the next refresh reads it again.
        QVERIFY2(serve.start(&error), qPrintable(error));
        points.clear();
        for (int step = 101; step <= 150; ++step)
            points.append({QStringLiteral("loss"), step, 1000.0 + step, 1.0 / step});
        QVERIFY(client.addScalars(id->toString(), points, &error));
        QVERIFY(client.reportProgress(id->toString(), 2, 150, 0.2, &error));
        warnings.clear();
        QCOMPARE(library.refresh(&warnings), QStringList{id->toString()});
        QVERIFY(!library.isOffline(id->toString()));
        QCOMPARE(library.run(id->toString())->scalars.value(QStringLiteral("loss")).size(), 150);
        // Nothing moved: nothing is read again.
        QVERIFY(library.refresh(&warnings).isEmpty());
        // It goes on: only the points after those held are read, and joined to them.
        points.clear();
        for (int step = 151; step <= 160; ++step)
            points.append({QStringLiteral("loss"), step, 1000.0 + step, 1.0 / step});
        QVERIFY(client.addScalars(id->toString(), points, &error));
        QVERIFY(client.reportProgress(id->toString(), 2, 160, 0.2, &error));
        QString readError;
        const auto reading = RunLibrary::readModel(client, id->toString(), library.known(id->toString()), &readError);
        QVERIFY2(reading && reading->run, qPrintable(readError));
        QCOMPARE(reading->tails.value(QStringLiteral("loss")), 150);
        QCOMPARE(reading->run->scalars.value(QStringLiteral("loss")).steps.first(), 151);
        QCOMPARE(reading->run->scalars.value(QStringLiteral("loss")).size(), 10);
        QCOMPARE(library.refresh(&warnings), QStringList{id->toString()});
        const ScalarSeries grown = library.run(id->toString())->scalars.value(QStringLiteral("loss"));
        QCOMPARE(grown.size(), 160);
        QCOMPARE(grown.steps[149], 150);
        QCOMPARE(grown.steps[150], 151);
        const auto whole = client.series(id->toString(), QStringLiteral("loss"), &error);
        QVERIFY2(whole, qPrintable(error));
        QCOMPARE(grown.steps, whole->steps);
        QCOMPARE(grown.values, whole->values);
        QCOMPARE(grown.wallTimes, whole->wallTimes);

        // A logdir read once opens from the cache when it is gone (a share not mounted in the meeting room).
        Logdir logdir;
        const QString path = QFileInfo(logdir.path()).absoluteFilePath();
        {
            RunLibrary reader(&cache, nullptr);
            QVERIFY(reader.open(path, &error));
            reader.saveToCache(&warnings);
        }
        const QString moved = path + QStringLiteral("-away");
        QVERIFY(QDir().rename(path, moved));
        RunLibrary meetingRoom(&cache, nullptr);
        QVERIFY2(meetingRoom.open(path, &error), qPrintable(error));
        QCOMPARE(meetingRoom.keys().size(), 3);
        QVERIFY(meetingRoom.isOffline(kFocal));
        QCOMPARE(meetingRoom.run(kFocal)->scalars.value(QStringLiteral("loss")).size(), 100);
        QVERIFY(QDir().rename(moved, path));
        QVERIFY(meetingRoom.refresh(&warnings).contains(kFocal));
        QVERIFY(!meetingRoom.isOffline(kFocal));

        // A damaged cache file is an error that names it, never half a run.
        const QString file = damageACachedCopy(cache);
        QVERIFY(!file.isEmpty());
        int errors = 0;
        for (const ViewerCache::Entry& entry : cache.entries()) {
            QString why;
            if (!cache.load(entry.key, nullptr, &why)) {
                QVERIFY2(why.contains(QStringLiteral("damaged")), qPrintable(why));
                ++errors;
            }
        }
        QCOMPARE(errors, 1);
    }

    // The viewer's CSV writes values as `jikken events` does: -0 stays -0, non-finite values are spelled out,
    // every double reads back exactly.
    void csvValuesMatchTheEventsCommand()
    {
        ViewerRun run;
        run.name = QStringLiteral("20261101_01_focal");
        ScalarSeries series;
        const QVector<double> values{-0.0, qQNaN(), qInf(), -qInf(), 0.1, 1.0 / 3.0};
        for (int i = 0; i < values.size(); ++i)
            series.append(i, 1000.0 + i, values[i]);
        run.scalars.insert(QStringLiteral("loss"), series);
        QBuffer out;
        out.open(QIODevice::WriteOnly);
        QVERIFY(RunSummary::writeCsv({&run}, {QStringLiteral("loss")}, out));
        QStringList cells;
        for (const QByteArray& line : out.data().trimmed().split('\n').mid(1))
            cells << QString::fromUtf8(line.split(',').last());
        QCOMPARE(cells, (QStringList{QStringLiteral("-0"), QStringLiteral("NaN"), QStringLiteral("Infinity"),
                                     QStringLiteral("-Infinity"), QStringLiteral("0.1"),
                                     QStringLiteral("0.3333333333333333")}));
        for (int i = 0; i < values.size(); ++i)
            QCOMPARE(QString::fromLatin1(ScalarExport::csvNumber(values[i])), cells[i]);
    }

    // A run restarted from step 3 logs steps 3 and 4 twice, a value is -0.0, and a later record is corrupt:
    // the viewer's CSV holds the same rows as `jikken events` (every point, in file order), warns with the
    // same line, and exits non-zero as it does.
    void csvOfRepeatedStepsAndCorruptFileMatchesTheEventsCommand()
    {
        QTemporaryDir dir;
        std::string bytes = fileVersionRecord();
        for (int step = 1; step <= 4; ++step)
            bytes += simpleScalarRecord("loss", step, 1.0f / static_cast<float>(step), 100.0 + step);
        bytes += simpleScalarRecord("loss", 3, -0.0f, 200.0); // the restart
        bytes += simpleScalarRecord("loss", 4, 0.125f, 201.0);
        std::string bad = simpleScalarRecord("loss", 5, 5.0f, 202.0);
        bad[bad.size() - 6] ^= 0x40;
        bytes += bad + simpleScalarRecord("loss", 6, 6.0f, 203.0);
        QVERIFY(writeFile(dir.filePath(QStringLiteral("events.out.tfevents.1.vm.1.0")), bytes));

        JikkenProcess jikken(dir.path(), dir.path());
        const Result events = jikken.run({QStringLiteral("events"), dir.path()});
        QCOMPARE(events.exitCode, 1);
        const QStringList warning = events.err.trimmed().split(u'\n');
        QCOMPARE(warning.size(), 1);
        QVERIFY2(warning[0].contains(QStringLiteral("corrupt")), qPrintable(events.err));

        const QString csv = dir.filePath(QStringLiteral("figure.csv"));
        const Exported viewer = runDesktop({QStringLiteral("--viewer"), dir.path(), QStringLiteral("--export"), csv},
                                           dir.filePath(QStringLiteral("c")));
        QCOMPARE(viewer.exitCode, 1);
        QVERIFY2(viewer.err.contains(warning[0].section(QStringLiteral(": "), 1)), qPrintable(viewer.err));
        // Both without their leading columns (events: `tag`; the viewer: `run,method,tag`).
        auto rows = [](const QByteArray& text, int skip) {
            QStringList kept;
            for (const QByteArray& line : text.trimmed().split('\n').mid(1))
                kept << QString::fromUtf8(line).section(u',', skip);
            return kept;
        };
        const QStringList expected = rows(events.out.toUtf8(), 1);
        QCOMPARE(expected.size(), 6);
        QCOMPARE(expected[4], QStringLiteral("3,200,-0"));
        QCOMPARE(rows(readAll(csv), 3), expected);
    }

    // A smoothed figure draws the measured values faintly beneath the smoothed line (TensorBoard's way) and
    // says it is smoothed; unsmoothed, there is nothing faint to draw.
    void smoothedFiguresShowTheMeasuredLineBeneath()
    {
        QTemporaryDir dir;
        std::string bytes = fileVersionRecord();
        for (int step = 1; step <= 500; ++step) // noise between 0.2 and 0.8 around a smoothed 0.5
            bytes += simpleScalarRecord("loss", step, step % 2 ? 0.8f : 0.2f, 100.0 + step);
        QVERIFY(writeFile(dir.filePath(QStringLiteral("events.out.tfevents.1.vm.1.0")), bytes));
        ViewerCache cache(dir.filePath(QStringLiteral("cache")));
        RunLibrary library(&cache, nullptr);
        QString error;
        QVERIFY2(library.open(dir.path(), &error), qPrintable(error));
        CurveStore curves(library);
        FigureRenderer renderer(library, curves);
        FigureOptions options;
        options.runs = library.keys();
        options.tags = {QStringLiteral("loss")};
        const QColor colour = RunColours::ofName(library.run(options.runs[0])->name);
        const auto faintPixels = [&](double smoothing) {
            options.smoothing = smoothing;
            QImage image(800, 450, QImage::Format_RGB32);
            image.fill(Qt::white);
            QPainter painter(&image);
            renderer.paint(painter, image.rect(), options);
            painter.end();
            // The run's colour at the measured line's opacity over white.
            const double a = RunColours::kMeasuredAlpha;
            const auto blend = [a](int c) { return static_cast<int>(255 * (1 - a) + c * a); };
            int count = 0;
            for (int y = 0; y < image.height(); ++y) {
                for (int x = 0; x < image.width(); ++x) {
                    const QColor pixel = image.pixelColor(x, y);
                    count += std::abs(pixel.red() - blend(colour.red())) <= 2 &&
                             std::abs(pixel.green() - blend(colour.green())) <= 2 &&
                             std::abs(pixel.blue() - blend(colour.blue())) <= 2;
                }
            }
            return count;
        };
        const int smoothed = faintPixels(0.9);
        QVERIFY2(renderer.panels().first().title.contains(QStringLiteral("smoothed")),
                 qPrintable(renderer.panels().first().title));
        const int measured = faintPixels(0);
        QVERIFY(!renderer.panels().first().title.contains(QStringLiteral("smoothed")));
        QVERIFY2(smoothed > 1000 && smoothed > 10 * measured,
                 qPrintable(QStringLiteral("%1 faint pixels smoothed, %2 not").arg(smoothed).arg(measured)));
        // The y range holds the measured extremes, not only the smoothed line's.
        options.smoothing = 0.9;
        QImage image(800, 450, QImage::Format_RGB32);
        QPainter painter(&image);
        renderer.paint(painter, image.rect(), options);
        QVERIFY(renderer.panels().first().yLow <= 0.2 && renderer.panels().first().yHigh >= 0.8);
    }

    // The figure's panels are QtCharts charts, made as the main window's chart is (`CurveChart`): a grid
    // shares one x range; every run's line is in its colour and holds its curve's points; log y is
    // QtCharts' log axis; the panel the widget zooms in is the chart's plot area.
    void figurePanelsAreTheMainChartsCharts()
    {
        Logdir logdir;
        ViewerCache cache(logdir.dir.filePath(QStringLiteral("cache")));
        RunLibrary library(&cache, nullptr);
        QString error;
        QVERIFY2(library.open(logdir.path(), &error), qPrintable(error));
        CurveStore curves(library);
        FigureRenderer renderer(library, curves);
        FigureOptions options;
        options.runs = library.keys();
        options.tags = {QStringLiteral("loss"), QStringLiteral("eval/acc")};
        options.smoothing = 0;
        QImage image(1000, 500, QImage::Format_RGB32);
        const auto paint = [&] {
            QPainter painter(&image);
            renderer.paint(painter, image.rect(), options);
        };
        paint();
        QCOMPARE(renderer.charts().size(), 2);
        QCOMPARE(renderer.panels().size(), 2);
        const CurveChart* loss = renderer.charts()[0];
        const CurveChart* acc = renderer.charts()[1];
        QCOMPARE(loss->xRange(), acc->xRange()); // x shared
        QCOMPARE(loss->axes(Qt::Horizontal).first()->titleText(), QStringLiteral("step"));
        QCOMPARE(loss->yTitle(), QStringLiteral("loss"));
        QCOMPARE(loss->title(), QStringLiteral("loss"));
        QCOMPARE(renderer.panels()[0].plot, loss->mapRectToScene(loss->plotArea()));
        const ViewerRun* focal = library.run(kFocal);
        QVERIFY(focal);
        const auto focalLine = std::find_if(loss->lines().cbegin(), loss->lines().cend(),
                                            [](const QLineSeries* line) { return line->name() == kFocal; });
        QVERIFY(focalLine != loss->lines().cend());
        QCOMPARE((*focalLine)->pen().color(), RunColours::ofName(kFocal));
        const QList<QPointF> drawn = loss->pointsOf(*focalLine);
        QCOMPARE(drawn.size(), focal->scalars.value(QStringLiteral("loss")).size()); // few points: every one
        QCOMPARE(drawn.first().y(), focal->scalars.value(QStringLiteral("loss")).values.first());
        // Log y, and an overlay: one chart of both tags.
        options.logY = true;
        options.layout = FigureOptions::Layout::Overlay;
        paint();
        QCOMPARE(renderer.charts().size(), 1);
        QCOMPARE(renderer.charts()[0]->axes(Qt::Vertical).first()->type(), QAbstractAxis::AxisTypeLogValue);
        qsizetype lines = 0; // a line per run and tag it has
        for (const QString& key : std::as_const(options.runs)) {
            for (const QString& tag : std::as_const(options.tags))
                lines += library.run(key)->scalars.contains(tag);
        }
        QCOMPARE(renderer.charts()[0]->lines().size(), lines);
    }

    // A range that grows a millionfold (a small chart's placeholder, then a run of ten million steps) gets
    // round ticks for the new range: not a label every 0.2 steps (fifty million of them) on the way there.
    void aChartsRangeGrowsAMillionfold()
    {
        QGraphicsScene scene;
        auto* chart = new CurveChart(CurveChart::Mode::Figure);
        scene.addItem(chart);
        chart->setGeometry(QRectF(0, 0, 700, 400));
        chart->setAxes(XAxis::Step, false, QStringLiteral("loss"));
        chart->setXRange(0, 1, CurveChart::Ticks::Exact);
        chart->setXRange(0, 1e7, CurveChart::Ticks::Exact);
        const auto* x = qobject_cast<QValueAxis*>(chart->axes(Qt::Horizontal).first());
        QVERIFY(x);
        QCOMPARE(x->tickType(), QValueAxis::TicksDynamic);
        QCOMPARE(chart->xRange(), std::make_pair(0.0, 1e7));
        QVERIFY2(x->tickInterval() >= 1e6 && x->tickInterval() <= 5e6, qPrintable(QString::number(x->tickInterval())));
    }

    void summaryAndHyperparametersCompareRuns()
    {
        Logdir logdir;
        ViewerCache cache(logdir.dir.filePath(QStringLiteral("cache")));
        RunLibrary library(&cache, nullptr);
        QString error;
        QVERIFY(library.open(logdir.path(), &error));
        const ViewerRun* focal = library.run(kFocal);
        const ViewerRun* tf = library.run(logdir.key(QStringLiteral("tf_run/train")));
        QVERIFY(RunSummary::higherIsBetter(QStringLiteral("eval/acc")));
        QVERIFY(!RunSummary::higherIsBetter(QStringLiteral("test/error")));
        QVERIFY(!RunSummary::higherIsBetter(QStringLiteral("train/accumulated_loss")));
        const auto cells =
            RunSummary::compute({focal, tf}, {QStringLiteral("loss"), QStringLiteral("eval/acc")}, tf->key);
        QCOMPARE(cells.size(), 4);
        QCOMPARE(*cells[0].final, static_cast<double>(1.0f / 100));
        QCOMPARE(*cells[0].best, static_cast<double>(1.0f / 100));
        QCOMPARE(cells[0].bestStep, 100);
        QCOMPARE(*cells[0].finalVsBaseline, static_cast<double>(1.0f / 100) - static_cast<double>(2.0f / 30));
        QCOMPARE(*cells[1].best, 1.0); // accuracy: the highest
        QVERIFY(!cells[3].final);      // the TF run has no eval/acc
        const QString markdown = RunSummary::toMarkdown({focal, tf}, {QStringLiteral("loss")}, tf->key);
        QVERIFY2(markdown.contains(QStringLiteral("| 20261101_01_focal | focal | 0.01 | 0.01 | -0.05667 |")),
                 qPrintable(markdown));
        QVERIFY(markdown.contains(QStringLiteral("tf_run/train (baseline)")));

        ViewerRun a, b;
        a.key = a.name = QStringLiteral("20261101_02_x");
        b.key = b.name = QStringLiteral("20261101_03_x");
        a.record = RunRecord();
        b.record = RunRecord();
        a.record->hparams = QJsonObject{{QStringLiteral("batch"), 128}, {QStringLiteral("lr"), 0.1}};
        b.record->hparams = QJsonObject{{QStringLiteral("batch"), 128}, {QStringLiteral("lr"), 0.01}};
        QTableWidget table;
        ComparisonTables::fillHyperparameters(&table, {&a, &b});
        QCOMPARE(table.rowCount(), 2);
        QCOMPARE(table.verticalHeaderItem(0)->text(), QStringLiteral("lr")); // what differs comes first
        QVERIFY(table.item(0, 0)->font().bold());
        QVERIFY(!table.item(1, 0)->font().bold());
        QCOMPARE(table.item(0, 1)->text(), QStringLiteral("0.01"));
    }

    void readsLoggedImagesTextAndHyperparameters()
    {
        QTemporaryDir dir;
        const QString first = dir.filePath(QStringLiteral("20261101_05_media"));
        const QString second = dir.filePath(QStringLiteral("20261101_06_media"));
        const auto png = [](QColor colour) {
            QImage image(8, 4, QImage::Format_RGB32);
            image.fill(colour);
            QByteArray bytes;
            QBuffer buffer(&bytes);
            buffer.open(QIODevice::WriteOnly);
            image.save(&buffer, "PNG");
            return bytes.toStdString();
        };
        QVector<qint64> confusion(9, 1);
        confusion[0] = confusion[4] = confusion[8] = 30;
        for (const auto& [path, lr] : {std::make_pair(first, 0.1), std::make_pair(second, 0.01)}) {
            EventFileWriter writer; // Jikken's (and PyTorch's add_text / add_hparams) encodings
            QString error;
            QVERIFY(writer.open(path, &error));
            writer.addText(QStringLiteral("data/class_counts"), QStringLiteral("[6000, 600, 60]"), 0);
            writer.addText(QStringLiteral("test/confusion_matrix"), LoggedTables::confusionMarkdown(confusion, 3), 10);
            writer.addHparams(
                QJsonObject{{QStringLiteral("lr"), lr}, {QStringLiteral("optimizer"), QStringLiteral("sgd")}},
                {QStringLiteral("loss")}, 100);
            for (int step = 1; step <= 10; ++step)
                writer.addScalar("loss", step, static_cast<float>(lr * 10 / step), 100 + step);
            QVERIFY(writer.flush(&error));
        }
        // Images as PyTorch's add_image / add_figure write them (Summary.Image), the later one kept, and as
        // TF2 writes them (a string tensor of the "images" plugin: width, height, then the PNG).
        std::string images = fileVersionRecord();
        for (const auto& [step, colour] : {std::make_pair(5, QColor(Qt::red)), std::make_pair(7, QColor(Qt::blue))}) {
            tensorboard::Event event;
            event.set_wall_time(100 + step);
            event.set_step(step);
            auto* value = event.mutable_summary()->add_value();
            value->set_tag("figure");
            value->mutable_image()->set_width(8);
            value->mutable_image()->set_height(4);
            value->mutable_image()->set_encoded_image_string(png(colour));
            images += frame(event.SerializeAsString());
        }
        {
            tensorboard::Event event;
            event.set_wall_time(110);
            event.set_step(9);
            auto* value = event.mutable_summary()->add_value();
            value->set_tag("tf_image");
            value->mutable_metadata()->mutable_plugin_data()->set_plugin_name("images");
            value->mutable_tensor()->set_dtype(tensorboard::DT_STRING);
            value->mutable_tensor()->add_string_val("8");
            value->mutable_tensor()->add_string_val("4");
            value->mutable_tensor()->add_string_val(png(Qt::green));
            images += frame(event.SerializeAsString());
        }
        QVERIFY(writeFile(first + QStringLiteral("/events.out.tfevents.2000000000.pt.1.0"), images));

        LogdirRuns logdir(dir.path());
        QStringList changed, warnings;
        QString error;
        QVERIFY(logdir.poll(&changed, &warnings, &error));
        const ViewerRun& run = logdir.runs().at(QStringLiteral("20261101_05_media"));
        QCOMPARE(run.images.keys(), (QStringList{QStringLiteral("figure"), QStringLiteral("tf_image")}));
        QCOMPARE(run.images.value(QStringLiteral("figure")).step, 7);
        QCOMPARE(run.images.value(QStringLiteral("figure")).count, 2);
        QCOMPARE(QImage::fromData(run.images.value(QStringLiteral("figure")).data).pixelColor(0, 0), QColor(Qt::blue));
        QCOMPARE(QImage::fromData(run.images.value(QStringLiteral("tf_image")).data).pixelColor(0, 0),
                 QColor(Qt::green));
        QCOMPARE(QString::fromUtf8(run.texts.value(QStringLiteral("data/class_counts")).data),
                 QStringLiteral("[6000, 600, 60]"));
        QCOMPARE(run.hyperparameters().value(QStringLiteral("lr")).toDouble(), 0.1);
        QCOMPARE(run.hyperparameters().value(QStringLiteral("optimizer")).toString(), QStringLiteral("sgd"));

        // Logged text that is a chart: bars for class counts, a heat map for a confusion matrix.
        const auto matrix = LoggedTables::numericTable(
            QString::fromUtf8(run.texts.value(QStringLiteral("test/confusion_matrix")).data));
        QVERIFY(matrix);
        QCOMPARE(matrix->values, (QVector<double>{30, 1, 1, 1, 30, 1, 1, 1, 30}));
        const QImage bars = MediaPage::chartOf(QStringLiteral("[6000, 600, 60]"), 480);
        QCOMPARE(bars.width(), 480);
        QVERIFY(bars.height() > 240); // the bars, then their labels
        // Classes by the dataset's names: "Ankle boot" needs more room than "9".
        const QStringList fashion = DatasetLoader::classNames(QStringLiteral("fashion-mnist"));
        QCOMPARE(fashion.size(), 10);
        QCOMPARE(fashion[9], QStringLiteral("Ankle boot"));
        const QString tenCounts = QStringLiteral("[6000, 600, 60, 6, 6, 6, 6, 6, 6, 6]");
        QVERIFY(MediaPage::chartOf(tenCounts, 480, fashion).height() > MediaPage::chartOf(tenCounts, 480).height());
        QVERIFY(!MediaPage::chartOf(LoggedTables::confusionMarkdown(confusion, 3), 480).isNull());
        QVERIFY(MediaPage::chartOf(QStringLiteral("lr halved"), 480).isNull());
        QVERIFY(MediaPage::chartOf(QStringLiteral("| a | b |\n| --- | --- |\n| x | y |"), 480).isNull());
        QTextBrowser page;
        const ViewerRun& other = logdir.runs().at(QStringLiteral("20261101_06_media"));
        MediaPage::fill(&page, {&run, &other});
        QVERIFY(page.toPlainText().contains(QStringLiteral("tf_image")));
        // Each heading a block of its own, before what it names; a chart instead of its table, not both.
        const QStringList lines = page.toPlainText().split(u'\n');
        QVERIFY2(lines.contains(QStringLiteral("test/confusion_matrix · step 10")), qPrintable(page.toPlainText()));
        QVERIFY(lines.contains(QStringLiteral("20261101_05_media")));
        for (QTextFrame* frame : page.document()->rootFrame()->childFrames())
            QVERIFY(!qobject_cast<QTextTable*>(frame));
        QVERIFY(
            !page.document()
                 ->resource(QTextDocument::ImageResource, QUrl(QStringLiteral("jikken-chart:0/test/confusion_matrix")))
                 .value<QImage>()
                 .isNull());
        page.resize(560, 900);
        QDir().mkpath(QStringLiteral(JIKKEN_SCREENSHOT_DIR));
        QVERIFY(page.grab().save(QStringLiteral(JIKKEN_SCREENSHOT_DIR "/viewer-images-and-text.png")));
        // A live refresh with nothing new leaves the page as it is, scrolled where the reader left it.
        const QTextDocument* shownDocument = page.document();
        MediaPage::fill(&page, {&run, &other});
        QCOMPARE(page.document(), shownDocument);
        QVERIFY(!page.document()
                     ->resource(QTextDocument::ImageResource, QUrl(QStringLiteral("jikken-media:0/figure")))
                     .value<QImage>()
                     .isNull());

        // Hyperparameters from the event files alone: the table and the parallel coordinates.
        QTableWidget table;
        ComparisonTables::fillHyperparameters(&table, {&run, &other});
        QCOMPARE(table.rowCount(), 2);
        QCOMPARE(table.verticalHeaderItem(0)->text(), QStringLiteral("lr"));
        ParallelCoordinates parallel;
        parallel.setRuns({&run, &other}, QStringLiteral("loss"));
        QCOMPARE(parallel.axes(), (QStringList{QStringLiteral("lr"), QStringLiteral("loss (final)")}));

        // All of it survives the offline cache.
        ViewerCache cache(dir.filePath(QStringLiteral("cache")));
        QVERIFY(cache.store(run, QStringLiteral("s"), &error));
        const auto cached = cache.load(run.key, nullptr, &error);
        QVERIFY2(cached, qPrintable(error));
        QCOMPARE(cached->images.value(QStringLiteral("figure")).data, run.images.value(QStringLiteral("figure")).data);
        QCOMPARE(cached->texts.keys(), run.texts.keys());
        QCOMPARE(cached->loggedHyperparameters, run.loggedHyperparameters);
    }

    void notesLinkModelIdsToRuns()
    {
        QCOMPARE(NotesPane::linkModelIds(QStringLiteral("vs 20261101_01_focal, `20261101_02_x` and "
                                                        "[old](jikken:20261101_03_y); logs/20261101_04_z")),
                 QStringLiteral("vs [20261101_01_focal](jikken:20261101_01_focal), `20261101_02_x` and "
                                "[old](jikken:20261101_03_y); logs/20261101_04_z"));

        Logdir logdir;
        QTemporaryDir work;
        qputenv("XDG_CACHE_HOME", work.filePath(QStringLiteral("cache")).toUtf8());
        ViewerCache cache(work.filePath(QStringLiteral("cache")));
        ViewerWindow window(&cache, nullptr);
        QVERIFY(window.open({logdir.path()}).isEmpty());
        window.showTags({QStringLiteral("loss")});
        QTRY_COMPARE(window.logdirsPending(), 0);
        QString error;
        QVERIFY(window.notes()->setFolder(work.filePath(QStringLiteral("mtg")), &error));
        QVERIFY2(window.notes()->openDay(QDate(2026, 11, 27), &error), qPrintable(error));
        const QString note = work.filePath(QStringLiteral("mtg/20261127.md"));
        QVERIFY(readAll(note).startsWith("# 2026-11-27"));

        // Only the TF run is shown; the note's link brings the focal run back.
        FigureOptions shown = window.options();
        shown.runs = QStringList{logdir.key(QStringLiteral("tf_run/train"))};
        window.setOptions(shown);
        QVERIFY(!window.options().runs.contains(kFocal));
        window.notes()->editor()->moveCursor(QTextCursor::End);
        window.notes()->insert(QStringLiteral("Focal loss: 20261101_01_focal is better.\n"));
        QString href;
        for (QTextBlock block = window.notes()->preview()->document()->begin(); block.isValid(); block = block.next()) {
            for (auto it = block.begin(); !it.atEnd(); ++it) {
                if (it.fragment().charFormat().isAnchor())
                    href = it.fragment().charFormat().anchorHref();
            }
        }
        QCOMPARE(href, QStringLiteral("jikken:20261101_01_focal"));
        Q_EMIT window.notes()->preview()->anchorClicked(QUrl(href));
        QVERIFY(window.options().runs.contains(kFocal));

        // The figure goes beside the note and into it; the table too; all saved to the plain file.
        const QString figure = window.insertFigureIntoNote(&error);
        QVERIFY2(!figure.isEmpty(), qPrintable(error));
        QCOMPARE(figure, work.filePath(QStringLiteral("mtg/img/20261127_01.png")));
        QCOMPARE(QImage(figure).size(), QSize(2560, 1440));
        window.insertSummaryIntoNote();
        QVERIFY(window.notes()->save(&error));
        const QString saved = QString::fromUtf8(readAll(note));
        QVERIFY2(saved.contains(QStringLiteral("](img/20261127_01.png)")), qPrintable(saved));
        QVERIFY(saved.contains(QStringLiteral("| run | method | loss final | best |")));
        QVERIFY(saved.contains(QStringLiteral("Focal loss: 20261101_01_focal is better.")));

        // Saved views step in presentation mode.
        window.saveView();
        shown.layout = FigureOptions::Layout::Overlay;
        shown.runs = window.library().keys();
        window.setOptions(shown);
        window.saveView();
        window.stepView(1); // wraps to the first: the TF run and the focal run the link brought back
        QCOMPARE(window.options().runs.size(), 2);
        QVERIFY(!window.options().runs.contains(logdir.key(QStringLiteral("growing"))));
        QCOMPARE(window.options().layout, FigureOptions::Layout::Grid);
        window.stepView(1);
        QCOMPARE(window.options().layout, FigureOptions::Layout::Overlay);
        window.findChild<QTabWidget*>()->setCurrentWidget(window.summaryTable());
        QCOMPARE(window.summaryTable()->rowCount(), 3);
    }

    // Curves made on the thread that read their run (the window's readers do) are those drawn: the same
    // points, smoothed the same, and on the epoch axis as the run is held now (its epochs known since).
    void curvesMadeWhereARunIsReadAreTheOnesDrawn()
    {
        QTemporaryDir dir;
        {
            EventFileWriter writer;
            QString error;
            QVERIFY(writer.open(dir.path(), &error));
            for (int step = 1; step <= 1000; ++step) {
                writer.addScalar("loss", step, static_cast<float>(1.0 / step + (step % 3) * 0.01), 100 + step);
                if (step % 100 == 0)
                    writer.addScalar("epoch", step, static_cast<float>(step / 100), 100 + step);
            }
            QVERIFY(writer.flush(&error));
        }
        ViewerCache cache(dir.filePath(QStringLiteral("cache")));
        RunLibrary library(&cache, nullptr);
        QString error;
        QVERIFY2(library.open(dir.path(), &error), qPrintable(error));
        const QString key = library.keys().first();
        ViewerRun read = *library.run(key);
        read.scalars.remove(QStringLiteral("epoch")); // as read before its epochs were logged
        const auto made = QtConcurrent::run([&read] {
                              return CurveStore::make(read, {QStringLiteral("loss"), QStringLiteral("none")}, 0.6);
                          }).result();
        QCOMPARE(made.keys(), QStringList{QStringLiteral("loss")});
        CurveStore taken(library);
        taken.take(key, made);
        CurveStore drawn(library); // made when first drawn, on the window's thread
        const ChartCurve* a = taken.curve(key, QStringLiteral("loss"), 0.6);
        const ChartCurve* b = drawn.curve(key, QStringLiteral("loss"), 0.6);
        QVERIFY(a && b && a->isSmoothed());
        for (XAxis axis : {XAxis::Step, XAxis::Epoch}) {
            const QList<QPointF> expected = b->points(axis, 0, 1e9, 200, false, nullptr);
            QCOMPARE(a->points(axis, 0, 1e9, 200, false, nullptr), expected);
        }
        QCOMPARE(a->x(XAxis::Epoch, 499), 5.0); // step 500 of 100 a epoch
    }

    void logdirsAreReadOffTheWindowsThread()
    {
        Logdir logdir;
        QTemporaryDir work;
        ViewerCache cache(work.filePath(QStringLiteral("cache")));
        ViewerWindow window(&cache, nullptr);
        // Nothing is read on the window's thread: the runs appear when the pool thread's read ends.
        QVERIFY(window.open({logdir.path()}).isEmpty());
        window.showTags({QStringLiteral("test/error")}); // asked before any tag is known
        QCOMPARE(window.logdirsPending(), 1);
        QVERIFY(window.library().keys().isEmpty());
        window.refresh(); // a poll while the first read is under way waits for it
        QCOMPARE(window.logdirsPending(), 1);
        QTRY_COMPARE(window.library().keys().size(), 3);
        QCOMPARE(window.logdirsPending(), 0);
        QCOMPARE(window.options().tags, QStringList{QStringLiteral("test/error")});
        QCOMPARE(window.options().runs.size(), 3);

        // A folder with no event files is said once its read ends, and is not followed.
        QTemporaryDir empty;
        QVERIFY(window.open({empty.path()}).isEmpty());
        QTRY_VERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("holds no TensorBoard event files")));
        QVERIFY(window.statusBar()->currentMessage().contains(QDir(empty.path()).absolutePath()));
        QCOMPARE(window.library().logdirs().size(), std::size_t{1});
        QCOMPARE(window.library().keys().size(), 3);

        // A note's link to a model read in an earlier meeting (no registry here): opened from the cache, checked.
        ViewerRun cached;
        cached.key = cached.name = QStringLiteral("20261101_09_cached");
        cached.source = QStringLiteral("http://registry.lab:8470");
        cached.scalars.insert(QStringLiteral("test/error"), ScalarSeries());
        cached.scalars[QStringLiteral("test/error")].append(1, 1000, 0.3);
        QString error;
        QVERIFY2(cache.store(cached, QStringLiteral("s"), &error), qPrintable(error));
        QVERIFY2(window.showRun(cached.name, &error), qPrintable(error));
        QVERIFY(window.options().runs.contains(cached.key));
        QVERIFY(window.library().isOffline(cached.key));
        // One never seen says so.
        QVERIFY(!window.showRun(QStringLiteral("20261101_10_never"), &error));
        QVERIFY2(error.contains(QStringLiteral("20261101_10_never")), qPrintable(error));
    }

    // A logdir that is not there (a share not mounted in the meeting room) opens from the cache, read on a
    // pool thread as a logdir's files are: a hundred copies are a few hundred ms. A path never read says so;
    // a damaged copy opens none of the logdir's runs and names itself; back, the logdir is read from its files.
    void aLogdirAwayIsReadFromTheCacheOffTheWindowsThread()
    {
        Logdir logdir;
        QTemporaryDir work;
        ViewerCache cache(work.filePath(QStringLiteral("cache")));
        const QString path = QFileInfo(logdir.path()).absoluteFilePath();
        QString error;
        QStringList warnings;
        {
            RunLibrary reader(&cache, nullptr);
            QVERIFY(reader.open(path, &error));
            reader.saveToCache(&warnings);
        }
        const QString moved = path + QStringLiteral("-away");
        QVERIFY(QDir().rename(path, moved));
        auto back = qScopeGuard([&] { QDir().rename(moved, path); });
        ViewerWindow window(&cache, nullptr);
        QVERIFY(window.open({path}).isEmpty());
        window.showTags({QStringLiteral("loss")});
        QCOMPARE(window.logdirsPending(), 1);
        QVERIFY(window.library().keys().isEmpty());
        QTRY_COMPARE(window.library().keys().size(), 3);
        QCOMPARE(window.logdirsPending(), 0);
        QVERIFY(window.library().isOffline(kFocal));
        QCOMPARE(window.options().runs.size(), 3);
        QCOMPARE(window.options().tags, QStringList{QStringLiteral("loss")});

        QVERIFY(window.open({work.filePath(QStringLiteral("never-read"))}).isEmpty());
        QTRY_VERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("neither a logdir")));
        QVERIFY(window.statusBar()->currentMessage().contains(QStringLiteral("never-read")));
        QCOMPARE(window.library().logdirs().size(), std::size_t{1});

        const QString file = damageACachedCopy(cache);
        QVERIFY(!file.isEmpty());
        ViewerWindow another(&cache, nullptr);
        QVERIFY(another.open({path}).isEmpty());
        QTRY_VERIFY(another.statusBar()->currentMessage().contains(QStringLiteral("damaged")));
        QVERIFY(another.statusBar()->currentMessage().contains(file));
        QVERIFY(another.library().keys().isEmpty());
        QVERIFY(another.library().logdirs().empty());

        back.dismiss();
        QVERIFY(QDir().rename(moved, path));
        window.refresh();
        QTRY_VERIFY(!window.library().isOffline(kFocal));
        QCOMPARE(window.library().keys().size(), 3);
    }

    // Runs grouped by their settings but the seed: a line per group at the mean of its seeds, over a band
    // from the lowest to the highest (or ± one standard deviation), worked out by hand; the Summary and the
    // window's Group button show the same groups, and a saved view keeps the grouping.
    void groupedFiguresDrawEachGroupsMeanAndBand()
    {
        QTemporaryDir dir;
        // lr 0.1: seed 1 logs 0.5·step, seed 2 1.5·step (mean: step; band 0.5·step–1.5·step); lr 0.01: 4
        // and 6 (mean 5, band 4–6). Every value exact in a float.
        const QList<std::tuple<QString, double, int, std::function<float(int)>>> runs{
            {QStringLiteral("a"), 0.1, 1, [](int step) { return 0.5f * step; }},
            {QStringLiteral("b"), 0.1, 2, [](int step) { return 1.5f * step; }},
            {QStringLiteral("c"), 0.01, 1, [](int) { return 4.0f; }},
            {QStringLiteral("d"), 0.01, 2, [](int) { return 6.0f; }}};
        for (const auto& [name, lr, seed, value] : runs) {
            QVERIFY(QDir(dir.path()).mkpath(name));
            EventFileWriter writer;
            QString error;
            QVERIFY(writer.open(dir.filePath(name + QStringLiteral("/events.out.tfevents.1.vm.1.0")), &error));
            writer.addHparams(QJsonObject{{QStringLiteral("lr"), lr}, {QStringLiteral("seed"), seed}},
                              {QStringLiteral("loss")}, 0);
            for (int step = 1; step <= 8; ++step)
                writer.addScalar("loss", step, value(step), 100 + step);
            QVERIFY(writer.flush(&error));
        }
        ViewerCache cache(dir.filePath(QStringLiteral("cache")));
        RunLibrary library(&cache, nullptr);
        QString error;
        QVERIFY2(library.open(dir.path(), &error), qPrintable(error));
        QCOMPARE(library.keys().size(), 4);
        CurveStore curves(library);
        FigureRenderer renderer(library, curves);
        FigureOptions options;
        options.runs = library.keys();
        options.tags = {QStringLiteral("loss")};
        options.grouping.on = true;
        QImage image(900, 500, QImage::Format_RGB32);
        const auto paint = [&] {
            image.fill(Qt::white);
            QPainter painter(&image);
            renderer.paint(painter, image.rect(), options);
        };
        paint();
        const CurveChart* chart = renderer.charts().first();
        QCOMPARE(chart->lines().size(), 2);
        QVERIFY2(chart->title().contains(QStringLiteral("mean of each group")), qPrintable(chart->title()));
        const auto lineNamed = [](const CurveChart* in, const QString& name) -> const QLineSeries* {
            for (const QLineSeries* line : in->lines()) {
                if (line->name() == name)
                    return line;
            }
            return nullptr;
        };
        const QLineSeries* fast = lineNamed(chart, QStringLiteral("lr=0.1 (n=2)"));
        const QLineSeries* slow = lineNamed(chart, QStringLiteral("lr=0.01 (n=2)"));
        QVERIFY(fast && slow);
        const QList<QPointF> fastMean = chart->pointsOf(fast);
        QCOMPARE(fastMean.size(), 8);
        for (const QPointF& point : fastMean)
            QCOMPARE(point.y(), point.x()); // (0.5 + 1.5) / 2 · step
        for (const QPointF& point : chart->pointsOf(slow))
            QCOMPARE(point.y(), 5.0);
        const auto bandOf = [chart](const QLineSeries* line) { return chart->bands()->pointsOf(line); };
        QList<QPointF> expected; // the low side forward, the high side back
        for (int step = 1; step <= 8; ++step)
            expected.append(QPointF(step, 0.5 * step));
        for (int step = 8; step >= 1; --step)
            expected.append(QPointF(step, 1.5 * step));
        QCOMPARE(bandOf(fast), expected);
        QCOMPARE(bandOf(slow).first(), QPointF(1, 4));
        QCOMPARE(bandOf(slow).last(), QPointF(1, 6));
        // The band is painted: the group's colour, translucent over white, beneath its line.
        const QColor colour = fast->pen().color();
        const auto blend = [](int c) { return static_cast<int>(std::lround(255 * 0.82 + c * 0.18)); };
        int bandPixels = 0;
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x) {
                const QColor pixel = image.pixelColor(x, y);
                bandPixels += std::abs(pixel.red() - blend(colour.red())) <= 3 &&
                              std::abs(pixel.green() - blend(colour.green())) <= 3 &&
                              std::abs(pixel.blue() - blend(colour.blue())) <= 3;
            }
        }
        QVERIFY2(bandPixels > 2000, qPrintable(QString::number(bandPixels)));
        // ± one standard deviation: of 0.5·step and 1.5·step, √2/2 · step.
        options.grouping.spread = RunGroups::Spread::StdDev;
        paint();
        const QList<QPointF> spread = bandOf(lineNamed(renderer.charts().first(), QStringLiteral("lr=0.1 (n=2)")));
        QVERIFY(std::abs(spread.first().y() - (1 - std::sqrt(0.5))) < 1e-9);
        QVERIFY(std::abs(spread.last().y() - (1 + std::sqrt(0.5))) < 1e-9);

        // The window: its Group button groups the figure and the Summary the same way; a view keeps it.
        ViewerWindow window(&cache, nullptr);
        window.open({dir.path()});
        QTRY_COMPARE(window.library().keys().size(), 4);
        window.showTags({QStringLiteral("loss")});
        QTRY_VERIFY(window.options().tags.contains(QStringLiteral("loss")));
        FigureOptions grouped = window.options();
        grouped.grouping.on = true;
        window.setOptions(grouped);
        QVERIFY(window.options().grouping.on);
        QCOMPARE(window.grouping()->text(), QStringLiteral("Group: all but seed"));
        QCOMPARE(FigureOptions::fromJson(window.options().toJson()).grouping.on, true);
        window.findChild<QTabWidget*>()->setCurrentWidget(window.summaryTable());
        QTableWidget* summary = window.summaryTable();
        QTRY_COMPARE(summary->rowCount(), 2);
        const int fastRow = summary->item(0, 0)->text() == QLatin1String("lr=0.1") ? 0 : 1;
        QCOMPARE(summary->item(fastRow, 0)->text(), QStringLiteral("lr=0.1"));
        QCOMPARE(summary->item(fastRow, 1)->text(), QStringLiteral("2"));
        QCOMPARE(summary->item(fastRow, 2)->text(), QStringLiteral("8 ± 5.657")); // finals 4 and 12
        QCOMPARE(summary->item(1 - fastRow, 2)->text(), QStringLiteral("5 ± 1.414"));
    }

    // The viewer smooths and picks x with the main window's controls: what they show is what the figure
    // draws, and a figure's options (a meeting's, the command line's) set them, to the slider's 0.001.
    void theFigureFollowsTheSharedControls()
    {
        Logdir logdir;
        QTemporaryDir work;
        ViewerCache cache(work.filePath(QStringLiteral("cache")));
        ViewerWindow window(&cache, nullptr);
        auto* smoothing = window.findChild<SmoothingControl*>();
        auto* xAxis = window.findChild<XAxisPicker*>();
        QVERIFY(smoothing && xAxis);
        QCOMPARE(window.options().smoothing, 0.6); // TensorBoard's default
        smoothing->slider()->setValue(950);
        QCOMPARE(window.options().smoothing, 0.95);
        xAxis->setCurrentIndex(xAxis->findData(static_cast<int>(XAxis::Epoch)));
        QCOMPARE(window.options().xAxis, XAxis::Epoch);
        FigureOptions options = window.options();
        options.smoothing = 0.995;
        options.xAxis = XAxis::WallTime;
        window.setOptions(options);
        QCOMPARE(smoothing->weight(), 0.995);
        QCOMPARE(xAxis->axis(), XAxis::WallTime);
        QCOMPARE(window.options().smoothing, 0.995);
    }

    void followsAGrowingRunInTheWindow()
    {
        Logdir logdir;
        QTemporaryDir work;
        ViewerCache cache(work.filePath(QStringLiteral("cache")));
        ViewerWindow window(&cache, nullptr);
        window.open({logdir.path()});
        window.showTags({QStringLiteral("loss")});
        QTRY_COMPARE(window.logdirsPending(), 0);
        window.resize(900, 600);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto* tabs = window.findChild<QTabWidget*>();
        tabs->setCurrentWidget(window.summaryTable()); // the page on show follows the run
        std::string more = logdir.growingTail;
        for (int step = 22; step <= 40; ++step)
            more += simpleScalarRecord("loss", step, 5.0f, 3000.0 + step);
        QVERIFY(writeFile(logdir.growingFile, more, true));
        QTRY_COMPARE_WITH_TIMEOUT(window.library().run(logdir.key(QStringLiteral("growing")))->pointCount(), 40, 5000);
        const QString growing = logdir.key(QStringLiteral("growing"));
        QVERIFY(window.summaryTable()->rowCount() == 3);
        bool updated = false;
        for (int r = 0; r < 3; ++r)
            updated |= window.summaryTable()->item(r, 0)->text() == QStringLiteral("growing") &&
                       window.summaryTable()->item(r, 2)->text() == QStringLiteral("5");
        QVERIFY2(updated, "the summary shows the new final value");
        window.saveToCache(); // written on a pool thread (or by the next timed save, if one is writing)
        const auto cachedPoints = [&] {
            const auto cached = cache.load(growing, nullptr, nullptr);
            return cached ? cached->pointCount() : -1;
        };
        QTRY_COMPARE_WITH_TIMEOUT(cachedPoints(), 40, 15000); // and the cache has the grown run
        // What the user sees, kept for people to look at: each run's colour is on it.
        tabs->setCurrentWidget(window.figure());
        const QImage shot = window.grab().toImage().convertToFormat(QImage::Format_RGB32);
        // The figure says its lines are smoothed (the focal run's 100 points are); not when they are not.
        QVERIFY(!window.figure()->renderer().panels().isEmpty());
        QVERIFY2(window.figure()->renderer().panels().first().title.contains(QStringLiteral("smoothed, EMA 0.6")),
                 qPrintable(window.figure()->renderer().panels().first().title));
        FigureOptions raw = window.figure()->options();
        raw.smoothing = 0;
        window.figure()->setOptions(raw);
        window.figure()->grab();
        QCOMPARE(window.figure()->renderer().panels().first().title, QStringLiteral("loss"));
        QDir().mkpath(QStringLiteral(JIKKEN_SCREENSHOT_DIR));
        QVERIFY(shot.save(QStringLiteral(JIKKEN_SCREENSHOT_DIR "/viewer-window.png")));
        for (const QString& run : {kFocal, QStringLiteral("growing")}) {
            int found = 0;
            for (int y = 0; y < shot.height(); ++y)
                for (int x = 0; x < shot.width(); ++x)
                    found += shot.pixel(x, y) == RunColours::ofName(run).rgb();
            QVERIFY2(found > 20, qPrintable(run));
        }
        // An export lays the shared renderer out for its own, larger page; the window's figure is laid out
        // for the window again, not drawn from the export's layout.
        QString error;
        QVERIFY2(window.exportFigure(work.filePath(QStringLiteral("from-window.png")), &error), qPrintable(error));
        QVERIFY(FigureExport::defaultSize().width() > window.figure()->width());
        window.figure()->grab();
        QVERIFY(!window.figure()->renderer().panels().isEmpty());
        for (const auto& panel : window.figure()->renderer().panels())
            QVERIFY(QRectF(window.figure()->rect()).contains(panel.plot));
    }
};

QTEST_MAIN(TestViewer)
#include "TestViewer.moc"
