#include "QueuePanel.h"

#include "HostGpuModel.h"
#include "registry/RegistryReader.h"
#include "registry/RunQueue.h"

#include <QDropEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMimeData>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace jikken {

namespace {

enum Column { Id, Status, Where, Priority, Gpus, Attempt, Sweep, ColumnCount };

/// A table whose rows are dragged to a place: the drop says where, and the queue's priorities move the run
/// (the rows are the queue's, read again after).
class QueueTable : public QTableWidget
{
public:
    std::function<void(int from, int to)> dropped;

protected:
    // The queue's own rows, as this table's model writes them (a view of another queue drags in its own).
    bool isRow(const QDropEvent* event) const
    {
        return event->mimeData() && event->mimeData()->hasFormat(model()->mimeTypes().value(0));
    }
    void dragEnterEvent(QDragEnterEvent* event) override
    {
        if (isRow(event))
            event->acceptProposedAction();
    }
    void dragMoveEvent(QDragMoveEvent* event) override
    {
        QTableWidget::dragMoveEvent(event); // the drop indicator
        if (isRow(event))
            event->acceptProposedAction();
    }
    void dropEvent(QDropEvent* event) override
    {
        event->setDropAction(Qt::IgnoreAction); // the table's own rows stay as they are
        event->accept();
        const int to = indexAt(event->position().toPoint()).row();
        if (dropped && currentRow() >= 0)
            dropped(currentRow(), to < 0 ? rowCount() - 1 : to);
    }
};

} // namespace

QueuePanel::QueuePanel(RegistryReader* reader, const HostGpuModel* hosts, QWidget* parent)
    : QWidget(parent), m_reader(reader), m_hosts(hosts), m_table(new QueueTable), m_summary(new QLabel)
{
    static_cast<QueueTable*>(m_table)->dropped = [this](int from, int to) { moveRow(from, to); };
    m_table->setDragEnabled(true);
    m_table->setDragDropMode(QAbstractItemView::InternalMove);
    m_table->setDropIndicatorShown(true);
    m_table->setColumnCount(ColumnCount);
    m_table->setHorizontalHeaderLabels(
        {tr("ID"), tr("Status"), tr("Where, or why it waits"), tr("Priority"), tr("GPUs"), tr("Try"), tr("Sweep")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(Where, QHeaderView::Stretch);
    auto* buttons = new QHBoxLayout;
    const auto button = [&](const QString& text, const QString& tip, auto slot) {
        auto* b = new QPushButton(text);
        b->setToolTip(tip);
        connect(b, &QPushButton::clicked, this, slot);
        buttons->addWidget(b);
        return b;
    };
    button(tr("Higher"), tr("Take it before the runs above it"), [this] { moveSelected(+1); });
    button(tr("Lower"), tr("Take it after the runs below it"), [this] { moveSelected(-1); });
    button(tr("Cancel"), tr("Take a waiting run out of the queue"), &QueuePanel::cancelSelected);
    button(tr("Retry"), tr("Queue a failed, lost, stopped or diverged run again"), &QueuePanel::retrySelected);
    buttons->addStretch();
    button(tr("Refresh"), tr("Read the queue again"), &QueuePanel::refresh);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_table);
    layout->addLayout(buttons);
    connect(this, &QueuePanel::changed, this, &QueuePanel::refresh);
}

void QueuePanel::refresh()
{
    m_reader->ask(
        this, RegistryReader::Kind::Quick,
        [](RegistryClient& registry, QString* error) {
            return withQueueOf<QVector<QueuedRun>>(registry, error, [error](QueueClient& queue) {
                return queue.list(error).value_or(QVector<QueuedRun>());
            });
        },
        [this](const QVector<QueuedRun>& runs, const QString& error) {
            if (!error.isEmpty())
                Q_EMIT failed(error);
            else
                show(runs);
        });
}

QString QueuePanel::whyWaiting(const QueuedRun& run) const
{
    const QString hosts =
        run.request.hosts.isEmpty() ? tr("any host with an agent") : run.request.hosts.join(QStringLiteral(", "));
    if (run.request.gpus == 0)
        return tr("needs an agent's slot on %1").arg(hosts);
    QStringList free;
    for (const QString& host : run.request.hosts) {
        if (const auto count = m_hosts ? m_hosts->freeGpus(host) : std::nullopt)
            free << tr("%1 has %2 free").arg(host).arg(*count);
    }
    return tr("needs %n GPU(s)", nullptr, run.request.gpus) +
           (free.isEmpty() ? tr(" on %1").arg(hosts) : QStringLiteral("; ") + free.join(QStringLiteral(", ")));
}

void QueuePanel::show(const QVector<QueuedRun>& runs)
{
    QString selected = std::exchange(m_selectAfterRead, QString());
    if (const auto rows = m_table->selectionModel()->selectedRows(); selected.isEmpty() && !rows.isEmpty())
        selected = m_table->item(rows.first().row(), Id)->text();
    m_runs = runs;
    m_table->setRowCount(static_cast<int>(runs.size()));
    int waiting = 0;
    for (int r = 0; r < runs.size(); ++r) {
        const QueuedRun& run = runs[r];
        const bool taken = !run.agent.isEmpty();
        waiting += !taken;
        const QStringList cells{run.id.toString(),
                                taken ? toString(run.status) : tr("waiting"),
                                taken ? tr("%1 on %2").arg(run.agent, run.host) : whyWaiting(run),
                                QString::number(run.request.priority),
                                QString::number(run.request.gpus),
                                QStringLiteral("%1/%2").arg(run.attempts).arg(run.request.retries + 1),
                                run.request.sweep};
        for (int c = 0; c < ColumnCount; ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            if (c == Priority || c == Gpus || c == Attempt)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(r, c, item);
        }
        if (run.id.toString() == selected)
            m_table->selectRow(r);
    }
    m_table->resizeColumnToContents(Id);
    m_summary->setText(tr("%1 waiting, %2 taken by agents").arg(waiting).arg(runs.size() - waiting));
}

void QueuePanel::changeSelected(const QString& what,
                                std::function<bool(QueueClient& queue, const QueuedRun& run, QString* error)> change)
{
    const auto rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty() || rows.first().row() >= m_runs.size()) {
        Q_EMIT failed(tr("Choose a run in the queue to %1").arg(what));
        return;
    }
    const QueuedRun run = m_runs[rows.first().row()];
    m_reader->ask(
        this, RegistryReader::Kind::Write,
        [run, change](RegistryClient& registry, QString* error) {
            return withQueueOf<bool>(registry, error, [&](QueueClient& queue) { return change(queue, run, error); });
        },
        [this](bool done, const QString& error) {
            if (!done || !error.isEmpty())
                Q_EMIT failed(error);
            Q_EMIT changed();
        });
}

void QueuePanel::cancelSelected()
{
    changeSelected(tr("cancel"), [](QueueClient& queue, const QueuedRun& run, QString* error) {
        return queue.cancel(run.id, error);
    });
}

void QueuePanel::retrySelected()
{
    changeSelected(tr("retry"),
                   [](QueueClient& queue, const QueuedRun& run, QString* error) { return queue.retry(run.id, error); });
}

void QueuePanel::moveSelected(int delta)
{
    const auto rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        Q_EMIT failed(tr("Choose a run in the queue to move"));
        return;
    }
    moveRow(rows.first().row(), rows.first().row() - (delta > 0 ? 1 : -1));
}

void QueuePanel::moveRow(int from, int to)
{
    // The waiting runs come after those agents took, in the order they will be taken.
    QVector<QueuedRun> waiting;
    for (const QueuedRun& run : std::as_const(m_runs)) {
        if (run.agent.isEmpty())
            waiting.append(run);
    }
    const int taken = static_cast<int>(m_runs.size() - waiting.size());
    if (from < taken || from >= m_runs.size()) {
        Q_EMIT failed(tr("Only a waiting run can be moved: an agent took this one"));
        return;
    }
    const int place = std::clamp(to - taken, 0, static_cast<int>(waiting.size()) - 1);
    waiting.move(from - taken, place);
    const QVector<QPair<ModelId, int>> changes = prioritiesFor(waiting, place);
    if (changes.isEmpty())
        return;
    m_reader->ask(
        this, RegistryReader::Kind::Write,
        [changes](RegistryClient& registry, QString* error) {
            return withQueueOf<bool>(registry, error, [&](QueueClient& queue) {
                for (const auto& [id, priority] : changes) {
                    if (!queue.setPriority(id, priority, error))
                        return false;
                }
                return true;
            });
        },
        [this, id = m_runs[from].id.toString()](bool done, const QString& error) {
            if (!done)
                Q_EMIT failed(error);
            m_selectAfterRead = id; // the moved run stays chosen where it went
            Q_EMIT changed();
        });
}

} // namespace jikken
