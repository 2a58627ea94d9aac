#pragma once

#include "dispatch/GpuProbe.h"
#include "registry/RunRecord.h"

#include <QAbstractTableModel>
#include <QHash>

namespace jikken {

/// The GPU view: one row per GPU of each host probed (a CPU host or an unreachable one is one row that
/// says so), with the Jikken run that holds it; free GPUs are marked for the eye.
class HostGpuModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Host, Gpu, Name, Memory, Utilization, Run, ColumnCount };
    enum Role { FreeRole = Qt::UserRole + 1 };

    using QAbstractTableModel::QAbstractTableModel;

    void setProbes(const QVector<HostGpus>& probes);
    /// The runs now running: which GPU (host and cuda:N) each holds.
    void setRuns(const QVector<RunRecord>& runs);

    /// How many of `host`'s GPUs are free (nothing of Jikken's or anyone's on them); none when it was not
    /// probed or did not answer.
    std::optional<int> freeGpus(const QString& host) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        QString host;
        QString problem;
        bool cpuOnly = false;
        std::optional<GpuStatus> gpu;
    };
    QString runOn(const Row& row) const;

    QVector<Row> m_rows;
    QHash<QString, QString> m_runByGpu; ///< "host/cuda:N" -> run ID
};

} // namespace jikken
