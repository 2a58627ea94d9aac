#pragma once

#include "registry/ClientConfig.h"

#include <QDialog>

#include <memory>
#include <optional>

namespace Ui {
class SettingsDialog;
}

namespace jikken {

class RegistryReader;

/// Where the app (and the `jikken` command line, which reads the same file) finds the registry: a local
/// file or database, or a `jikken serve` URL with its token. Saving writes
/// `ClientConfig::configFilePath()`, readable by the user only; a bad entry keeps the dialog open with
/// one line saying what is wrong, and everything typed stays.
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    explicit SettingsDialog(const ClientConfig& current, QWidget* parent = nullptr);
    ~SettingsDialog() override;

    /// The choice as entered, or nullopt with `error` saying what is wrong with it.
    std::optional<ClientConfig> choice(QString* error) const;
    /// What was saved, once the dialog is accepted.
    const ClientConfig& saved() const { return m_saved; }
    /// Where the saved token went (the keychain, or the private file where there is none).
    const QString& savedNote() const { return m_savedNote; }

    /// Tries the entered registry (reads one run) and says how that went, once it has.
    void testConnection();
    /// Whether a test asked is still under way.
    bool testing() const;
    void accept() override;

    Ui::SettingsDialog& form() const { return *m_form; }

private:
    void showProblem(const QString& problem);
    void updateEnabled();

    std::unique_ptr<Ui::SettingsDialog> m_form;
    ClientConfig m_saved;
    QString m_savedNote;
    std::unique_ptr<RegistryReader> m_tester; ///< the latest connection test's
};

} // namespace jikken
