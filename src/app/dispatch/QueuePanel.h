#pragma once

#include "registry/QueueClient.h"

#include <QWidget>

class QLabel;
class QTableWidget;

namespace jikken {

class HostGpuModel;
class RegistryReader;

/// View › Queue: the runs that wait for an agent and those agents took, in the order they are taken —
/// where each runs, or why it waits ("needs 2 GPUs; gpu1 has 1 free", from the Hosts panel's probe) — with
/// Cancel, Retry, and a waiting run dragged to its place (or moved by Higher / Lower), which sets priorities.
/// Everything it asks goes through the reader: the window never waits for the registry.
class QueuePanel : public QWidget
{
    Q_OBJECT

public:
    QueuePanel(RegistryReader* reader, const HostGpuModel* hosts, QWidget* parent = nullptr);

    /// Reads the queue again.
    void refresh();
    QTableWidget* table() const { return m_table; }
    const QVector<QueuedRun>& runs() const { return m_runs; }
    /// The selected run: taken out of the queue, queued again, or moved up (`delta` > 0) or down a row.
    void cancelSelected();
    void retrySelected();
    void moveSelected(int delta);
    /// Puts the waiting run of row `from` at row `to` (what a drag does), by priorities (`prioritiesFor`);
    /// runs agents took keep their rows.
    void moveRow(int from, int to);
    /// Why a waiting run waits, as the Hosts panel knows the hosts.
    QString whyWaiting(const QueuedRun& run) const;

Q_SIGNALS:
    void changed(); ///< the panel changed the registry: the table reads it again
    void failed(const QString& problem);

private:
    void show(const QVector<QueuedRun>& runs);
    /// Runs `change(queue, id, &error)` on the selected run through the reader, then reads the queue again.
    void changeSelected(const QString& what,
                        std::function<bool(QueueClient& queue, const QueuedRun& run, QString* error)> change);

    RegistryReader* m_reader;
    const HostGpuModel* m_hosts;
    QTableWidget* m_table;
    QLabel* m_summary;
    QVector<QueuedRun> m_runs;
    QString m_selectAfterRead; ///< a run just moved: chosen where the queue read next puts it
};

} // namespace jikken
