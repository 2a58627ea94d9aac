#include "DesktopApp.h"

#include "registry/RegistryStore.h"
#include "ui_SettingsDialog.h"
#include "widgets/RegistryWindow.h"
#include "widgets/SettingsDialog.h"

#include <QLabel>
#include <QStatusBar>

namespace jikken {

DesktopApp::DesktopApp(QString commandLineRegistry, QObject* parent)
    : QObject(parent), m_commandLineRegistry(std::move(commandLineRegistry))
{
    m_config.database = RegistryStore::defaultDatabasePath();
}

DesktopApp::~DesktopApp() = default;

bool DesktopApp::start()
{
    QString error;
    const auto config = ClientConfig::resolve(m_commandLineRegistry, &error);
    if (config && open(*config, &error))
        return true;
    return askForRegistry(error);
}

bool DesktopApp::open(const ClientConfig& config, QString* error)
{
    // A local database is opened once here, so that one that cannot be brings up the settings; a service is
    // only reached from the reader's thread (its client connects on first use).
    const std::unique_ptr<RegistryClient> registry = config.connect(error);
    if (!registry)
        return false;
    // The window's reader and each background thread open their own connection to the same registry.
    auto window = std::make_unique<RegistryWindow>([config](QString* failure) { return config.connect(failure); },
                                                   registry->location(), RegistryReader::lanesFor(config));
    connect(window.get(), &RegistryWindow::settingsRequested, this, [this] { askForRegistry({}); });
    window->setDispatch(config, [config](QString* failure) { return config.connect(failure); });
    window->show();
    if (m_window) {
        // Saves its layout (which the next window takes up); deleted later, as this may run from its menu.
        m_window->close();
        m_window.release()->deleteLater();
    }
    m_window = std::move(window);
    m_config = config;
    return true;
}

bool DesktopApp::askForRegistry(const QString& problem)
{
    SettingsDialog dialog(m_config, m_window.get());
    if (!problem.isEmpty())
        dialog.form().testResult->setText(problem);
    while (dialog.exec() == QDialog::Accepted) {
        QString error;
        if (open(dialog.saved(), &error)) {
            if (!dialog.savedNote().isEmpty())
                m_window->statusBar()->showMessage(dialog.savedNote(), 15000);
            return true;
        }
        dialog.form().testResult->setText(error); // saved, but it does not open: say so and stay
    }
    return false;
}

} // namespace jikken
