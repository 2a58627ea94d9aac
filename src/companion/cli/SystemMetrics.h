#pragma once

#include <QString>
#include <QVector>

#include <QElapsedTimer>

#include <memory>

namespace jikken {

/// What the machine does while a run trains, for the run's scalars (and so the registry and every chart):
/// this process's CPU use (`system/cpu_percent`, 100 = one core busy) and resident memory
/// (`system/rss_mb`), and where the NVIDIA driver's NVML library is there, its GPU's utilization
/// (`system/gpu_utilization`, percent), memory in use (`system/gpu_memory_used_mb`) and the most it used
/// so far (`system/gpu_memory_peak_mb`). NVML is opened at run time (`libnvidia-ml.so.1`), so the companion
/// needs no CUDA to build or run: without it there are simply no GPU tags, never a failure.
///
/// For a script of the user's own (`jikken run`), the process is the script's whole tree (Linux's /proc): a
/// Python script's data-loader workers and the programs it starts count as its own; its GPU memory is then
/// what NVML lists for those processes.
class SystemMetrics
{
public:
    /// `device`: the run's ("cpu", "cuda", "cuda:N"); its GPU is watched, found through
    /// CUDA_VISIBLE_DEVICES as CUDA numbers it. `rootPid`: the process whose tree is measured (0: this one).
    explicit SystemMetrics(const QString& device, qint64 rootPid = 0);
    ~SystemMetrics();

    struct Sample
    {
        const char* tag;
        double value;
    };
    /// The metrics now; CPU use is over the time since the previous call (or since construction).
    QVector<Sample> sample();
    /// How often a run samples them: $JIKKEN_SYSTEM_SAMPLE_SECONDS, else every 5 s.
    static qint64 sampleIntervalMs();

private:
    struct Gpu;
    /// CPU seconds and resident MB of what is measured, and the processes it is.
    struct Usage;
    Usage usage() const;
    std::unique_ptr<Gpu> m_gpu;
    qint64 m_rootPid = 0;
    double m_cpuSeconds = 0;
    QElapsedTimer m_sinceSample;
    double m_peakGpuMemoryMb = 0;
};

} // namespace jikken
