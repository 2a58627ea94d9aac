#pragma once

// Runs the real `jikken` binary for the command-line tests, with its own registry and working folder.

#include <QMap>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <csignal>
#include <sys/resource.h>

namespace jikken::testing {

/// Training flags for the tests: a few thousand Fashion-MNIST images and LeNet, seconds per epoch on two cores.
inline const QStringList kSmallRun{
    QStringLiteral("--model"),      QStringLiteral("lenet"), QStringLiteral("--train-limit"), QStringLiteral("3000"),
    QStringLiteral("--test-limit"), QStringLiteral("1000"),  QStringLiteral("--threads"),     QStringLiteral("2")};

struct Result
{
    int exitCode = -1;
    QString out;
    QString err;
    bool crashed = false;
};

class JikkenProcess
{
public:
    explicit JikkenProcess(QString home, QString workingDirectory)
        : m_home(std::move(home)), m_workingDirectory(std::move(workingDirectory))
    {
    }

    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("JIKKEN_HOME"), m_home);
        // The tests choose the registry; the environment running them does not.
        env.remove(QStringLiteral("JIKKEN_REGISTRY"));
        env.remove(QStringLiteral("JIKKEN_TOKEN"));
        for (auto it = m_extra.constBegin(); it != m_extra.constEnd(); ++it)
            env.insert(it.key(), it.value());
        return env;
    }

    void setEnvironment(const QString& name, const QString& value) { m_extra.insert(name, value); }
    /// No file the process writes may grow past `bytes` (RLIMIT_FSIZE, with SIGXFSZ ignored, so a write past
    /// it fails as on a full disk, with EFBIG).
    void setFileSizeLimit(qint64 bytes) { m_fileSizeLimit = bytes; }

    void start(QProcess& process, const QStringList& arguments) const
    {
        if (m_fileSizeLimit > 0) {
            const rlim_t limit = static_cast<rlim_t>(m_fileSizeLimit);
            process.setChildProcessModifier([limit] {
                const rlimit bound{limit, limit};
                ::setrlimit(RLIMIT_FSIZE, &bound);
                // As `prlimit --fsize` or `ulimit -f` leave it: the signal kills unless jikken handles it.
                ::signal(SIGXFSZ, SIG_DFL);
            });
        }
        process.setProcessEnvironment(environment());
        process.setWorkingDirectory(m_workingDirectory);
        process.start(QStringLiteral(JIKKEN_BINARY), arguments);
    }

    Result run(const QStringList& arguments, int timeoutMs = 300000) const
    {
        QProcess process;
        start(process, arguments);
        Result result;
        if (!process.waitForFinished(timeoutMs)) {
            process.kill();
            process.waitForFinished();
        }
        result.crashed = process.exitStatus() != QProcess::NormalExit;
        result.exitCode = process.exitCode();
        result.out = QString::fromUtf8(process.readAllStandardOutput());
        result.err = QString::fromUtf8(process.readAllStandardError());
        return result;
    }

private:
    QMap<QString, QString> m_extra;
    qint64 m_fileSizeLimit = 0;
    QString m_home;
    QString m_workingDirectory;
};

} // namespace jikken::testing
