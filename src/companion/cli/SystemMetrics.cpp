#include "SystemMetrics.h"

#include "spec/Device.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QSet>

#include <dlfcn.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <vector>

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

/// One process as /proc/PID/stat tells: its parent, CPU seconds (with those of the children it waited for,
/// so that a finished worker's time is not lost) and resident pages.
struct ProcessStat
{
    qint64 parent = 0;
    double cpuSeconds = 0;
    double residentPages = 0;
};

std::optional<ProcessStat> processStat(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray text = file.readAll();
    // The command name (field 2) is in parentheses and may hold spaces or parentheses: fields follow its last ')'.
    const qsizetype close = text.lastIndexOf(')');
    if (close < 0)
        return std::nullopt;
    const QList<QByteArray> fields = text.mid(close + 2).split(' '); // fields[0] is field 3, the state
    if (fields.size() < 22)
        return std::nullopt;
    const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
    ProcessStat stat;
    stat.parent = fields[1].toLongLong();
    for (int field : {14, 15, 16, 17}) // utime, stime, cutime, cstime
        stat.cpuSeconds += fields[field - 3].toDouble() / tick;
    stat.residentPages = fields[24 - 3].toDouble();
    return stat;
}

/// The process `root` and every descendant it has now, with their stats.
QHash<qint64, ProcessStat> processTree(qint64 root)
{
    QHash<qint64, ProcessStat> all;
    for (const QString& name : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool ok = false;
        const qint64 pid = name.toLongLong(&ok);
        if (ok)
            if (const auto stat = processStat(pid))
                all.insert(pid, *stat);
    }
    QHash<qint64, ProcessStat> tree;
    if (!all.contains(root))
        return tree;
    tree.insert(root, all[root]);
    // Each pass adds the children of what is in: as deep as the tree, a few passes.
    for (bool grew = true; grew;) {
        grew = false;
        for (auto it = all.cbegin(); it != all.cend(); ++it) {
            if (!tree.contains(it.key()) && tree.contains(it->parent)) {
                tree.insert(it.key(), *it);
                grew = true;
            }
        }
    }
    return tree;
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
    struct ProcessInfo // nvmlProcessInfo_t of the _v3 calls
    {
        unsigned int pid;
        unsigned long long usedGpuMemory;
        unsigned int gpuInstanceId;
        unsigned int computeInstanceId;
    };
    using RunningProcesses = int (*)(void*, unsigned int*, ProcessInfo*);

    void* library = nullptr;
    Shutdown shutdown = nullptr;
    UtilizationRates utilization = nullptr;
    MemoryInfo memory = nullptr;
    RunningProcesses computeProcesses = nullptr; ///< absent from old drivers: then the device's memory
    void* device = nullptr;

    /// GPU memory of the processes among `pids`, in bytes; none when NVML cannot say.
    std::optional<double> memoryOf(const QSet<qint64>& pids) const
    {
        if (!computeProcesses)
            return std::nullopt;
        std::vector<ProcessInfo> infos(64);
        auto count = static_cast<unsigned int>(infos.size());
        if (computeProcesses(device, &count, infos.data()) != 0)
            return std::nullopt;
        double used = 0;
        for (unsigned int i = 0; i < count && i < infos.size(); ++i)
            if (pids.contains(infos[i].pid))
                used += static_cast<double>(infos[i].usedGpuMemory);
        return used;
    }

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
        gpu->computeProcesses =
            reinterpret_cast<RunningProcesses>(dlsym(gpu->library, "nvmlDeviceGetComputeRunningProcesses_v3"));
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

struct SystemMetrics::Usage
{
    double cpuSeconds = 0;
    std::optional<double> residentMb;
    QSet<qint64> pids; ///< the measured tree's processes (empty for this process)
};

SystemMetrics::Usage SystemMetrics::usage() const
{
    Usage usage;
    if (m_rootPid == 0) {
        usage.cpuSeconds = cpuSeconds();
        usage.residentMb = residentMb();
        return usage;
    }
    double pages = 0;
    const QHash<qint64, ProcessStat> tree = processTree(m_rootPid);
    for (auto it = tree.cbegin(); it != tree.cend(); ++it) {
        usage.cpuSeconds += it->cpuSeconds;
        pages += it->residentPages;
        usage.pids.insert(it.key());
    }
    if (!tree.isEmpty())
        usage.residentMb = pages * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1e6;
    return usage;
}

SystemMetrics::SystemMetrics(const QString& device, qint64 rootPid) : m_rootPid(rootPid)
{
    m_cpuSeconds = usage().cpuSeconds;
    m_sinceSample.start();
    if (const auto parsed = Device::parse(device); parsed && parsed->isCuda())
        m_gpu = Gpu::open(physicalGpu(parsed->cudaIndex()));
}

SystemMetrics::~SystemMetrics() = default;

qint64 SystemMetrics::sampleIntervalMs()
{
    bool ok = false;
    const double seconds = qEnvironmentVariable("JIKKEN_SYSTEM_SAMPLE_SECONDS").toDouble(&ok);
    return ok && seconds >= 0 ? static_cast<qint64>(seconds * 1000) : 5000;
}

QVector<SystemMetrics::Sample> SystemMetrics::sample()
{
    QVector<Sample> samples;
    const Usage now = usage();
    const double wall = m_sinceSample.restart() / 1000.0;
    // A tree's worker that ends without its parent waiting for it takes its seconds along: never below 0.
    if (wall > 0)
        samples.append({"system/cpu_percent", std::max(0.0, 100.0 * (now.cpuSeconds - m_cpuSeconds) / wall)});
    m_cpuSeconds = now.cpuSeconds;
    if (now.residentMb)
        samples.append({"system/rss_mb", *now.residentMb});
    if (m_gpu) {
        Gpu::Utilization utilization{};
        if (m_gpu->utilization(m_gpu->device, &utilization) == 0)
            samples.append({"system/gpu_utilization", static_cast<double>(utilization.gpu)});
        std::optional<double> used = m_rootPid != 0 ? m_gpu->memoryOf(now.pids) : std::nullopt;
        Gpu::Memory memory{};
        if (!used && m_gpu->memory(m_gpu->device, &memory) == 0)
            used = static_cast<double>(memory.used);
        if (used) {
            m_peakGpuMemoryMb = std::max(m_peakGpuMemoryMb, *used / 1e6);
            samples.append({"system/gpu_memory_used_mb", *used / 1e6});
            samples.append({"system/gpu_memory_peak_mb", m_peakGpuMemoryMb});
        }
    }
    return samples;
}

} // namespace jikken
