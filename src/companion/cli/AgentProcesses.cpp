// An agent's runs as its own child processes (AgentLaunchers.h).
#include "AgentLaunchers.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QProcess>
#include <QThread>

#include <csignal>
#include <vector>

#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#endif

namespace jikken {

QString gpuList(const QList<int>& gpus)
{
    QStringList names;
    for (int gpu : gpus)
        names << QString::number(gpu);
    return names.join(u',');
}

namespace {

class ProcessLauncher : public RunLauncher
{
public:
    explicit ProcessLauncher(bool gpusKnown) : m_gpusKnown(gpusKnown) {}

    QString start(const QueuedRun& run, const QStringList& arguments, const QString& folder,
                  const QList<int>& gpus) override
    {
        auto process = std::make_unique<QProcess>();
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        if (m_gpusKnown) // only its own GPUs (none: the CPU), as cuda:0, cuda:1, … inside
            environment.insert(QStringLiteral("CUDA_VISIBLE_DEVICES"), gpuList(gpus));
        process->setProcessEnvironment(environment);
#ifdef Q_OS_LINUX
        // The run goes with its agent (a kill -9 included): the next agent on this host queues it again, and
        // two live attempts of one ID never train side by side.
        process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
#endif
        const QString log = QDir(folder).filePath(QStringLiteral("agent.log"));
        process->setStandardOutputFile(log, QIODevice::Append);
        process->setStandardErrorFile(log, QIODevice::Append);
        process->start(QCoreApplication::applicationFilePath(), arguments);
        if (!process->waitForStarted(30000))
            return QStringLiteral("could not start jikken train: %1").arg(process->errorString());
        m_children.push_back({std::move(process), run.id.toString(), gpus});
        return {};
    }

    QVector<EndedRun> reap() override
    {
        QVector<EndedRun> ended;
        for (auto child = m_children.begin(); child != m_children.end();) {
            if (child->process->state() != QProcess::NotRunning) {
                ++child;
                continue;
            }
            const bool crashed = child->process->exitStatus() != QProcess::NormalExit;
            const int code = child->process->exitCode();
            ended.append({child->id, crashed     ? QStringLiteral("ended: jikken train crashed")
                                     : code != 0 ? QStringLiteral("ended: jikken train exited %1").arg(code)
                                                 : QString()});
            child = m_children.erase(child);
        }
        return ended;
    }

    QStringList running() const override
    {
        QStringList ids;
        for (const Child& child : m_children)
            ids << child.id;
        return ids;
    }

    QList<int> gpusHeld() const override
    {
        QList<int> held;
        for (const Child& child : m_children)
            held << child.gpus;
        return held;
    }

    void wait(int ms) override
    {
        QElapsedTimer waited;
        waited.start();
        while (waited.elapsed() < ms) {
            for (const Child& child : m_children) {
                if (child.process->state() == QProcess::NotRunning)
                    return;
            }
            QThread::msleep(50);
            QCoreApplication::processEvents(); // QProcess learns of an ended child through the event loop
        }
    }

    /// Children die with their agent: none is alive for the next.
    QStringList adopt(const QVector<QueuedRun>&) override
    {
        return {};
    }

    QString where(const QString& id) const override
    {
        for (const Child& child : m_children) {
            if (child.id == id && !child.gpus.isEmpty())
                return QStringLiteral("GPU ") + gpuList(child.gpus);
        }
        return {};
    }

private:
    struct Child
    {
        std::unique_ptr<QProcess> process;
        QString id;
        QList<int> gpus;
    };

    bool m_gpusKnown;
    std::vector<Child> m_children;
};

} // namespace

std::unique_ptr<RunLauncher> makeProcessLauncher(bool gpusKnown)
{
    return std::make_unique<ProcessLauncher>(gpusKnown);
}

} // namespace jikken
