// A helper process for TestConcurrentReservation: reserves N IDs in one registry file and prints them.
#include "registry/RegistryStore.h"

#include <QCoreApplication>

#include <cstdio>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 3)
        return 2;
    jikken::RegistryStore store;
    QString error;
    if (!store.open(args[1], &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    // A fixed clock: the test checks numbering within one day, whenever it runs.
    store.setClock([] { return QDateTime(QDate(2019, 7, 5), QTime(12, 0), Qt::UTC); });
    if (!store.setTimeZoneId("UTC", &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    for (int i = 0; i < args[2].toInt(); ++i) {
        const auto id = store.reserve(QStringLiteral("race"), &error);
        if (!id) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        std::printf("%s\n", qPrintable(id->toString()));
    }
    return 0;
}
