#pragma once

#include <QFutureWatcher>
#include <QWidget>

#include "dispatch/GpuProbe.h"

class QLabel;
class QMenu;
class QPushButton;
class QTableView;

namespace jikken {

class HostGpuModel;
struct RunRecord;

/// The hosts' GPUs, as `jikken hosts` shows them: every host of ~/.ssh/config and hosts.json probed at
/// once on a background thread (the window never waits for SSH), free GPUs highlighted, an unreachable
/// host with its SSH error.
class HostsPanel : public QWidget
{
    Q_OBJECT

public:
    explicit HostsPanel(QWidget* parent = nullptr);

    /// Probes every host again (unless a probe is under way).
    void refresh();
    void setRuns(const QVector<RunRecord>& runs);
    HostGpuModel* model() const { return m_model; }
    bool isProbing() const { return m_probe.isRunning(); }
    QTableView* table() const { return m_table; }
    /// The menu a host's row offers: start or stop its agent (jikken agent, in tmux).
    QMenu* hostMenu(const QString& host);

Q_SIGNALS:
    /// Start (or stop) the agent that takes queued runs on `host`.
    void agentRequested(const QString& host, bool start);

private:
    HostGpuModel* m_model;
    QTableView* m_table;
    QLabel* m_status;
    QPushButton* m_refresh;
    QFutureWatcher<QVector<HostGpus>> m_probe;
};

} // namespace jikken
