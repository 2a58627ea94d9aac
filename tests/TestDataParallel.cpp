// Data-parallel training (`jikken train --nproc N`, `--nnodes M --node-rank R --master HOST:PORT`) on the
// CPU with Gloo: ranks that train shares of a batch end with the weights one process training the whole
// batch ends with, on one node and across two network namespaces; a rank killed fails the run, named.

#include "Classifier.h"
#include "JikkenProcess.h"
#include "ModelInputs.h"
#include "RequiredProgram.h"
#include "ids/ModelId.h"
#include "registry/RegistryStore.h"
#include "train/ResumeCheckpoint.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <torch/torch.h>

#include <csignal>
#include <unistd.h>

using namespace jikken;
using namespace jikken::testing;

namespace {

/// 50 steps of 64 images: LeNet has neither dropout nor batch norm, so the ranks' shares add up exactly.
QStringList fiftySteps(int batchSize)
{
    return {QStringLiteral("train"),    QStringLiteral("--model"),
            QStringLiteral("lenet"),    QStringLiteral("--optimizer"),
            QStringLiteral("sgd"),      QStringLiteral("--lr"),
            QStringLiteral("0.05"),     QStringLiteral("--epochs"),
            QStringLiteral("1"),        QStringLiteral("--batch-size"),
            QString::number(batchSize), QStringLiteral("--train-limit"),
            QStringLiteral("3200"),     QStringLiteral("--test-limit"),
            QStringLiteral("500"),      QStringLiteral("--seed"),
            QStringLiteral("11"),       QStringLiteral("--threads"),
            QStringLiteral("1"),        QStringLiteral("--keep-checkpoints"),
            QStringLiteral("last")};
}

/// The network's parameters in the run folder's last checkpoint, flattened end to end.
torch::Tensor weightsIn(const QString& runDirectory)
{
    const std::optional<Checkpoint> checkpoint = readCheckpoint(runDirectory);
    if (!checkpoint)
        return {};
    torch::serialize::InputArchive archive;
    archive.load_from(QDir(runDirectory).filePath(checkpoint->modelFile).toStdString(), torch::kCPU);
    const auto inputs = models::ModelInputs::read(archive);
    auto network = models::makeClassifier("lenet", inputs->shape);
    network->load(archive);
    std::vector<torch::Tensor> flat;
    for (const torch::Tensor& parameter : network->parameters())
        flat.push_back(parameter.detach().reshape(-1));
    return torch::cat(flat);
}

/// Runs `command` (a program and its arguments) and says whether it exited 0; its output on failure.
bool succeeds(const QStringList& command, QString* output = nullptr)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(command.first(), command.mid(1));
    const bool ok =
        process.waitForFinished(30000) && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
    if (output)
        *output = QString::fromUtf8(process.readAll());
    return ok;
}

/// Two network namespaces joined by a veth pair on private addresses: two "nodes" on one machine.
class TwoNodes
{
public:
    TwoNodes()
    {
        const QString suffix = QString::number(::getpid() % 100000);
        m_names = {QStringLiteral("jk0-") + suffix, QStringLiteral("jk1-") + suffix};
        const QString ip = QStringLiteral("ip");
        const QString a = QStringLiteral("jkv0-") + suffix, b = QStringLiteral("jkv1-") + suffix;
        const QList<QStringList> steps{
            {ip, QStringLiteral("netns"), QStringLiteral("add"), m_names[0]},
            {ip, QStringLiteral("netns"), QStringLiteral("add"), m_names[1]},
            {ip, QStringLiteral("link"), QStringLiteral("add"), a, QStringLiteral("type"), QStringLiteral("veth"),
             QStringLiteral("peer"), QStringLiteral("name"), b},
            {ip, QStringLiteral("link"), QStringLiteral("set"), a, QStringLiteral("netns"), m_names[0]},
            {ip, QStringLiteral("link"), QStringLiteral("set"), b, QStringLiteral("netns"), m_names[1]},
            inside(0, {ip, QStringLiteral("addr"), QStringLiteral("add"), address(0) + QStringLiteral("/24"),
                       QStringLiteral("dev"), a}),
            inside(1, {ip, QStringLiteral("addr"), QStringLiteral("add"), address(1) + QStringLiteral("/24"),
                       QStringLiteral("dev"), b}),
            inside(0, {ip, QStringLiteral("link"), QStringLiteral("set"), a, QStringLiteral("up")}),
            inside(1, {ip, QStringLiteral("link"), QStringLiteral("set"), b, QStringLiteral("up")}),
            inside(0, {ip, QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"), QStringLiteral("up")}),
            inside(1, {ip, QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"), QStringLiteral("up")}),
        };
        for (const QStringList& step : steps) {
            if (!succeeds(step, &m_problem)) {
                m_problem = step.join(u' ') + QStringLiteral(": ") + m_problem;
                return;
            }
        }
    }
    ~TwoNodes()
    {
        for (const QString& name : m_names) // the veth pair goes with its namespaces
            succeeds({QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("delete"), name});
    }
    QString problem() const { return m_problem; }
    static QString address(int node) { return QStringLiteral("10.231.%1.%2").arg(::getpid() % 200).arg(node + 1); }
    /// `command` run inside node `node`'s namespace.
    QStringList inside(int node, const QStringList& command) const
    {
        return QStringList{QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("exec"), m_names[node]} +
               command;
    }

private:
    QStringList m_names;
    QString m_problem;
};

} // namespace

class TestDataParallel : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    JikkenProcess jikken() const { return JikkenProcess(m_dir.filePath(QStringLiteral("home")), m_dir.path()); }
    QString runDirectory(const QString& id) const { return m_dir.filePath(QStringLiteral("logs/") + id); }

    RunRecord record(const QString& id) const
    {
        RegistryStore store;
        QString error;
        if (!store.open(m_dir.filePath(QStringLiteral("home/registry.sqlite")), &error))
            qFatal("%s", qPrintable(error));
        return store.run(id, &error).value_or(RunRecord());
    }

    QVector<ScalarPoint> scalars(const QString& id, const QString& tag) const
    {
        RegistryStore store;
        QString error;
        if (!store.open(m_dir.filePath(QStringLiteral("home/registry.sqlite")), &error))
            qFatal("%s", qPrintable(error));
        return store.scalars(id, tag, &error).value_or(QVector<ScalarPoint>());
    }

    /// The ID a finished `jikken train` printed, checked to have finished.
    QString trained(const Result& r) const
    {
        const QString id = r.out.trimmed();
        if (r.exitCode != 0 || !ModelId::parse(id))
            qWarning("%s", qPrintable(r.err));
        return r.exitCode == 0 && record(id).status == RunStatus::Finished ? id : QString();
    }

    /// The weights of one process training 50 steps of 64 images (trained once).
    torch::Tensor oneProcessWeights()
    {
        if (!m_alone.defined()) {
            m_aloneId = trained(jikken().run(fiftySteps(64)));
            if (!m_aloneId.isEmpty())
                m_alone = weightsIn(runDirectory(m_aloneId));
        }
        return m_alone;
    }

    static double largestDifference(const torch::Tensor& a, const torch::Tensor& b)
    {
        return (a - b).abs().max().item<double>();
    }

    torch::Tensor m_alone;
    QString m_aloneId;

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void twoRanksOfHalfTheBatchTrainTheSameWeights()
    {
        const torch::Tensor alone = oneProcessWeights();
        QVERIFY(alone.defined());
        JikkenProcess sampling = jikken(); // machine metrics at every report, rank 1's among them
        sampling.setEnvironment(QStringLiteral("JIKKEN_SYSTEM_SAMPLE_SECONDS"), QStringLiteral("0"));
        const Result r = sampling.run(fiftySteps(32) + QStringList{QStringLiteral("--nproc"), QStringLiteral("2")});
        const QString id = trained(r);
        QVERIFY2(!id.isEmpty(), qPrintable(r.err));
        const torch::Tensor together = weightsIn(runDirectory(id));
        QVERIFY(together.defined());
        const double difference = largestDifference(alone, together);
        qInfo("largest weight difference, 2 ranks x 32 vs 1 x 64: %g", difference);
        QVERIFY2(difference <= 1e-5, qPrintable(QString::number(difference)));
        const RunRecord run = record(id);
        QVERIFY2(run.latestTestError.value_or(1) < 0.6, "the ranks did not learn"); // chance is 0.9
        QVERIFY2(run.device.startsWith(QStringLiteral("2 ranks · ")), qPrintable(run.device));
        QCOMPARE(run.hparams.value(QStringLiteral("nproc")).toInt(), 2);
        // Rank 1's lines are in the run's output, tagged; rank 0 alone wrote the event file.
        QFile output(QDir(runDirectory(id)).filePath(QStringLiteral("output.log")));
        QVERIFY(output.open(QIODevice::ReadOnly));
        QVERIFY(output.readAll().contains("[rank 1] epoch 1 done at step 50"));
        QCOMPARE(QDir(runDirectory(id)).entryList({QStringLiteral("events.out.tfevents.*")}).size(), 1);
        // Rank 1's machine metrics reach the record through rank 0, under a name of their own.
        QVERIFY(!scalars(id, QStringLiteral("system/cpu_percent")).isEmpty());
        const QVector<ScalarPoint> rankOne = scalars(id, QStringLiteral("system/rank1/cpu_percent"));
        QVERIFY(!rankOne.isEmpty());
        QVERIFY(std::all_of(rankOne.begin(), rankOne.end(), [](const ScalarPoint& p) { return p.value > 0; }));
        // The logged loss is the mean over the ranks: the one process's, to float rounding.
        QVERIFY(std::abs(run.latestTestError.value_or(-1) - record(m_aloneId).latestTestError.value_or(-2)) <= 0.002);
    }

    void twoNodesMeetOverTheirNetwork()
    {
        if (::geteuid() != 0)
            QFAIL("network namespaces need root (CI runs as root)");
        QString missing;
        QVERIFY2(!requireProgram(QStringLiteral("ip"), QStringLiteral("iproute2"), &missing).isEmpty(),
                 qPrintable(missing));
        const TwoNodes nodes;
        QVERIFY2(nodes.problem().isEmpty(), qPrintable(nodes.problem()));
        const torch::Tensor alone = oneProcessWeights();
        QVERIFY(alone.defined());
        const QString master = TwoNodes::address(0) + QStringLiteral(":29611");
        const QStringList common = fiftySteps(32) + QStringList{QStringLiteral("--nnodes"), QStringLiteral("2"),
                                                                QStringLiteral("--master"), master};
        const JikkenProcess process = jikken();
        const auto start = [&](QProcess& node, int rank) {
            const QStringList command =
                nodes.inside(rank, QStringList{QStringLiteral(JIKKEN_BINARY)} + common +
                                       QStringList{QStringLiteral("--node-rank"), QString::number(rank)});
            node.setProcessEnvironment(process.environment());
            node.setWorkingDirectory(m_dir.path());
            node.start(command.first(), command.mid(1));
        };
        QProcess zero, one;
        start(zero, 0);
        start(one, 1);
        QVERIFY(zero.waitForFinished(240000));
        QVERIFY(one.waitForFinished(60000));
        const QString err = QString::fromUtf8(zero.readAllStandardError() + one.readAllStandardError());
        QVERIFY2(zero.exitCode() == 0 && one.exitCode() == 0, qPrintable(err));
        const QString id = QString::fromUtf8(zero.readAllStandardOutput()).trimmed();
        QCOMPARE(toString(record(id).status), toString(RunStatus::Finished));
        const double difference = largestDifference(alone, weightsIn(runDirectory(id)));
        qInfo("largest weight difference, 2 nodes x 32 vs 1 x 64: %g", difference);
        QVERIFY2(difference <= 1e-5, qPrintable(QString::number(difference)));
        QVERIFY2(record(id).device.startsWith(QStringLiteral("2 ranks · ")), qPrintable(record(id).device));
    }

    // A stop reaches every rank at the same step; rank 0 checkpoints, and --resume restores every rank from it:
    // the resumed run ends with the weights of one never stopped.
    void aStoppedRunResumesOnEveryRank()
    {
        QStringList twoEpochs = fiftySteps(32) + QStringList{QStringLiteral("--nproc"), QStringLiteral("2")};
        twoEpochs.replace(twoEpochs.indexOf(QStringLiteral("3200")), QStringLiteral("40000"));
        twoEpochs.replace(twoEpochs.indexOf(QStringLiteral("--epochs")) + 1, QStringLiteral("2"));
        const QString whole = trained(jikken().run(twoEpochs));
        QVERIFY(!whole.isEmpty());

        QProcess launcher;
        jikken().start(launcher, twoEpochs);
        QVERIFY(launcher.waitForReadyRead(60000));
        const QString id = QString::fromUtf8(launcher.readLine()).trimmed();
        QVERIFY2(ModelId::parse(id), qPrintable(id));
        QElapsedTimer waited;
        waited.start();
        while (record(id).step < 100 && waited.elapsed() < 60000)
            QThread::msleep(50);
        QVERIFY(record(id).step >= 100);
        QCOMPARE(::kill(static_cast<pid_t>(launcher.processId()), SIGTERM), 0);
        QVERIFY(launcher.waitForFinished(60000));
        QCOMPARE(launcher.exitCode(), 128 + SIGTERM);
        const RunRecord stopped = record(id);
        QCOMPARE(toString(stopped.status), toString(RunStatus::Stopped));
        const std::optional<Checkpoint> at = readCheckpoint(runDirectory(id));
        QVERIFY(at && (at->epoch < 2) && at->step < 1250); // 625 steps an epoch: stopped before the end

        const Result resumed = jikken().run({QStringLiteral("train"), QStringLiteral("--resume"), id});
        QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.err));
        QCOMPARE(toString(record(id).status), toString(RunStatus::Finished));
        const double difference = largestDifference(weightsIn(runDirectory(whole)), weightsIn(runDirectory(id)));
        qInfo("stopped at step %lld; largest weight difference from the run never stopped: %g",
              static_cast<long long>(at->step), difference);
        QVERIFY2(difference <= 1e-5, qPrintable(QString::number(difference)));
    }

    void aKilledRankFailsTheRunNamingIt()
    {
        QProcess launcher;
        QStringList longer = fiftySteps(32);
        longer.replace(longer.indexOf(QStringLiteral("3200")), QStringLiteral("60000"));
        longer.replace(longer.indexOf(QStringLiteral("--epochs")) + 1, QStringLiteral("20"));
        jikken().start(launcher, longer + QStringList{QStringLiteral("--nproc"), QStringLiteral("2")});
        QVERIFY(launcher.waitForReadyRead(60000));
        const QString id = QString::fromUtf8(launcher.readLine()).trimmed();
        QVERIFY2(ModelId::parse(id), qPrintable(id));
        // Rank 1 is the launcher's child started with --worker 1; killed once the run trains.
        QElapsedTimer waited;
        waited.start();
        pid_t rankOne = 0;
        while (rankOne == 0 && waited.elapsed() < 60000) {
            if (record(id).status == RunStatus::Running) {
                for (const QString& pid : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
                    QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
                    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
                    if (!cmdline.open(QIODevice::ReadOnly) || !stat.open(QIODevice::ReadOnly))
                        continue;
                    const QList<QByteArray> fields = stat.readAll().split(' ');
                    if (fields.size() > 3 && fields[3].toLongLong() == launcher.processId() &&
                        cmdline.readAll().contains(QByteArray("--worker\0"
                                                              "1\0",
                                                              11)))
                        rankOne = static_cast<pid_t>(pid.toInt());
                }
            }
            QThread::msleep(200);
        }
        QVERIFY2(rankOne > 0, "rank 1 was not found training");
        QThread::msleep(1500);
        QElapsedTimer afterKill;
        afterKill.start();
        QCOMPARE(::kill(rankOne, SIGKILL), 0);
        QVERIFY(launcher.waitForFinished(60000));
        qInfo("the launcher ended %lld ms after rank 1 was killed", static_cast<long long>(afterKill.elapsed()));
        QVERIFY(afterKill.elapsed() < 60000);
        QVERIFY(launcher.exitCode() != 0);
        const RunRecord run = record(id);
        QCOMPARE(toString(run.status), toString(RunStatus::Failed));
        QVERIFY2(run.statusReason.contains(QLatin1String("rank 1 on ")) &&
                     run.statusReason.contains(QLatin1String("killed by signal 9")),
                 qPrintable(run.statusReason));
    }
};

QTEST_GUILESS_MAIN(TestDataParallel)
#include "TestDataParallel.moc"
