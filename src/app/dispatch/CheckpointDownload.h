#pragma once

#include "registry/RunRecord.h"

#include <QObject>
#include <QPointer>
#include <QProgressDialog>

#include <atomic>
#include <memory>

class QWidget;

namespace jikken {

/// Run › Download Checkpoint…: a run's best checkpoint (its newest kept one when it keeps no best) fetched
/// to a file the user picks, as `jikken pull` fetches it (CheckpointFetch: from its host over ssh, checked
/// by sha256), on a thread of its own behind a progress dialog whose Cancel stops it — what came stays in
/// FILE.part, and the next download of it goes on from there. The window never waits for it.
class CheckpointDownload : public QObject
{
    Q_OBJECT

public:
    explicit CheckpointDownload(QWidget* window);
    ~CheckpointDownload() override;

    /// Asks where to put `run`'s checkpoint, then fetches it; says so when the run keeps none.
    void ask(const RunRecord& run);
    /// Fetches `checkpoint` to `destination`; `finished` says how it went.
    void fetch(const CheckpointRecord& checkpoint, const QString& destination);
    bool isBusy() const { return m_busy; }
    /// The dialog of the download under way; null when none is.
    QProgressDialog* progress() const { return m_progress; }

Q_SIGNALS:
    /// One line: where the file is, or why it is not.
    void finished(bool ok, const QString& message);

private:
    QWidget* m_window;
    QPointer<QProgressDialog> m_progress;
    std::shared_ptr<std::atomic<bool>> m_stop; ///< shared with the fetch's thread, which may outlive this
    bool m_busy = false;
};

} // namespace jikken
