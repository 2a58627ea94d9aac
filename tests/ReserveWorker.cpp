// A helper process for the concurrency tests: reserves N IDs and prints them, one per line. The registry is
// a database (SQLite file or postgresql:// URL, opened directly, on a fixed clock) or, with a token, a
// `jikken serve` URL (the service's clock).
#include "registry/HttpRegistryClient.h"
#include "registry/RegistryStore.h"

#include <QCoreApplication>

#include <cstdio>
#include <memory>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 3 && args.size() != 4) {
        std::fprintf(stderr, "usage: reserve_worker DATABASE|URL [TOKEN] COUNT\n");
        return 2;
    }
    QString error;
    std::unique_ptr<jikken::RegistryClient> registry;
    if (args.size() == 4) {
        registry = std::make_unique<jikken::HttpRegistryClient>(QUrl(args[1]), args[2]);
    } else {
        auto store = std::make_unique<jikken::RegistryStore>();
        if (!store->open(args[1], &error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        // A fixed clock: the test checks numbering within one day, whenever it runs.
        store->setClock([] { return QDateTime(QDate(2019, 7, 5), QTime(12, 0), Qt::UTC); });
        if (!store->setTimeZoneId("UTC", &error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        registry = std::move(store);
    }
    for (int i = 0; i < args.last().toInt(); ++i) {
        const auto id = registry->reserve(QStringLiteral("race"), &error);
        if (!id) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        std::printf("%s\n", qPrintable(id->toString()));
    }
    return 0;
}
