#pragma once

#include "registry/RegistryClient.h"

#include <QObject>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

namespace jikken {

/// Makes a registry client: the app's own, and one more for each thread that reads in the background.
using RegistryConnector = std::function<std::unique_ptr<RegistryClient>(QString* error)>;

/// Registry clients on threads of their own, so that reading a million points, or waiting for a service
/// across the network, never stalls the window. Polls go to the first thread; series are dealt out over
/// all of them (see kMostLanes for how many). The answers come back as signals on the thread that made
/// the worker.
class RegistryWorker : public QObject
{
    Q_OBJECT

public:
    explicit RegistryWorker(RegistryConnector connector, QObject* parent = nullptr);
    ~RegistryWorker() override;

    void readRuns();
    void readSeries(const QString& id, const QString& tag);

Q_SIGNALS:
    void runsRead(const QVector<jikken::RunRecord>& runs);
    void runsFailed(const QString& error);
    void seriesRead(const QString& id, const QString& tag, const jikken::ScalarSeries& series);
    void seriesFailed(const QString& id, const QString& tag, const QString& error);

private:
    struct Lane
    {
        QThread thread;
        QObject* context = nullptr;             ///< lives on `thread`: the requests run there
        std::unique_ptr<RegistryClient> client; ///< made there on first use, touched only there
    };
    /// The lane's client, made on first use on the lane's thread (a database connection belongs to the
    /// thread that opened it); nullptr, with `error` set, when it cannot be made or the worker is closing.
    RegistryClient* client(Lane& lane, QString* error);

    RegistryConnector m_connector;
    std::vector<std::unique_ptr<Lane>> m_lanes;
    size_t m_nextLane = 0;
    std::atomic_bool m_stopping = false;
};

} // namespace jikken
