#include "CheckpointDownload.h"

#include "dispatch/CheckpointFetch.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QPointer>
#include <QProgressDialog>
#include <QStandardPaths>
#include <QThread>

namespace jikken {

CheckpointDownload::CheckpointDownload(QWidget* window)
    : QObject(window), m_window(window), m_stop(std::make_shared<std::atomic<bool>>(false))
{
}

CheckpointDownload::~CheckpointDownload()
{
    m_stop->store(true); // a fetch still under way stops at its next bytes, and tells no one
}

void CheckpointDownload::ask(const RunRecord& run)
{
    const CheckpointRecord* chosen = Checkpoints::best(run.checkpoints);
    if (!chosen)
        chosen = Checkpoints::last(run.checkpoints);
    if (!chosen) {
        QMessageBox::information(
            m_window, tr("Download Checkpoint"),
            tr("%1 keeps no checkpoint (a script's run, or one from before Jikken kept them).").arg(run.id));
        return;
    }
    const QString suggested = QDir(QStandardPaths::writableLocation(QStandardPaths::DownloadLocation))
                                  .filePath(run.id + u'-' + QFileInfo(chosen->path).fileName());
    const QString destination =
        QFileDialog::getSaveFileName(m_window, tr("Download the %1 checkpoint of %2").arg(chosen->kind, run.id),
                                     suggested, tr("PyTorch files (*.pt)"));
    if (!destination.isEmpty())
        fetch(*chosen, destination);
}

void CheckpointDownload::fetch(const CheckpointRecord& checkpoint, const QString& destination)
{
    if (m_busy) {
        Q_EMIT finished(false, tr("A download is under way; wait for it or cancel it"));
        return;
    }
    m_busy = true;
    m_stop = std::make_shared<std::atomic<bool>>(false);
    // A dialog for each download (one kept would show itself on a timer of its own).
    m_progress = new QProgressDialog(m_window);
    m_progress->setAttribute(Qt::WA_DeleteOnClose);
    m_progress->setWindowTitle(tr("Download Checkpoint"));
    m_progress->setAutoClose(false);
    m_progress->setAutoReset(false);
    connect(m_progress, &QProgressDialog::canceled, this, [stop = m_stop] { stop->store(true); });
    m_progress->setLabelText(
        tr("%1 from %2").arg(QFileInfo(checkpoint.path).fileName(), CheckpointFetch::sourceHost(checkpoint)));
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->show();
    QPointer<CheckpointDownload> self(this);
    const auto stop = m_stop;
    const auto progress = [self, stop](qint64 have, qint64 total) {
        const int permille = total > 0 ? static_cast<int>(have * 1000 / total) : 1000;
        QMetaObject::invokeMethod(QCoreApplication::instance(), [self, permille] {
            if (self && self->m_progress)
                self->m_progress->setValue(permille);
        });
        return !stop->load();
    };
    QThread* worker = QThread::create([self, checkpoint, destination, progress] {
        QString error;
        const bool ok = CheckpointFetch::fetch(checkpoint, destination, progress, &error);
        QMetaObject::invokeMethod(QCoreApplication::instance(), [self, ok, error, destination] {
            if (!self)
                return;
            self->m_busy = false;
            if (self->m_progress)
                self->m_progress->close(); // and deleted

            Q_EMIT self->finished(ok, ok ? tr("Downloaded to %1").arg(destination) : error);
        });
    });
    connect(worker, &QThread::finished, worker, &QObject::deleteLater);
    worker->start();
}

} // namespace jikken
