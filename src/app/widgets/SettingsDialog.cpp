#include "SettingsDialog.h"

#include "registry/RegistryReader.h"
#include "registry/RegistryStore.h"
#include "ui_SettingsDialog.h"

#include <QFileDialog>
#include <QPushButton>

namespace jikken {

SettingsDialog::SettingsDialog(const ClientConfig& current, QWidget* parent)
    : QDialog(parent), m_form(std::make_unique<Ui::SettingsDialog>()), m_saved(current)
{
    m_form->setupUi(this);
    m_form->localPath->setText(current.isService() ? RegistryStore::defaultDatabasePath() : current.database);
    m_form->serviceButton->setChecked(current.isService());
    m_form->serviceUrl->setText(current.service.toString());
    m_form->token->setText(current.token);
    QString note = tr("Saved in %1 (readable by you only), which the jikken command line reads too.")
                       .arg(ClientConfig::configFilePath());
    if (qEnvironmentVariableIsSet("JIKKEN_REGISTRY"))
        note += u' ' + tr("JIKKEN_REGISTRY is set in this environment and takes precedence over the file.");
    m_form->storageNote->setText(note);
    connect(m_form->localButton, &QRadioButton::toggled, this, &SettingsDialog::updateEnabled);
    connect(m_form->testButton, &QPushButton::clicked, this, &SettingsDialog::testConnection);
    connect(m_form->buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(m_form->defaultButton, &QPushButton::clicked, this,
            [this] { m_form->localPath->setText(RegistryStore::defaultDatabasePath()); });
    connect(m_form->browseButton, &QToolButton::clicked, this, [this] {
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Registry file"), m_form->localPath->text(),
                                         tr("SQLite registry (*.sqlite)"), nullptr, QFileDialog::DontConfirmOverwrite);
        if (!path.isEmpty())
            m_form->localPath->setText(path);
    });
    updateEnabled();
}

SettingsDialog::~SettingsDialog() = default;

void SettingsDialog::updateEnabled()
{
    const bool local = m_form->localButton->isChecked();
    for (QWidget* w : {static_cast<QWidget*>(m_form->localPath), static_cast<QWidget*>(m_form->browseButton),
                       static_cast<QWidget*>(m_form->defaultButton)})
        w->setEnabled(local);
    for (QWidget* w : {m_form->serviceUrl, m_form->token})
        w->setEnabled(!local);
}

std::optional<ClientConfig> SettingsDialog::choice(QString* error) const
{
    if (m_form->localButton->isChecked()) {
        const QString path = m_form->localPath->text().trimmed();
        if (path.isEmpty()) {
            *error = tr("Give the registry file (Default is the one jikken uses).");
            return std::nullopt;
        }
        if (path.startsWith(QLatin1String("http"))) {
            *error = tr("\"%1\" is a URL: choose the registry service instead.").arg(path);
            return std::nullopt;
        }
        return ClientConfig::parse(path, {}, tr("The file"), error);
    }
    const QString url = m_form->serviceUrl->text().trimmed();
    if (!url.startsWith(QLatin1String("http://")) && !url.startsWith(QLatin1String("https://"))) {
        *error = tr("The service URL must start with http:// or https://.");
        return std::nullopt;
    }
    if (m_form->token->text().trimmed().isEmpty()) {
        *error = tr("The service needs a token: make one on the server with jikken token create --name NAME.");
        return std::nullopt;
    }
    return ClientConfig::parse(url, m_form->token->text().trimmed(), tr("The URL"), error);
}

void SettingsDialog::showProblem(const QString& problem)
{
    m_form->testResult->setStyleSheet(QStringLiteral("color: #d64545;"));
    m_form->testResult->setText(problem);
}

void SettingsDialog::testConnection()
{
    QString error;
    const auto config = choice(&error);
    if (!config) {
        showProblem(error);
        return;
    }
    // On a thread of its own, like every registry read of the app: a service that is slow to answer (or
    // never does) leaves the dialog working. A test asked again replaces the one under way.
    m_form->testResult->setStyleSheet({});
    m_form->testResult->setText(tr("Trying %1…").arg(config->location()));
    m_tester = std::make_unique<RegistryReader>([config = *config](QString* error) { return config.connect(error); },
                                                config->location());
    m_tester->ask(
        this, RegistryReader::Kind::Quick,
        [](RegistryClient& registry, QString* error) {
            RunFilter one;
            one.limit = 1;
            return registry.runs(one, error).has_value();
        },
        [this, location = config->location()](bool connected, const QString& error) {
            if (!connected) {
                showProblem(error);
                return;
            }
            m_form->testResult->setStyleSheet({});
            m_form->testResult->setText(tr("Connected to %1.").arg(location));
        });
}

bool SettingsDialog::testing() const
{
    return m_tester && m_tester->outstanding() > 0;
}

void SettingsDialog::accept()
{
    QString error;
    const auto config = choice(&error);
    if (!config || !config->save(&error, &m_savedNote)) {
        showProblem(error);
        return;
    }
    m_saved = *config;
    QDialog::accept();
}

} // namespace jikken
