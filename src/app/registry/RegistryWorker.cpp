#include "RegistryWorker.h"

#include <algorithm>

namespace jikken {

namespace {
// Measured with bench_desktop (ten curves of 1M points, SQLite, 2 cores): two lanes read them 10-20%
// sooner but hold ~40 MB more (a malloc arena and a page cache per thread), past the 400 MB budget.
constexpr int kMostLanes = 1;
} // namespace

RegistryWorker::RegistryWorker(RegistryConnector connector, QObject* parent)
    : QObject(parent), m_connector(std::move(connector))
{
    const int lanes = std::clamp(QThread::idealThreadCount(), 1, kMostLanes);
    for (int i = 0; i < lanes; ++i) {
        auto lane = std::make_unique<Lane>();
        lane->thread.setObjectName(QStringLiteral("registry reader %1").arg(i));
        lane->context = new QObject;
        lane->context->moveToThread(&lane->thread);
        lane->thread.start();
        m_lanes.push_back(std::move(lane));
    }
}

RegistryWorker::~RegistryWorker()
{
    // The requests still queued are dropped; each client closes on the thread that opened it.
    m_stopping = true;
    for (auto& lane : m_lanes) {
        QMetaObject::invokeMethod(
            lane->context, [&lane] { lane->client.reset(); }, Qt::BlockingQueuedConnection);
        lane->thread.quit();
        lane->thread.wait();
        delete lane->context;
    }
}

RegistryClient* RegistryWorker::client(Lane& lane, QString* error)
{
    if (m_stopping) {
        *error = QStringLiteral("closing");
        return nullptr;
    }
    if (!lane.client)
        lane.client = m_connector(error);
    return lane.client.get();
}

void RegistryWorker::readRuns()
{
    Lane& lane = *m_lanes.front();
    QMetaObject::invokeMethod(lane.context, [this, &lane] {
        QString error;
        RegistryClient* registry = client(lane, &error);
        const QVector<RunRecord> runs = registry ? registry->runs({}, &error) : QVector<RunRecord>();
        if (m_stopping)
            return;
        if (error.isEmpty())
            Q_EMIT runsRead(runs);
        else
            Q_EMIT runsFailed(error);
    });
}

void RegistryWorker::readSeries(const QString& id, const QString& tag)
{
    Lane& lane = *m_lanes[m_nextLane++ % m_lanes.size()];
    QMetaObject::invokeMethod(lane.context, [this, &lane, id, tag] {
        QString error;
        RegistryClient* registry = client(lane, &error);
        const auto series = registry ? registry->series(id, tag, &error) : std::nullopt;
        if (m_stopping)
            return;
        if (series)
            Q_EMIT seriesRead(id, tag, *series);
        else
            Q_EMIT seriesFailed(id, tag, error);
    });
}

} // namespace jikken
