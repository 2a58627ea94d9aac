#include "HostsPanel.h"

#include "HostGpuModel.h"
#include "dispatch/HostCatalog.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QTableView>
#include <QTime>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace jikken {

namespace {
constexpr int kProbeTimeoutMs = 20000;
}

HostsPanel::HostsPanel(QWidget* parent)
    : QWidget(parent), m_model(new HostGpuModel(this)), m_table(new QTableView), m_status(new QLabel),
      m_refresh(new QPushButton(tr("Refresh")))
{
    m_table->setModel(m_model);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_status->setWordWrap(true);
    auto* top = new QHBoxLayout;
    top->addWidget(m_status, 1);
    top->addWidget(m_refresh);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_table, 1);
    connect(m_refresh, &QPushButton::clicked, this, &HostsPanel::refresh);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, [this](const QPoint& at) {
        const QModelIndex index = m_table->indexAt(at);
        if (!index.isValid())
            return;
        QMenu* menu = hostMenu(m_model->index(index.row(), HostGpuModel::Host).data().toString());
        menu->popup(m_table->viewport()->mapToGlobal(at));
    });
    connect(&m_probe, &QFutureWatcher<QVector<HostGpus>>::finished, this, [this] {
        m_model->setProbes(m_probe.result());
        m_table->resizeColumnsToContents();
        m_status->setText(tr("Probed at %1").arg(QTime::currentTime().toString(QStringLiteral("hh:mm:ss"))));
        m_refresh->setEnabled(true);
    });
}

QMenu* HostsPanel::hostMenu(const QString& host)
{
    auto* menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->addAction(tr("Start Agent on %1").arg(host), this, [this, host] { Q_EMIT agentRequested(host, true); })
        ->setToolTip(tr("jikken agent in tmux on %1: it starts the runs queued for it as its GPUs free up").arg(host));
    menu->addAction(tr("Stop Agent on %1").arg(host), this, [this, host] { Q_EMIT agentRequested(host, false); });
    return menu;
}

void HostsPanel::refresh()
{
    if (m_probe.isRunning())
        return;
    QString error;
    const auto hosts = HostCatalog::load(&error);
    if (!hosts) {
        m_status->setText(error);
        return;
    }
    m_status->setText(tr("Probing %n host(s)…", nullptr, static_cast<int>(hosts->size())));
    m_refresh->setEnabled(false);
    m_probe.setFuture(QtConcurrent::run([hosts = *hosts] { return GpuProbe::probe(hosts, kProbeTimeoutMs); }));
}

void HostsPanel::setRuns(const QVector<RunRecord>& runs)
{
    m_model->setRuns(runs);
}

} // namespace jikken
