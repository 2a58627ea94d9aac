#include "HostGpuModel.h"

#include "spec/Device.h"

#include <QColor>

namespace jikken {

void HostGpuModel::setProbes(const QVector<HostGpus>& probes)
{
    beginResetModel();
    m_rows.clear();
    for (const HostGpus& host : probes) {
        if (!host.problem.isEmpty() || host.cpuOnly || host.gpus.isEmpty()) {
            m_rows.append({host.host, host.problem, host.cpuOnly, std::nullopt});
            continue;
        }
        for (const GpuStatus& gpu : host.gpus)
            m_rows.append({host.host, {}, false, gpu});
    }
    endResetModel();
}

void HostGpuModel::setRuns(const QVector<RunRecord>& runs)
{
    m_runByGpu.clear();
    for (const RunRecord& run : runs) {
        if (run.status != RunStatus::Running)
            continue;
        for (const int gpu : Device::cudaIndicesIn(run.device)) // a data-parallel run holds each of its GPUs
            m_runByGpu.insert(run.host + QStringLiteral("/cuda:") + QString::number(gpu), run.id);
    }
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

QString HostGpuModel::runOn(const Row& row) const
{
    return row.gpu ? m_runByGpu.value(row.host + QStringLiteral("/cuda:") + QString::number(row.gpu->index))
                   : QString();
}

std::optional<int> HostGpuModel::freeGpus(const QString& host) const
{
    std::optional<int> free;
    for (const Row& row : m_rows) {
        if (row.host != host || !row.problem.isEmpty())
            continue;
        free = free.value_or(0) + (row.gpu && runOn(row).isEmpty() && !row.gpu->inUse() ? 1 : 0);
    }
    return free;
}

int HostGpuModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int HostGpuModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HostGpuModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row& row = m_rows[index.row()];
    const bool free = row.gpu && runOn(row).isEmpty() && !row.gpu->inUse();
    if (role == FreeRole)
        return free;
    if (role == Qt::BackgroundRole && free)
        return QColor(0x59, 0xa1, 0x4f, 70); // free GPUs stand out, in light and dark mode alike
    if (role == Qt::ForegroundRole && !row.problem.isEmpty() && index.column() == Name)
        return QColor(0xd6, 0x45, 0x45);
    if (role == Qt::ToolTipRole && !row.problem.isEmpty())
        return row.problem;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Host:
        return row.host;
    case Gpu:
        return row.gpu ? QVariant(row.gpu->index) : QVariant();
    case Name:
        if (!row.problem.isEmpty())
            return row.problem;
        if (!row.gpu)
            return tr("CPU host (no nvidia-smi)");
        return row.gpu->name;
    case Memory:
        return row.gpu ? QVariant(tr("%1 / %2 MiB").arg(row.gpu->memoryUsedMiB).arg(row.gpu->memoryTotalMiB))
                       : QVariant();
    case Utilization:
        return row.gpu && row.gpu->utilization ? QVariant(QStringLiteral("%1%").arg(*row.gpu->utilization))
                                               : QVariant();
    case Run:
        if (!row.gpu)
            return {};
        return free ? tr("free") : runOn(row).isEmpty() ? tr("in use (not Jikken)") : runOn(row);
    }
    return {};
}

QVariant HostGpuModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    static const char* names[] = {"Host", "GPU", "Name", "Memory", "Util", "Run"};
    return section >= 0 && section < ColumnCount ? tr(names[section]) : QVariant();
}

} // namespace jikken
