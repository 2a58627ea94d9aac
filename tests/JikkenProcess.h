#pragma once

// Runs the real `jikken` binary for the command-line tests, with its own registry and working folder.

#include <QProcess>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace jikken::testing {

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
        return env;
    }

    void start(QProcess& process, const QStringList& arguments) const
    {
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
    QString m_home;
    QString m_workingDirectory;
};

} // namespace jikken::testing
