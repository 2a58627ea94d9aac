#include "RankLauncher.h"

#include "Console.h"
#include "train/Rendezvous.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QHostInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include <atomic>
#include <csignal>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include <sys/prctl.h>
#include <unistd.h>

namespace jikken {

namespace {

/// How long the ranks left after one failed have to end on their own (rank 0 to mark the run failed).
constexpr int kGraceMs = 30'000;
/// How long a node waits for node 0's plan (nodes an allocation starts need not start together).
constexpr std::chrono::minutes kPlanWait{10};

std::atomic<int> g_launcherSignal{0};

extern "C" void noteLauncherSignal(int signal)
{
    g_launcherSignal.store(signal);
}

QString hostName()
{
    return qEnvironmentVariable("JIKKEN_HOST", QHostInfo::localHostName());
}

/// One rank's process and what became of it.
struct Rank
{
    int globalRank = 0;
    std::unique_ptr<QProcess> process;
    QByteArray partialLine; ///< output after its last newline
    bool ended = false;
};

class NodeRanks
{
public:
    NodeRanks(const NodeLaunch& launch, Rendezvous& rendezvous, const std::function<void(const QString&)>& lost)
        : m_launch(launch), m_rendezvous(rendezvous), m_rankZeroLost(lost)
    {
    }

    int run()
    {
        std::signal(SIGINT, noteLauncherSignal);
        std::signal(SIGTERM, noteLauncherSignal);
        QTimer signals;
        QObject::connect(&signals, &QTimer::timeout, [this] { passOnSignal(); });
        signals.start(100);
        for (int local = 0; local < m_launch.nproc; ++local)
            start(local);
        // A rank that could not start has ended already; when none started, no end would quit the loop.
        if (!std::all_of(m_ranks.begin(), m_ranks.end(), [](const auto& rank) { return rank->ended; }))
            m_loop.exec();
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
        return m_status;
    }

private:
    QStringList argumentsFor(int local, int globalRank) const
    {
        QStringList arguments;
        if (!m_launch.registryPath.isEmpty())
            arguments << QStringLiteral("--registry") << m_launch.registryPath;
        arguments << QStringLiteral("train") << QStringLiteral("--worker") << QString::number(globalRank)
                  << QStringLiteral("--rendezvous") << m_rendezvous.where();
        if (!m_launch.gpus.isEmpty())
            arguments << QStringLiteral("--device") << QStringLiteral("cuda:") + m_launch.gpus.at(local);
        if (m_launch.gpus.isEmpty()) {
            // CPU ranks share the cores out; libtorch would give each all of them.
            const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
            const int threads = m_launch.threads > 0 ? m_launch.threads : std::max(1, cores / m_launch.nproc);
            arguments << QStringLiteral("--threads") << QString::number(threads);
        }
        return arguments;
    }

    void start(int local)
    {
        auto rank = std::make_unique<Rank>();
        rank->globalRank = m_launch.nodeRank * m_launch.nproc + local;
        rank->process = std::make_unique<QProcess>();
        QProcess& process = *rank->process;
        // Each rank in its own process group: a Ctrl-C reaches the launcher, which hands it to every rank once
        // (a second signal would kill a rank before its checkpoint). A launcher that dies takes its ranks to a
        // checkpoint with it.
        process.setChildProcessModifier([] {
            setpgid(0, 0);
            prctl(PR_SET_PDEATHSIG, SIGTERM);
        });
        Rank* watched = rank.get();
        if (rank->globalRank == 0) {
            process.setProcessChannelMode(QProcess::ForwardedChannels);
        } else {
            process.setProcessChannelMode(QProcess::MergedChannels);
            QObject::connect(&process, &QProcess::readyReadStandardOutput, [watched] { passOnLines(*watched); });
        }
        QObject::connect(&process, &QProcess::finished,
                         [this, watched](int code, QProcess::ExitStatus status) { ended(*watched, code, status); });
        process.start(QCoreApplication::applicationFilePath(), argumentsFor(local, rank->globalRank));
        if (!process.waitForStarted()) {
            console::note(QStringLiteral("cannot start rank %1: %2").arg(rank->globalRank).arg(process.errorString()));
            rank->ended = true;
            m_status = 1;
            failed(*rank, QStringLiteral("could not be started (%1)").arg(process.errorString()));
        }
        m_ranks.push_back(std::move(rank));
    }

    static void passOnLines(Rank& rank, bool flush = false)
    {
        rank.partialLine += rank.process->readAllStandardOutput();
        qsizetype newline;
        while ((newline = rank.partialLine.indexOf('\n')) >= 0) {
            console::note(QStringLiteral("[rank %1] %2")
                              .arg(rank.globalRank)
                              .arg(QString::fromUtf8(rank.partialLine.left(newline)).section(u'\r', -1)));
            rank.partialLine.remove(0, newline + 1);
        }
        if (flush && !rank.partialLine.isEmpty()) {
            console::note(QStringLiteral("[rank %1] %2").arg(rank.globalRank).arg(QString::fromUtf8(rank.partialLine)));
            rank.partialLine.clear();
        }
    }

    void passOnSignal()
    {
        const int signal = g_launcherSignal.exchange(0);
        if (signal == 0)
            return;
        m_stopSignal = signal;
        for (const auto& rank : m_ranks) {
            if (!rank->ended)
                ::kill(static_cast<pid_t>(rank->process->processId()), signal);
        }
    }

    void ended(Rank& rank, int code, QProcess::ExitStatus status)
    {
        if (rank.globalRank != 0)
            passOnLines(rank, /*flush=*/true);
        rank.ended = true;
        const bool killed = status == QProcess::CrashExit;
        const bool stoppedAsAsked = !killed && m_stopSignal != 0 && code == 128 + m_stopSignal;
        if (rank.globalRank == 0)
            m_status = killed ? 1 : code;
        else if (code != 0 && !stoppedAsAsked)
            m_status = 1;
        if (killed || (code != 0 && !stoppedAsAsked)) {
            const QString why =
                killed
                    ? QStringLiteral("was killed by signal %1 (%2)").arg(code).arg(QString::fromUtf8(strsignal(code)))
                    : QStringLiteral("exited with status %1").arg(code);
            failed(rank, why);
        }
        if (std::all_of(m_ranks.begin(), m_ranks.end(), [](const auto& r) { return r->ended; }))
            m_loop.quit();
    }

    void failed(const Rank& rank, const QString& why)
    {
        const QString said = QStringLiteral("rank %1 on %2 %3").arg(rank.globalRank).arg(hostName(), why);
        // Only the first end is the cause; the ranks that fail after it fail because of it.
        const bool first = m_rendezvous.setFirst(rendezvous_keys::failure(), said.toUtf8());
        // Rank 0 marks the run failed itself, unless it was killed or never started.
        const bool saidNothing =
            rank.process->exitStatus() == QProcess::CrashExit || rank.process->error() == QProcess::FailedToStart;
        if (rank.globalRank == 0 && saidNothing && m_rankZeroLost) {
            QString cause = said;
            QString ignored;
            if (!first) {
                if (const auto firstSaid =
                        m_rendezvous.get(rendezvous_keys::failure(), std::chrono::seconds(1), &ignored))
                    cause = QString::fromUtf8(*firstSaid) + QStringLiteral("; then ") + said;
            }
            m_rankZeroLost(cause);
        }
        if (!m_graceStarted) {
            m_graceStarted = true;
            QTimer::singleShot(kGraceMs, [this] {
                for (const auto& left : m_ranks) {
                    if (!left->ended)
                        left->process->kill();
                }
            });
        }
    }

    const NodeLaunch& m_launch;
    Rendezvous& m_rendezvous;
    const std::function<void(const QString&)>& m_rankZeroLost;
    std::vector<std::unique_ptr<Rank>> m_ranks;
    QEventLoop m_loop;
    int m_status = 0;
    int m_stopSignal = 0;
    bool m_graceStarted = false;
};

/// This node's host and devices, for the run's record: the GPUs as the machine numbers them (a dispatched
/// run's CUDA_VISIBLE_DEVICES numbers its own from 0), so that they count as taken.
QByteArray nodeDescription(const NodeLaunch& launch)
{
    const QStringList visible = qEnvironmentVariable("CUDA_VISIBLE_DEVICES").split(u',', Qt::SkipEmptyParts);
    QJsonArray devices;
    for (int local = 0; local < launch.nproc; ++local) {
        if (launch.gpus.isEmpty()) {
            devices.append(QStringLiteral("cpu"));
            continue;
        }
        const int index = launch.gpus.at(local).toInt();
        devices.append(
            QString(QStringLiteral("cuda:") + (index < visible.size() ? visible.at(index) : launch.gpus.at(local))));
    }
    return QJsonDocument(QJsonObject{{QStringLiteral("host"), hostName()}, {QStringLiteral("devices"), devices}})
        .toJson(QJsonDocument::Compact);
}

} // namespace

QString describeWorld(Rendezvous& rendezvous, int nodes, int worldSize)
{
    QStringList parts{QStringLiteral("%1 ranks").arg(worldSize)};
    for (int node = 0; node < nodes; ++node) {
        QString ignored;
        const auto said = rendezvous.get(rendezvous_keys::node(node), std::chrono::minutes(1), &ignored);
        const QJsonObject object = said ? QJsonDocument::fromJson(*said).object() : QJsonObject();
        QStringList devices;
        for (const QJsonValue& device : object.value(QStringLiteral("devices")).toArray())
            devices << device.toString();
        parts << QStringLiteral("%1: %2").arg(object.value(QStringLiteral("host")).toString(QStringLiteral("?")),
                                              devices.join(u' '));
    }
    return parts.join(QStringLiteral(" · "));
}

QByteArray RankPlan::toJson() const
{
    return QJsonDocument(QJsonObject{{QStringLiteral("id"), id},
                                     {QStringLiteral("spec"), spec},
                                     {QStringLiteral("run_directory"), runDirectory},
                                     {QStringLiteral("command"), command},
                                     {QStringLiteral("resuming"), resuming}})
        .toJson(QJsonDocument::Compact);
}

std::optional<RankPlan> RankPlan::fromJson(const QByteArray& json, QString* error)
{
    const QJsonObject object = QJsonDocument::fromJson(json).object();
    RankPlan plan{object.value(QStringLiteral("id")).toString(), object.value(QStringLiteral("spec")).toObject(),
                  object.value(QStringLiteral("run_directory")).toString(),
                  object.value(QStringLiteral("command")).toString(),
                  object.value(QStringLiteral("resuming")).toBool()};
    if (plan.id.isEmpty() || plan.spec.isEmpty() || plan.runDirectory.isEmpty()) {
        *error = QStringLiteral("the rendezvous holds no run plan jikken can read (is node 0 another version?)");
        return std::nullopt;
    }
    return plan;
}

int launchRanks(NodeLaunch launch, const std::optional<RankPlan>& plan,
                const std::function<void(const QString& why)>& rankZeroLost)
{
    QString error;
    // One node meets through a file only its user can reach; several through node 0's TCP store.
    QTemporaryDir folder;
    const QString where = launch.master.isEmpty()
                              ? QStringLiteral("file:") + folder.filePath(QStringLiteral("rendezvous"))
                              : QStringLiteral("tcp:") + launch.master;
    if (launch.master.isEmpty() && !folder.isValid())
        return console::fail(QStringLiteral("cannot make a folder for the rendezvous: %1").arg(folder.errorString()));
    const std::unique_ptr<Rendezvous> rendezvous = Rendezvous::open(where, launch.nodeRank == 0, &error);
    if (!rendezvous)
        return console::fail(error);
    if (plan) {
        rendezvous->set(rendezvous_keys::plan(), plan->toJson());
    } else {
        const auto json = rendezvous->get(rendezvous_keys::plan(), kPlanWait, &error);
        if (!json)
            return console::fail(error + QStringLiteral(" (is node 0 started with the same --master?)"));
        const auto nodeZeros = RankPlan::fromJson(*json, &error);
        if (!nodeZeros)
            return console::fail(error);
        launch.nproc = nodeZeros->spec.value(QStringLiteral("nproc")).toInt(1);
        const int nodes = nodeZeros->spec.value(QStringLiteral("nnodes")).toInt(1);
        if (launch.nodeRank >= nodes)
            return console::fail(QStringLiteral("--node-rank %1, but the run is on %2 nodes (0 to %3)")
                                     .arg(launch.nodeRank)
                                     .arg(nodes)
                                     .arg(nodes - 1),
                                 console::kUsage);
        if (!launch.gpus.isEmpty() && launch.gpus.size() != launch.nproc)
            return console::fail(QStringLiteral("--gpus names %1 GPUs, but the run has %2 processes a node")
                                     .arg(launch.gpus.size())
                                     .arg(launch.nproc),
                                 console::kUsage);
    }
    rendezvous->set(rendezvous_keys::node(launch.nodeRank), nodeDescription(launch));
    return NodeRanks(launch, *rendezvous, rankZeroLost).run();
}

} // namespace jikken
