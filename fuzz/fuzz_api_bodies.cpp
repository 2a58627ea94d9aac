// Every JSON body the registry service takes, through its API on a real (SQLite) store: the first byte picks
// the endpoint, the rest is the body.
#include "ChangeFeed.h"
#include "RegistryApi.h"
#include "SeriesCache.h"
#include "registry/RegistryStore.h"

#include <QCoreApplication>
#include <QTemporaryDir>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

namespace {

struct Service
{
    QTemporaryDir dir;
    jikken::RegistryStore store;
    jikken::ChangeFeed feed;
    std::unique_ptr<jikken::SeriesCache> cache;
    std::unique_ptr<jikken::RegistryApi> api;
    QString run;

    Service()
    {
        QString error;
        if (!store.open(dir.filePath(QStringLiteral("fuzz.sqlite")), &error))
            std::abort();
        cache = std::make_unique<jikken::SeriesCache>(
            [this](const QString& id, const QString& tag, QString* e) { return store.series(id, tag, e); }, 16 << 20);
        api = std::make_unique<jikken::RegistryApi>(store, feed, *cache);
        run = store.reserve(QStringLiteral("fuzz"), &error)->toString();
    }
};

Service* g_service = nullptr;

} // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv)
{
    static QCoreApplication application(*argc, *argv); // the SQLite driver is a plugin
    g_service = new Service;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    struct Endpoint
    {
        const char* method;
        const char* leaf; ///< a run's leaf, or a path of its own when it starts with '/'
    };
    static constexpr std::array<Endpoint, 17> kEndpoints{{{"PUT", "description"},
                                                          {"PUT", "final_metrics"},
                                                          {"PUT", "labels"},
                                                          {"POST", "labels"},
                                                          {"PUT", "memo"},
                                                          {"PUT", "device"},
                                                          {"POST", "status"},
                                                          {"POST", "progress"},
                                                          {"POST", "heartbeat"},
                                                          {"POST", "/api/v1/import"},
                                                          {"POST", "/api/v1/reserve"},
                                                          {"POST", "/api/v1/queue/add"},
                                                          {"POST", "/api/v1/queue/claim"},
                                                          {"POST", "/api/v1/queue/release"},
                                                          {"POST", "/api/v1/queue/cancel"},
                                                          {"POST", "/api/v1/queue/retry"},
                                                          {"POST", "/api/v1/queue/priority"}}};
    if (size == 0)
        return 0;
    const Endpoint& endpoint = kEndpoints[data[0] % kEndpoints.size()];
    jikken::ApiRequest request;
    request.method = endpoint.method;
    request.path = endpoint.leaf[0] == '/'
                       ? QString::fromLatin1(endpoint.leaf)
                       : QStringLiteral("/api/v1/runs/%1/%2").arg(g_service->run, QString::fromLatin1(endpoint.leaf));
    request.body = QByteArray(reinterpret_cast<const char*>(data) + 1, static_cast<qsizetype>(size - 1));
    request.contentType = "application/json";
    jikken::ApiReply reply;
    if (request.path.endsWith(QLatin1String("/reserve")))
        jikken::RegistryApi::reserveMethod(request, &reply);
    else
        reply = g_service->api->handle(request);
    // Bad input is a 4xx; a 5xx from a body alone is a bug.
    if (reply.status >= 500)
        __builtin_trap();
    return 0;
}
