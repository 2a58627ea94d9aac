#pragma once

#include "HostCatalog.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

namespace jikken {

/// One GPU as `nvidia-smi --query-gpu=index,name,memory.used,memory.total,utilization.gpu
/// --format=csv,noheader,nounits` prints it.
struct GpuStatus
{
    int index = 0;
    QString name;
    int memoryUsedMiB = 0;
    int memoryTotalMiB = 0;
    std::optional<int> utilization; ///< "[N/A]" on some boards

    /// Something runs on it already: more than 5% of its memory is taken.
    bool inUse() const { return memoryTotalMiB > 0 && memoryUsedMiB > 0.05 * memoryTotalMiB; }
};

/// What probing one host found.
struct HostGpus
{
    QString host;
    QString problem;      ///< empty when the host answered; else the SSH (or other) error
    bool cpuOnly = false; ///< the host has no nvidia-smi
    QVector<GpuStatus> gpus;
};

namespace GpuProbe {

/// The physical GPU behind a device a process chose ("cuda:0" with CUDA_VISIBLE_DEVICES=3 is "cuda:3"),
/// so the registry names the GPU as nvidia-smi does. Other devices, or no such variable, pass unchanged.
QString physicalDevice(const QString& device);

/// The script run on a host: its setup lines (module load puts nvidia-smi on the PATH on some clusters;
/// their output is dropped), then nvidia-smi's CSV, or a line saying there is none.
QString script(const HostSettings& host);
std::optional<QVector<GpuStatus>> parse(const QByteArray& csv, QString* error);
/// Probes every host at once (one ssh each), waiting at most `timeoutMs` for the slowest.
QVector<HostGpus> probe(const QVector<HostSettings>& hosts, int timeoutMs);

} // namespace GpuProbe

} // namespace jikken
