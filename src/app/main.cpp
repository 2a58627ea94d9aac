// `jikken-desktop`: the registry table and run details over the same registry `jikken` uses.

#include "MemoryTuning.h"
#include "registry/ClientConfig.h"
#include "widgets/RegistryWindow.h"

#include <QApplication>
#include <QMessageBox>

int main(int argc, char** argv)
{
    jikken::returnLargeBuffersToTheSystem();
    QApplication application(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Jikken"));
    QApplication::setOrganizationName(QStringLiteral("Jikken"));
    QApplication::setApplicationVersion(QStringLiteral(JIKKEN_VERSION));
    QString error;
    const auto config = jikken::ClientConfig::resolve({}, &error);
    std::unique_ptr<jikken::RegistryClient> registry = config ? config->connect(&error) : nullptr;
    if (!registry) {
        QMessageBox::critical(nullptr, QStringLiteral("Jikken"), error);
        return 1;
    }
    jikken::RegistryWindow window(std::move(registry), [config](QString* error) { return config->connect(error); });
    window.show();
    return QApplication::exec();
}
