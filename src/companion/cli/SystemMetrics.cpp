#include "SystemMetrics.h"

#include <QFile>

#include <dlfcn.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <optional>

namespace jikken {

namespace {

double cpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

/// Resident memory now, in MB (Linux's /proc/self/statm); none elsewhere.
std::optional<double> residentMb()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    bool ok = false;
    const double pages = fields.size() > 1 ? fields[1].toDouble(&ok) : 0;
    return ok ? std::optional<double>(pages * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1e6) : std::nullopt;
}

/// The physical GPU behind CUDA's device `index`: CUDA_VISIBLE_DEVICES renumbers them (NVML does not).
int physicalGpu(int index)
{
    const QStringList visible = qEnvironmentVariable("CUDA_VISIBLE_DEVICES").split(u',', Qt::SkipEmptyParts);
    if (index < visible.size()) {
        bool ok = false;
        const int physical = visible[index].trimmed().toInt(&ok);
        if (ok)
            return physical;
    }
    return index;
}

} // namespace

/// NVML's few calls this needs, by their C signatures (nvml.h is not needed to build).
struct SystemMetrics::Gpu
{
    struct Utilization
    {
        unsigned int gpu;
        unsigned int memory;
    };
    struct Memory
    {
        unsigned long long total;
        unsigned long long free;
        unsigned long long used;
    };
    using Init = int (*)();
    using Shutdown = int (*)();
    using HandleByIndex = int (*)(unsigned int, void**);
    using UtilizationRates = int (*)(void*, Utilization*);
    using MemoryInfo = int (*)(void*, Memory*);

    void* library = nullptr;
    Shutdown shutdown = nullptr;
    UtilizationRates utilization = nullptr;
    MemoryInfo memory = nullptr;
    void* device = nullptr;

    static std::unique_ptr<Gpu> open(int physicalIndex)
    {
        auto gpu = std::make_unique<Gpu>();
        gpu->library = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
        if (!gpu->library)
            return nullptr;
        const auto init = reinterpret_cast<Init>(dlsym(gpu->library, "nvmlInit_v2"));
        const auto handle = reinterpret_cast<HandleByIndex>(dlsym(gpu->library, "nvmlDeviceGetHandleByIndex_v2"));
        gpu->shutdown = reinterpret_cast<Shutdown>(dlsym(gpu->library, "nvmlShutdown"));
        gpu->utilization = reinterpret_cast<UtilizationRates>(dlsym(gpu->library, "nvmlDeviceGetUtilizationRates"));
        gpu->memory = reinterpret_cast<MemoryInfo>(dlsym(gpu->library, "nvmlDeviceGetMemoryInfo"));
        if (!init || !handle || !gpu->shutdown || !gpu->utilization || !gpu->memory || init() != 0)
            return nullptr; // the destructor closes the library
        if (handle(static_cast<unsigned int>(physicalIndex), &gpu->device) != 0) {
            gpu->shutdown();
            gpu->shutdown = nullptr;
            return nullptr;
        }
        return gpu;
    }

    ~Gpu()
    {
        if (shutdown)
            shutdown();
        if (library)
            dlclose(library);
    }
};

SystemMetrics::SystemMetrics(const QString& device) : m_cpuSeconds(cpuSeconds())
{
    m_sinceSample.start();
    if (device.startsWith(QLatin1String("cuda")))
        m_gpu = Gpu::open(physicalGpu(device.section(u':', 1).toInt()));
}

SystemMetrics::~SystemMetrics() = default;

QVector<SystemMetrics::Sample> SystemMetrics::sample()
{
    QVector<Sample> samples;
    const double cpu = cpuSeconds();
    const double wall = m_sinceSample.restart() / 1000.0;
    if (wall > 0)
        samples.append({"system/cpu_percent", 100.0 * (cpu - m_cpuSeconds) / wall});
    m_cpuSeconds = cpu;
    if (const auto rss = residentMb())
        samples.append({"system/rss_mb", *rss});
    if (m_gpu) {
        Gpu::Utilization utilization{};
        if (m_gpu->utilization(m_gpu->device, &utilization) == 0)
            samples.append({"system/gpu_utilization", static_cast<double>(utilization.gpu)});
        Gpu::Memory memory{};
        if (m_gpu->memory(m_gpu->device, &memory) == 0) {
            const double used = static_cast<double>(memory.used) / 1e6;
            m_peakGpuMemoryMb = std::max(m_peakGpuMemoryMb, used);
            samples.append({"system/gpu_memory_used_mb", used});
            samples.append({"system/gpu_memory_peak_mb", m_peakGpuMemoryMb});
        }
    }
    return samples;
}

} // namespace jikken
