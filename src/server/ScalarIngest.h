#pragma once

#include "RegistryApi.h"
#include "series/ScalarSeries.h"

#include <QObject>
#include <QThread>

#include <functional>
#include <memory>

namespace jikken {

class RegistryStore;

/// Stores scalar batches on a thread of its own, through a registry connection of its own, so that a
/// batch of a million points does not hold up the service's other requests: reads, reservations, the
/// change feed and the phone page go on while it is written. Batches are decoded and stored one at a
/// time, in the order they arrive; the answer comes back on the thread that submitted them.
class ScalarIngest
{
public:
    ScalarIngest();
    ~ScalarIngest();
    ScalarIngest(const ScalarIngest&) = delete;
    ScalarIngest& operator=(const ScalarIngest&) = delete;

    /// Opens the ingest thread's connection to the registry `database`.
    bool start(const QString& database, qint64 maxPointsPerBatch, QString* error);

    /// The reply for the request, and the points stored (empty unless stored), given to `done` on
    /// `context`'s thread; dropped if `context` is gone by then.
    using Done = std::function<void(const ApiReply& reply, const QVector<TaggedSeries>& stored)>;
    void submit(const QString& run, const ApiRequest& request, QObject* context, Done done);

private:
    struct Worker;
    QThread m_thread;
    std::unique_ptr<Worker> m_worker; ///< lives on m_thread
};

} // namespace jikken
