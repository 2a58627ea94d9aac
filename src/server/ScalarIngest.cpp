#include "ScalarIngest.h"

#include "registry/RegistryStore.h"
#include "registry/SqlTransaction.h"

#include <QPointer>

#include <cstdio>

namespace jikken {

namespace {

// SQLite locks the whole database for a write: points go in transactions of at most this many, so that a
// reservation or a status change waits a fraction of a second, not the whole batch. A batch cut short by
// a failure is not acknowledged; the journal sends it again and points replace themselves by step.
constexpr int kPointsPerTransaction = 100'000;

/// Calls `store` with the batch in pieces of at most kPointsPerTransaction points, one piece at a time
/// (a copy of one piece at most), until it returns false.
bool inPieces(const QVector<TaggedSeries>& batch, const std::function<bool(const QVector<TaggedSeries>&)>& store)
{
    QVector<TaggedSeries> piece;
    int room = kPointsPerTransaction;
    for (const TaggedSeries& tagged : batch) {
        const ScalarSeries& s = tagged.series;
        for (int start = 0; start < s.size();) {
            const int count = std::min(room, s.size() - start);
            piece.append({tagged.tag, start == 0 && count == s.size()
                                          ? s
                                          : ScalarSeries{s.steps.mid(start, count), s.wallTimes.mid(start, count),
                                                         s.values.mid(start, count)}});
            start += count;
            room -= count;
            if (room == 0) {
                if (!store(piece))
                    return false;
                piece.clear();
                room = kPointsPerTransaction;
            }
        }
    }
    return piece.isEmpty() || store(piece);
}

} // namespace

struct ScalarIngest::Worker : QObject
{
    RegistryStore store;
    qint64 maxPoints = 0;

    std::pair<ApiReply, QVector<TaggedSeries>> ingest(const QString& run, const ApiRequest& request)
    {
        ApiReply refusal;
        const auto batch = RegistryApi::decodeScalars(request, maxPoints, &refusal);
        if (!batch)
            return {refusal, {}};
        QString error;
        const bool stored = inPieces(*batch, [&](const QVector<TaggedSeries>& piece) {
            SqlTransaction::letWaitingWritersIn(1000);
            return store.addSeries(run, piece, &error);
        });
        if (stored)
            return {RegistryApi::scalarsStored(*batch), *batch};
        std::fprintf(stderr, "jikken serve: POST %s -> %s\n", qPrintable(request.path), qPrintable(error));
        const RegistryFailure failure = store.lastFailure();
        QString ignored;
        // A restarted PostgreSQL: the next batch finds a new connection, and this one is told to come again.
        if (store.reconnectIfLost(&ignored) != RegistryStore::Connection::Fine)
            return {ApiReply::databaseAway(), {}};
        return {RegistryApi::storeFailure(failure, error), {}};
    }
};

ScalarIngest::ScalarIngest() : m_worker(std::make_unique<Worker>())
{
    m_thread.setObjectName(QStringLiteral("jikken-ingest"));
    m_worker->moveToThread(&m_thread);
    m_thread.start();
}

ScalarIngest::~ScalarIngest()
{
    // The connection is closed on the thread that opened it, after the batches already submitted.
    QMetaObject::invokeMethod(
        m_worker.get(), [worker = m_worker.get()] { worker->store.close(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

bool ScalarIngest::start(const QString& database, qint64 maxPointsPerBatch, QString* error)
{
    bool opened = false;
    QMetaObject::invokeMethod(
        m_worker.get(),
        [&, worker = m_worker.get()] {
            worker->maxPoints = maxPointsPerBatch;
            opened = worker->store.open(database, error);
        },
        Qt::BlockingQueuedConnection);
    return opened;
}

void ScalarIngest::submit(const QString& run, const ApiRequest& request, QObject* context, Done done)
{
    QMetaObject::invokeMethod(
        m_worker.get(),
        [worker = m_worker.get(), run, request, context = QPointer<QObject>(context), done = std::move(done)] {
            auto [reply, stored] = worker->ingest(run, request);
            if (context)
                QMetaObject::invokeMethod(
                    context.data(),
                    [done, reply = std::move(reply), stored = std::move(stored)] { done(reply, stored); },
                    Qt::QueuedConnection);
        },
        Qt::QueuedConnection);
}

} // namespace jikken
