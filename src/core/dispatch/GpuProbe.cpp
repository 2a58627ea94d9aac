#include "GpuProbe.h"

#include "RemoteShell.h"
#include "spec/Device.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QProcess>
#include <QTimer>

#include <memory>

namespace jikken::GpuProbe {

namespace {
const QByteArray kNoNvidiaSmi = QByteArrayLiteral("JIKKEN_NO_NVIDIA_SMI");
}

QString physicalDevice(const QString& device)
{
    const QStringList visible = qEnvironmentVariable("CUDA_VISIBLE_DEVICES").split(u',', Qt::SkipEmptyParts);
    const auto parsed = Device::parse(device);
    const int logical = parsed && parsed->index ? *parsed->index : -1;
    if (logical < 0 || logical >= visible.size())
        return device;
    bool numeric = false;
    const int physical = visible[logical].trimmed().toInt(&numeric);
    return numeric ? QStringLiteral("cuda:%1").arg(physical) : device; // GPU UUIDs stay as the process saw them
}

QString script(const HostSettings& host)
{
    return host.quietSetup() +
           QStringLiteral("command -v nvidia-smi >/dev/null 2>&1 || { echo %1; exit 0; }\n"
                          "exec nvidia-smi --query-gpu=index,name,memory.used,memory.total,utilization.gpu "
                          "--format=csv,noheader,nounits\n")
               .arg(QString::fromLatin1(kNoNvidiaSmi));
}

std::optional<QVector<GpuStatus>> parse(const QByteArray& csv, QString* error)
{
    QVector<GpuStatus> gpus;
    int lineNumber = 0;
    for (const QByteArray& raw : csv.split('\n')) {
        ++lineNumber;
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line.isEmpty())
            continue;
        const QStringList fields = line.split(u',');
        bool indexOk = false, usedOk = false, totalOk = false, utilizationOk = false;
        GpuStatus gpu;
        if (fields.size() == 5) {
            gpu.index = fields[0].trimmed().toInt(&indexOk);
            gpu.name = fields[1].trimmed();
            gpu.memoryUsedMiB = fields[2].trimmed().toInt(&usedOk);
            gpu.memoryTotalMiB = fields[3].trimmed().toInt(&totalOk);
            const int utilization = fields[4].trimmed().toInt(&utilizationOk);
            if (utilizationOk)
                gpu.utilization = utilization;
        }
        if (!indexOk || !usedOk || !totalOk) {
            if (error)
                *error = QStringLiteral("nvidia-smi line %1 is not index, name, memory used, memory total, "
                                        "utilization: \"%2\"")
                             .arg(lineNumber)
                             .arg(line.left(120));
            return std::nullopt;
        }
        gpus << gpu;
    }
    return gpus;
}

QVector<HostGpus> probe(const QVector<HostSettings>& hosts, int timeoutMs)
{
    QVector<HostGpus> results(hosts.size());
    std::vector<std::unique_ptr<QProcess>> processes;
    QEventLoop loop;
    int running = 0;
    for (int i = 0; i < hosts.size(); ++i) {
        auto process = std::make_unique<QProcess>();
        QObject::connect(process.get(), &QProcess::finished, &loop, [&] {
            if (--running == 0)
                loop.quit();
        });
        QObject::connect(process.get(), &QProcess::errorOccurred, &loop, [&](QProcess::ProcessError e) {
            if (e == QProcess::FailedToStart && --running == 0)
                loop.quit();
        });
        ++running;
        RemoteShell(hosts[i].alias).start(*process, script(hosts[i]));
        processes.push_back(std::move(process));
    }
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    if (running > 0)
        loop.exec(QEventLoop::ExcludeUserInputEvents);
    for (int i = 0; i < hosts.size(); ++i) {
        QProcess& process = *processes[i];
        HostGpus& host = results[i];
        host.host = hosts[i].alias;
        const RemoteResult result = RemoteShell(host.host).collect(process, process.state() == QProcess::NotRunning);
        if (!result.ok()) {
            host.problem = result.failure();
            continue;
        }
        if (result.out.trimmed() == kNoNvidiaSmi) {
            host.cpuOnly = true;
            continue;
        }
        QString error;
        const auto gpus = parse(result.out, &error);
        if (gpus)
            host.gpus = *gpus;
        else
            host.problem = QStringLiteral("%1: %2").arg(host.host, error);
    }
    return results;
}

} // namespace jikken::GpuProbe
