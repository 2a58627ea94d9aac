#include "JikkenProcess.h"
#include "events/EventLogReader.h"
#include "events/LoggedTables.h"
#include "ids/ModelId.h"
#include "registry/RegistryStore.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <csignal>
#include <set>

using namespace jikken;
using namespace jikken::testing;

namespace {

bool waitForFile(const QString& path, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (!QFile::exists(path)) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QThread::msleep(10);
    }
    return true;
}

QByteArray readAll(const QString& path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestTraining : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    JikkenProcess jikken() const { return JikkenProcess(m_dir.filePath(QStringLiteral("home")), m_dir.path()); }

    RunRecord record(const QString& id)
    {
        RegistryStore store;
        QString error;
        if (!store.open(m_dir.filePath(QStringLiteral("home/registry.sqlite")), &error))
            qFatal("%s", qPrintable(error));
        return store.run(id, &error).value_or(RunRecord());
    }

    QVector<ScalarPoint> registryScalars(const QString& id, const QString& tag)
    {
        RegistryStore store;
        QString error;
        store.open(m_dir.filePath(QStringLiteral("home/registry.sqlite")), &error);
        return store.scalars(id, tag, &error).value();
    }

    /// Starts a six-epoch run, reads its model ID from the first line it prints and waits for the end of
    /// its first epoch (the first checkpoint).
    void startSixEpochsUntilFirstCheckpoint(QProcess& process, QString* id, QString* runDir, int epochs = 6) const
    {
        jikken().start(process,
                       QStringList{QStringLiteral("train"), QStringLiteral("--epochs"), QString::number(epochs)} +
                           kSmallRun);
        QVERIFY(process.waitForReadyRead(60000));
        *id = QString::fromUtf8(process.readLine()).trimmed();
        QVERIFY2(ModelId::parse(*id), qPrintable(*id));
        *runDir = m_dir.filePath(QStringLiteral("logs/") + *id);
        QVERIFY(waitForFile(*runDir + QStringLiteral("/checkpoint.json"), 120000));
    }

    /// Asserts each tag's steps in the run's event files are strictly increasing (no duplicates).
    /// `jikken train --device cpu` with `flags` fails in one line saying each of `said`, printing no ID.
    void refusedOnTheCpu(const QStringList& flags, const QStringList& said) const
    {
        const Result r = jikken().run(
            QStringList{QStringLiteral("train"), QStringLiteral("--device"), QStringLiteral("cpu")} + flags);
        QCOMPARE(r.exitCode, 1);
        for (const QString& words : said)
            QVERIFY2(r.err.contains(words), qPrintable(r.err));
        QCOMPARE(r.err.count(u'\n'), 1);
        QVERIFY(r.out.isEmpty());
    }

    static void checkNoDuplicateSteps(const EventLogReader& log)
    {
        for (const auto& [name, run] : log.runs()) {
            for (int t = 0; t < run.scalars.tags().size(); ++t) {
                const auto& series = run.scalars.series(t);
                for (int i = 1; i < series.size(); ++i)
                    QVERIFY2(series.steps[i] > series.steps[i - 1], qPrintable(run.scalars.tags()[t]));
            }
        }
    }

    /// Each kept checkpoint's file is there with the size and sha256 its record says; each removed one is gone
    /// (unless a kept record names the same file). The kept records, by kind; what is amiss in `problems`.
    static QMultiMap<QString, CheckpointRecord> checkKeptFiles(const RunRecord& run, QStringList* problems)
    {
        QMultiMap<QString, CheckpointRecord> kept;
        for (const CheckpointRecord& checkpoint : run.checkpoints) {
            const bool named = std::any_of(run.checkpoints.cbegin(), run.checkpoints.cend(), [&](const auto& other) {
                return other.kept && other.path == checkpoint.path;
            });
            if (!checkpoint.kept) {
                if (!named && QFile::exists(checkpoint.path))
                    *problems << QStringLiteral("removed, yet there: ") + checkpoint.path;
                continue;
            }
            const QByteArray bytes = readAll(checkpoint.path);
            if (bytes.size() != checkpoint.size ||
                QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex() != checkpoint.sha256.toLatin1())
                *problems << checkpoint.path + QStringLiteral(" is not what its record says");
            kept.insert(checkpoint.kind, checkpoint);
        }
        return kept;
    }

private Q_SLOTS:
    // System metrics sampled at every report still log each step once: an epoch's last batch and its end
    // share a step (its registry points and its event file's agree).
    void systemMetricsAreSampledOncePerStep()
    {
        JikkenProcess sampling = jikken();
        sampling.setEnvironment(QStringLiteral("JIKKEN_SYSTEM_SAMPLE_SECONDS"), QStringLiteral("0"));
        const Result r = sampling.run(
            QStringList{QStringLiteral("train"), QStringLiteral("--epochs"), QStringLiteral("2")} + kSmallRun);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString id = r.out.section(u'\n', 0, 0);
        EventLogReader log(m_dir.filePath(QStringLiteral("logs/") + id));
        QVERIFY(log.poll(nullptr, nullptr));
        checkNoDuplicateSteps(log);
        const RunScalars& scalars = log.runs().at(QStringLiteral(".")).scalars;
        int systemTags = 0;
        for (int t = 0; t < scalars.tags().size(); ++t) {
            if (!scalars.tags()[t].startsWith(QLatin1String("system/")))
                continue;
            ++systemTags;
            QVERIFY(scalars.series(t).size() > 2); // sampled at reports, not only at the epochs' ends
            QCOMPARE(registryScalars(id, scalars.tags()[t]).size(), static_cast<int>(scalars.series(t).size()));
        }
        QVERIFY(systemTags > 0);
    }

    void trainsAndRecordsTheRun()
    {
        const Result r =
            jikken().run(QStringList{QStringLiteral("train"), QStringLiteral("--epochs"), QStringLiteral("1"),
                                     QStringLiteral("--memo"), QStringLiteral("smoke run")} +
                         kSmallRun);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString id = r.out.section(u'\n', 0, 0);
        const auto parsed = ModelId::parse(id);
        QVERIFY2(parsed, qPrintable(r.out));
        QCOMPARE(parsed->method(), QStringLiteral("softmax"));

        const RunRecord run = record(id);
        QCOMPARE(toString(run.status), toString(RunStatus::Finished));
        QCOMPARE(run.model, QStringLiteral("lenet"));
        QCOMPARE(run.dataset, QStringLiteral("fashion-mnist"));
        QCOMPARE(run.epoch, 1);
        QCOMPARE(run.totalEpochs, 1);
        QCOMPARE(run.step, 47); // ceil(3000 / 64)
        QCOMPARE(run.memo, QStringLiteral("smoke run"));
        QVERIFY(run.latestTestError);
        QVERIFY2(*run.latestTestError < 0.6, qPrintable(QString::number(*run.latestTestError))); // chance is 0.9
        QVERIFY(!run.host.isEmpty());
        QCOMPARE(run.device, QStringLiteral("cpu")); // "auto" resolved on a machine without CUDA
        QVERIFY(run.command.contains(QStringLiteral("train")));
        QCOMPARE(run.versions.value(QStringLiteral("libtorch")).toString().section(u'.', 0, 0).isEmpty(), false);
        QCOMPARE(run.hparams.value(QStringLiteral("model")).toString(), QStringLiteral("lenet"));
        QVERIFY(run.finalMetrics.contains(QStringLiteral("test_accuracy")));

        const QString runDir = m_dir.filePath(QStringLiteral("logs/") + id);
        QCOMPARE(run.logDir, runDir);
        QFile spec(runDir + QStringLiteral("/spec.json"));
        QVERIFY(spec.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(spec.readAll()).object().value(QStringLiteral("train_limit")).toInt(), 3000);

        EventLogReader log(runDir);
        QVERIFY(log.poll(nullptr, nullptr));
        const RunScalars& scalars = log.runs().at(QStringLiteral(".")).scalars;
        const int testError = scalars.tags().indexOf(QStringLiteral("test/error"));
        QVERIFY(testError >= 0);
        QCOMPARE(scalars.series(testError).size(), 1);
        QCOMPARE(scalars.series(testError).steps[0], 47);
        QVERIFY(qAbs(scalars.series(testError).values[0] - *run.latestTestError) < 1e-6);
        QVERIFY(scalars.tags().contains(QStringLiteral("train/loss")));
        // The registry holds the same points as the event file.
        QCOMPARE(registryScalars(id, QStringLiteral("train/loss")).size(),
                 static_cast<int>(scalars.series(scalars.tags().indexOf(QStringLiteral("train/loss"))).size()));
        // The confusion matrix of the test images, as a Markdown table: every test image counted once, and
        // its diagonal agrees with the test error.
        const auto confusion = LoggedTables::numericTable(
            QString::fromUtf8(scalars.texts().value(QStringLiteral("test/confusion_matrix")).data));
        QVERIFY(confusion);
        QCOMPARE(confusion->rows, 10);
        QCOMPARE(confusion->columns, 10);
        double total = 0, diagonal = 0;
        for (int i = 0; i < 100; ++i) {
            total += confusion->values[i];
            diagonal += i / 10 == i % 10 ? confusion->values[i] : 0;
        }
        QCOMPARE(total, 1000.0);
        QVERIFY(qAbs(1.0 - diagonal / total - *run.latestTestError) < 1e-6);
        QCOMPARE(scalars.hyperparameters().value(QStringLiteral("model")).toString(), QStringLiteral("lenet"));

        // The machine's use while training, at the epoch's end (every 5 s too), in the file and the registry:
        // this process's resident memory (a trainer holds well over 20 MB) and its CPU use.
        const int rss = scalars.tags().indexOf(QStringLiteral("system/rss_mb"));
        QVERIFY2(rss >= 0, qPrintable(scalars.tags().join(u' ')));
        QVERIFY(scalars.series(rss).last().value > 20 && scalars.series(rss).last().value < 100000);
        QCOMPARE(scalars.series(rss).last().step, 47);
        const int cpu = scalars.tags().indexOf(QStringLiteral("system/cpu_percent"));
        QVERIFY(cpu >= 0);
        QVERIFY(scalars.series(cpu).last().value > 0);
        QCOMPARE(registryScalars(id, QStringLiteral("system/rss_mb")).size(), scalars.series(rss).size());
        QVERIFY(!scalars.tags().contains(QStringLiteral("system/gpu_utilization"))); // a CPU run watches no GPU
    }

    void trainsUnderAReservedId()
    {
        // The user's run.sh: reserve first, then train under that ID.
        const QString id = jikken()
                               .run({QStringLiteral("reserve"), QStringLiteral("--method"), QStringLiteral("my-focal")})
                               .out.trimmed();
        QVERIFY(ModelId::parse(id));
        const Result r =
            jikken().run(QStringList{QStringLiteral("train"), QStringLiteral("--id"), id, QStringLiteral("--method"),
                                     QStringLiteral("focalloss"), QStringLiteral("--epochs"), QStringLiteral("1")} +
                         kSmallRun);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.out.trimmed(), id);
        QCOMPARE(toString(record(id).status), toString(RunStatus::Finished));
        QCOMPARE(record(id).hparams.value(QStringLiteral("method")).toString(), QStringLiteral("focalloss"));
        // An ID is trained once: a second --id is refused with the way forward.
        const Result again = jikken().run({QStringLiteral("train"), QStringLiteral("--id"), id});
        QCOMPARE(again.exitCode, 1);
        QVERIFY2(again.err.contains(QStringLiteral("--resume")), qPrintable(again.err));
        const Result unknown =
            jikken().run({QStringLiteral("train"), QStringLiteral("--id"), QStringLiteral("20190101_01_nope")});
        QCOMPARE(unknown.exitCode, 1);
        QVERIFY2(unknown.err.contains(QStringLiteral("jikken reserve")), qPrintable(unknown.err));
    }

    // The forward pass in bfloat16 (autocast) with channels-last tensors trains as float32 does, to within
    // what the rounding moves; the precision is a hyperparameter of the run, the layout only its spec's.
    void trainsInBfloat16ChannelsLast()
    {
        const Result r = jikken().run(
            QStringList{QStringLiteral("train"), QStringLiteral("--epochs"), QStringLiteral("1"),
                        QStringLiteral("--precision"), QStringLiteral("bf16"), QStringLiteral("--memory-format"),
                        QStringLiteral("channels-last"), QStringLiteral("--optimizer-step"),
                        QStringLiteral("multi-tensor"), QStringLiteral("--cuda-graphs"), QStringLiteral("auto")} +
            kSmallRun);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const RunRecord run = record(r.out.trimmed());
        QCOMPARE(toString(run.status), toString(RunStatus::Finished));
        QVERIFY2(run.latestTestError && *run.latestTestError < 0.6, qPrintable(QString::number(*run.latestTestError)));
        QCOMPARE(run.hparams.value(QStringLiteral("precision")).toString(), QStringLiteral("bf16"));
        QVERIFY(!run.hparams.contains(QStringLiteral("memory_format")));
        QCOMPARE(run.spec.value(QStringLiteral("memory_format")).toString(), QStringLiteral("channels-last"));
        QCOMPARE(run.spec.value(QStringLiteral("optimizer_step")).toString(), QStringLiteral("multi-tensor"));
        // CUDA graphs are the spec's too, and on the CPU `auto` replays no step from one, and says nothing.
        QCOMPARE(run.spec.value(QStringLiteral("cuda_graphs")).toString(), QStringLiteral("auto"));
        QVERIFY(!run.hparams.contains(QStringLiteral("cuda_graphs")));
        QVERIFY2(!r.err.contains(QStringLiteral("CUDA graph")), qPrintable(r.err));
        const Result unknown =
            jikken().run({QStringLiteral("train"), QStringLiteral("--precision"), QStringLiteral("fp8")});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY2(unknown.err.contains(QStringLiteral("precision")), qPrintable(unknown.err));
        const Result unknownGraphs =
            jikken().run({QStringLiteral("train"), QStringLiteral("--cuda-graphs"), QStringLiteral("always")});
        QCOMPARE(unknownGraphs.exitCode, 2);
        QVERIFY2(unknownGraphs.err.contains(QStringLiteral("auto, on, off")), qPrintable(unknownGraphs.err));
    }

    void resumesAfterAKillWithoutDuplicates()
    {
        QProcess process;
        QString id, runDir;
        startSixEpochsUntilFirstCheckpoint(process, &id, &runDir);
        if (QTest::currentTestFailed())
            return;
        QThread::msleep(150); // into the next epoch
        process.kill();       // SIGKILL: no chance to clean up
        process.waitForFinished();
        QCOMPARE(toString(record(id).status), toString(RunStatus::Running)); // what a kill -9 leaves behind

        const Result resumed = jikken().run({QStringLiteral("train"), QStringLiteral("--resume"), id});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        const RunRecord run = record(id);
        QCOMPARE(toString(run.status), toString(RunStatus::Finished));
        QCOMPARE(run.epoch, 6);
        QCOMPARE(run.step, 6 * 47);
        QVERIFY2(run.command.contains(QStringLiteral("--epochs 6")) &&
                     !run.command.contains(QStringLiteral("--resume")),
                 qPrintable(run.command)); // the command that reproduces the run is still the first one

        EventLogReader log(runDir);
        QVERIFY(log.poll(nullptr, nullptr));
        checkNoDuplicateSteps(log);
        const RunScalars& scalars = log.runs().at(QStringLiteral(".")).scalars;
        const auto& errors = scalars.series(scalars.tags().indexOf(QStringLiteral("test/error")));
        QCOMPARE(errors.size(), 6);
        for (int i = 0; i < errors.size(); ++i)
            QCOMPARE(errors.steps[i], static_cast<qint64>((i + 1) * 47));
        const QVector<ScalarPoint> inRegistry = registryScalars(id, QStringLiteral("test/error"));
        QCOMPARE(inRegistry.size(), 6);
        // best+last (the default), through a kill and a resume: exactly two files kept, the last at the end and
        // the best at the epoch of the lowest test error, each as its record says.
        QStringList problems;
        const QMultiMap<QString, CheckpointRecord> kept = checkKeptFiles(run, &problems);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        QCOMPARE(kept.size(), 2);
        QCOMPARE(kept.value(QStringLiteral("last")).step, 6 * 47);
        int lowest = 0;
        for (int i = 1; i < errors.size(); ++i)
            lowest = errors.values[i] < errors.values[lowest] ? i : lowest;
        QCOMPARE(kept.value(QStringLiteral("best")).step, errors.steps[lowest]);
        QVERIFY(std::abs(*kept.value(QStringLiteral("best")).value - errors.values[lowest]) < 1e-6); // float32 there
        QCOMPARE(kept.value(QStringLiteral("best")).host, run.host);
        QStringList models = QDir(runDir).entryList({QStringLiteral("*.pt")});
        models.sort();
        QCOMPARE(models, (QStringList{QFileInfo(kept.value(QStringLiteral("best")).path).fileName(),
                                      QStringLiteral("model-282.pt"), QStringLiteral("optimizer-282.pt")}));
        QCOMPARE(registryScalars(id, QStringLiteral("train/loss")).size(),
                 static_cast<int>(scalars.series(scalars.tags().indexOf(QStringLiteral("train/loss"))).size()));
    }

    // every:N keeps every N epochs' model and the best, and at the end lets the resume files go; a policy
    // it cannot read is refused before anything is reserved.
    void keepsEveryNthEpochAndTheBest()
    {
        // The issue's case: 100 epochs with every:10 keep 10 files and the best (an epoch of one batch here).
        const Result r = jikken().run(
            {QStringLiteral("train"), QStringLiteral("--epochs"), QStringLiteral("100"),
             QStringLiteral("--keep-checkpoints"), QStringLiteral("every:10"), QStringLiteral("--model"),
             QStringLiteral("lenet"), QStringLiteral("--train-limit"), QStringLiteral("64"),
             QStringLiteral("--test-limit"), QStringLiteral("64"), QStringLiteral("--threads"), QStringLiteral("2")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString id = r.out.section(u'\n', 0, 0);
        const RunRecord run = record(id);
        QStringList problems;
        const QMultiMap<QString, CheckpointRecord> kept = checkKeptFiles(run, &problems);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        QCOMPARE(kept.size(), 11);
        QList<int> epochs;
        for (const CheckpointRecord& every : kept.values(QStringLiteral("every")))
            epochs << every.epoch;
        std::sort(epochs.begin(), epochs.end());
        QCOMPARE(epochs, (QList<int>{10, 20, 30, 40, 50, 60, 70, 80, 90, 100}));
        QCOMPARE(kept.count(QStringLiteral("best")), 1);
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("logs/%1/checkpoint.json").arg(id))));
        QStringList models = QDir(m_dir.filePath(QStringLiteral("logs/") + id)).entryList({QStringLiteral("*.pt")});
        QCOMPARE(models.size(), 11); // epoch-10 … epoch-100 and the best: nothing else
        const Result show = jikken().run({QStringLiteral("show"), id});
        QCOMPARE(show.out.count(QStringLiteral("checkpoint      every: step ")), 10);
        QVERIFY2(show.out.contains(QStringLiteral("checkpoint      best: step ")), qPrintable(show.out));
        QVERIFY2(show.out.contains(run.host + u':' + QDir(m_dir.filePath(QStringLiteral("logs/") + id)).absolutePath()),
                 qPrintable(show.out));

        const Result bad =
            jikken().run({QStringLiteral("train"), QStringLiteral("--keep-checkpoints"), QStringLiteral("every:0")});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains(QStringLiteral("keep_checkpoints")) && bad.err.contains(QStringLiteral("every:N")),
                 qPrintable(bad.err));
        QCOMPARE(bad.err.count(u'\n'), 1);
    }

    // The best network as TorchScript: loaded by Debian's python3-torch with nothing of Jikken's, it gives the
    // logits of LeNet computed there from the checkpoint's own weights, and says its classes and input shape.
    void exportsTheBestNetworkAsTorchScript()
    {
        const Result r = jikken().run(
            QStringList{QStringLiteral("train"), QStringLiteral("--epochs"), QStringLiteral("2")} + kSmallRun);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        const QString id = r.out.section(u'\n', 0, 0);
        const RunRecord run = record(id);
        const CheckpointRecord* best = Checkpoints::best(run.checkpoints);
        QVERIFY(best);
        const QString exported = m_dir.filePath(QStringLiteral("exported.pt"));
        const Result exporting = jikken().run({QStringLiteral("export-model"), id, QStringLiteral("--best"),
                                               QStringLiteral("--format"), QStringLiteral("torchscript"), exported});
        QVERIFY2(exporting.exitCode == 0, qPrintable(exporting.err));
        QVERIFY2(exporting.out.contains(QStringLiteral("on 64 test images")), qPrintable(exporting.out));

        QProcess python;
        python.start(
            QStringLiteral("/usr/bin/python3"),
            {qEnvironmentVariable("JIKKEN_TEST_SOURCE_DIR") + QStringLiteral("/tests/data/check_torchscript_export.py"),
             exported, best->path, QStringLiteral("/usr/share/datasets/fashion-mnist")});
        QVERIFY(python.waitForFinished(120000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
        const QJsonObject checked = QJsonDocument::fromJson(python.readAllStandardOutput()).object();
        const double maxLogit = checked.value(QStringLiteral("max_logit")).toDouble();
        QVERIFY(maxLogit > 1); // a trained network, not zeros
        // Float32 products summed in another order (F.linear here, a 1x1 convolution in Jikken's Dense).
        QVERIFY2(checked.value(QStringLiteral("max_difference")).toDouble(-1) <= 1e-6 * maxLogit + 1e-6,
                 qPrintable(QString::number(checked.value(QStringLiteral("max_difference")).toDouble())));
        QVERIFY2(checked.value(QStringLiteral("error")).toDouble(1) < 0.5, // chance is 0.9
                 qPrintable(QString::number(checked.value(QStringLiteral("error")).toDouble())));
        QCOMPARE(checked.value(QStringLiteral("class_names")).toArray().size(), 10);
        QCOMPARE(checked.value(QStringLiteral("class_names")).toArray().at(9).toString(), QStringLiteral("Ankle boot"));
        QCOMPARE(checked.value(QStringLiteral("input_shape")).toArray(), (QJsonArray{1, 28, 28}));
        const QJsonObject about = checked.value(QStringLiteral("jikken")).toObject();
        QCOMPARE(about.value(QStringLiteral("model_id")).toString(), id);
        QCOMPARE(about.value(QStringLiteral("checkpoint")).toObject().value(QStringLiteral("sha256")).toString(),
                 best->sha256);

        // A format it cannot write, and a checkpoint the run does not keep: one line, nothing written.
        const QString refused = m_dir.filePath(QStringLiteral("refused.pt"));
        const Result onnx = jikken().run(
            {QStringLiteral("export-model"), id, QStringLiteral("--format"), QStringLiteral("onnx"), refused});
        QCOMPARE(onnx.exitCode, 2);
        QCOMPARE(onnx.err.count(u'\n'), 1);
        const Result missing =
            jikken().run({QStringLiteral("export-model"), id, QStringLiteral("--step"), QStringLiteral("3"), refused});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains(QStringLiteral("keeps no checkpoint at step 3")), qPrintable(missing.err));
        QVERIFY(!QFile::exists(refused));
    }

    void stopsGracefullyOnSigtermAndResumes()
    {
        QProcess process;
        QString id, runDir;
        startSixEpochsUntilFirstCheckpoint(process, &id, &runDir);
        if (QTest::currentTestFailed())
            return;
        process.terminate();
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 128 + SIGTERM);
        const RunRecord stopped = record(id);
        QCOMPARE(toString(stopped.status), toString(RunStatus::Stopped));
        QVERIFY(stopped.statusReason.contains(QStringLiteral("SIGTERM")));
        QVERIFY(stopped.epoch < 6);

        const Result resumed = jikken().run({QStringLiteral("train"), QStringLiteral("--resume"), id});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        QCOMPARE(toString(record(id).status), toString(RunStatus::Finished));
        QCOMPARE(record(id).step, 6 * 47);
        EventLogReader log(runDir);
        QVERIFY(log.poll(nullptr, nullptr));
        checkNoDuplicateSteps(log);
    }

    // A run started from a terminal has no tmux session: `jikken output`, `attach` and `stop` reach it by
    // the process ID and output.log its trainer keeps in the run folder (its host is this machine's name).
    void aRunStartedFromATerminalIsFollowedAndStopped()
    {
        QProcess process;
        QString id, runDir;
        startSixEpochsUntilFirstCheckpoint(process, &id, &runDir, 40);
        if (QTest::currentTestFailed())
            return;
        const QString pid = QString::number(process.processId());
        QCOMPARE(readAll(runDir + QStringLiteral("/jikken.pid")).trimmed(), pid.toUtf8());

        const Result output = jikken().run({QStringLiteral("output"), id});
        QVERIFY2(output.exitCode == 0, qPrintable(output.err));
        QVERIFY2(output.out.contains(QStringLiteral("process %1, started from a terminal").arg(pid)),
                 qPrintable(output.out));
        QVERIFY2(output.out.contains(QStringLiteral("epoch 1/40")), qPrintable(output.out));

        const Result attach = jikken().run({QStringLiteral("attach"), QStringLiteral("--print"), id});
        QVERIFY2(attach.exitCode == 0, qPrintable(attach.err));
        QCOMPARE(attach.out.trimmed(), QStringLiteral("tail -n 200 -f %1/output.log").arg(runDir));

        const Result stop = jikken().run({QStringLiteral("stop"), id});
        QVERIFY2(stop.exitCode == 0, qPrintable(stop.err));
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitCode(), 128 + SIGINT);
        const RunRecord stopped = record(id);
        QCOMPARE(toString(stopped.status), toString(RunStatus::Stopped));
        QVERIFY2(stopped.statusReason.contains(QStringLiteral("SIGINT")), qPrintable(stopped.statusReason));
        QVERIFY(!QFile::exists(runDir + QStringLiteral("/jikken.pid")));
        QVERIFY(readAll(runDir + QStringLiteral("/output.log")).contains("stopped at a checkpoint"));

        const Result again = jikken().run({QStringLiteral("stop"), id});
        QCOMPARE(again.exitCode, 1);
        QVERIFY2(again.err.contains(QStringLiteral("not running")), qPrintable(again.err));
    }

    void badSpecsLeaveNoRecord()
    {
        const QString specPath = m_dir.filePath(QStringLiteral("bad.json"));
        QFile spec(specPath);
        QVERIFY(spec.open(QIODevice::WriteOnly));
        spec.write(R"({"model": "lenet", "epoch": 3})");
        spec.close();
        RegistryStore store;
        QString error;
        QVERIFY(store.open(m_dir.filePath(QStringLiteral("home/registry.sqlite")), &error));
        const auto before = store.runs({}, &error).value().size();

        const Result unknownField = jikken().run({QStringLiteral("train"), specPath});
        QCOMPARE(unknownField.exitCode, 2);
        QVERIFY2(unknownField.err.contains(QStringLiteral("\"epoch\"")), qPrintable(unknownField.err));
        const Result badFlag = jikken().run({QStringLiteral("train"), QStringLiteral("--epochs"), QStringLiteral("0")});
        QCOMPARE(badFlag.exitCode, 2);
        QVERIFY2(badFlag.err.contains(QStringLiteral("epochs")), qPrintable(badFlag.err));
        QCOMPARE(badFlag.err.count(u'\n'), 1);
        QCOMPARE(store.runs({}, &error).value().size(), before);

        // A machine without the dataset: a clear error, and still no record.
        const Result noData =
            jikken().run({QStringLiteral("train"), QStringLiteral("--dataset"), QStringLiteral("cifar10"),
                          QStringLiteral("--data-root"), m_dir.filePath(QStringLiteral("empty"))});
        QCOMPARE(noData.exitCode, 1);
        QVERIFY2(noData.err.contains(QStringLiteral("not found")), qPrintable(noData.err));
        QVERIFY(noData.out.isEmpty());
        QCOMPARE(store.runs({}, &error).value().size(), before);

        // float16 autocast is CUDA's: on this CPU machine a clear error before any ID, naming the way out.
        refusedOnTheCpu({QStringLiteral("--precision"), QStringLiteral("fp16")},
                        {QStringLiteral("fp16"), QStringLiteral("bf16")});
        // So are CUDA graphs.
        refusedOnTheCpu({QStringLiteral("--cuda-graphs"), QStringLiteral("on")},
                        {QStringLiteral("cuda graphs on needs a CUDA device"), QStringLiteral("--cuda-graphs auto")});
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(store.runs({}, &error).value().size(), before);

        // A failure after the ID was handed out (here a truncated dataset) marks the run failed with the reason.
        const QString broken = m_dir.filePath(QStringLiteral("broken/MNIST"));
        QVERIFY(QDir().mkpath(broken));
        for (const char* name : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                                 "t10k-labels-idx1-ubyte"}) {
            QFile file(broken + u'/' + QString::fromLatin1(name));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("\0\0\x08\x03 not really IDX");
        }
        const Result badData =
            jikken().run({QStringLiteral("train"), QStringLiteral("--dataset"), QStringLiteral("mnist"),
                          QStringLiteral("--data-root"), m_dir.filePath(QStringLiteral("broken"))});
        QCOMPARE(badData.exitCode, 1);
        const QString id = badData.out.trimmed();
        const RunRecord failed = record(id);
        QCOMPARE(toString(failed.status), toString(RunStatus::Failed));
        QVERIFY2(failed.statusReason.contains(broken), qPrintable(failed.statusReason)); // names the bad file
        QVERIFY(badData.err.contains(id));
    }
};

QTEST_GUILESS_MAIN(TestTraining)
#include "TestTraining.moc"
