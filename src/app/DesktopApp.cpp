#include "DesktopApp.h"

#include "registry/DatabaseUrl.h"
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
    // A file here is opened once now, so that one that cannot be brings up the settings. A service or a
    // PostgreSQL server is reached only from the reader's thread: it may be far away or down (the window's
    // banner then says so and tries again), and the window must not wait for it.
    QString location = config.location();
    if (!config.isService()) {
        const auto url = DatabaseUrl::parse(config.database, error);
        if (!url)
            return false;
        if (url->kind == DatabaseUrl::Kind::Sqlite && !config.connect(error))
            return false;
        location = url->display(); // without a password
    }
    // The window's reader and each background thread open their own connection to the same registry.
    auto window = std::make_unique<RegistryWindow>([config](QString* failure) { return config.connect(failure); },
                                                   location, RegistryReader::lanesFor(config));
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
