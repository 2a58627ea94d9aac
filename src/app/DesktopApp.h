#pragma once

#include "registry/ClientConfig.h"

#include <QObject>

#include <memory>

namespace jikken {

class RegistryWindow;

/// The app's life: finds the registry as the command line does (`--registry`, the environment,
/// client.json, else the embedded file), opens the main window over it, and swaps it for another
/// registry when the settings change. A configuration that cannot be used (a file here that cannot be
/// opened, a client.json others can read) brings up the settings with the reason, rather than quitting; a
/// service or PostgreSQL server out of reach opens the window, whose banner says so while it tries again.
class DesktopApp : public QObject
{
    Q_OBJECT

public:
    explicit DesktopApp(QString commandLineRegistry, QObject* parent = nullptr);
    ~DesktopApp() override;

    /// Shows the main window; false when no registry could be opened and the user cancelled.
    bool start();
    RegistryWindow* window() const { return m_window.get(); }

private:
    bool open(const ClientConfig& config, QString* error);
    /// The settings dialog, `problem` on top; true when the user saved a registry that opened.
    bool askForRegistry(const QString& problem);

    QString m_commandLineRegistry;
    ClientConfig m_config;
    std::unique_ptr<RegistryWindow> m_window;
};

} // namespace jikken
