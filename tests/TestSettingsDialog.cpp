// The registry settings on the offscreen platform: what they refuse, the private file they write (which
// the command line reads too), the token in a real Secret Service (gnome-keyring on a private D-Bus) and
// the file where there is none, the connection test, and the app asking for a registry it cannot open.
#include "DesktopApp.h"
#include "SecretService.h"
#include "registry/RegistryStore.h"
#include "registry/TokenKeychain.h"
#include "ui_SettingsDialog.h"
#include "widgets/RegistryWindow.h"
#include "widgets/SettingsDialog.h"

#include <QDialog>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QRadioButton>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace jikken;

class TestSettingsDialog : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    static ClientConfig embedded()
    {
        ClientConfig config;
        config.database = RegistryStore::defaultDatabasePath();
        return config;
    }

    static void enterService(SettingsDialog& dialog, const QString& url, const QString& token)
    {
        dialog.form().serviceButton->setChecked(true);
        dialog.form().serviceUrl->setText(url);
        dialog.form().token->setText(token);
    }

private Q_SLOTS:
    void initTestCase()
    {
        // client.json, and the app's remembered layout, go under the test's own directory.
        qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("config")).toUtf8());
        qputenv("JIKKEN_HOME", m_dir.filePath(QStringLiteral("home")).toUtf8());
        qunsetenv("JIKKEN_REGISTRY");
        qunsetenv("JIKKEN_TOKEN");
        qunsetenv("JIKKEN_KEYCHAIN");
        // No session bus, so no keychain, until keepsTheTokenInTheKeychain starts its own: a developer's
        // own keychain is never touched.
        qunsetenv("DBUS_SESSION_BUS_ADDRESS");
        QVERIFY(ClientConfig::configFilePath().startsWith(m_dir.path()));
    }

    static QJsonObject savedFile()
    {
        QFile file(ClientConfig::configFilePath());
        return file.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(file.readAll()).object() : QJsonObject();
    }

    void refusesBadEntriesAndKeepsWhatWasTyped()
    {
        SettingsDialog dialog(embedded());
        enterService(dialog, QStringLiteral("lab-server:8765"), QStringLiteral("jk_abc"));
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        QVERIFY2(dialog.form().testResult->text().contains(QStringLiteral("http://")),
                 qPrintable(dialog.form().testResult->text()));
        QCOMPARE(dialog.form().serviceUrl->text(), QStringLiteral("lab-server:8765")); // nothing lost
        enterService(dialog, QStringLiteral("https://lab-server:8765"), QString());
        dialog.accept();
        QVERIFY(dialog.form().testResult->text().contains(QStringLiteral("token")));
        QVERIFY(!QFile::exists(ClientConfig::configFilePath()));
    }

    void savesPrivatelyForTheAppAndTheCommandLine()
    {
        SettingsDialog dialog(embedded());
        enterService(dialog, QStringLiteral("https://lab-server:8765"), QStringLiteral("jk_secret"));
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QFile file(ClientConfig::configFilePath());
        QVERIFY(file.exists());
        QVERIFY(file.permissions() & QFileDevice::ReadOwner);
        QCOMPARE(file.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup |
                                       QFileDevice::WriteOther),
                 QFileDevice::Permissions());
        QString error;
        const auto resolved = ClientConfig::resolve({}, &error);
        QVERIFY2(resolved, qPrintable(error));
        QCOMPARE(resolved->service, QUrl(QStringLiteral("https://lab-server:8765")));
        QCOMPARE(resolved->token, QStringLiteral("jk_secret"));

        // Opened again, it shows the service; back to the embedded registry removes the file.
        SettingsDialog again(*resolved);
        QVERIFY(again.form().serviceButton->isChecked());
        QCOMPARE(again.form().serviceUrl->text(), QStringLiteral("https://lab-server:8765"));
        again.form().localButton->setChecked(true);
        QCOMPARE(again.form().localPath->text(), RegistryStore::defaultDatabasePath());
        again.accept();
        QCOMPARE(again.result(), int(QDialog::Accepted));
        QVERIFY(!file.exists());
        QCOMPARE(ClientConfig::resolve({}, &error)->database, RegistryStore::defaultDatabasePath());
    }

    // Without a keychain the token stays in the private file, and the dialog says so.
    void fallsBackToThePrivateFileWithoutAKeychain()
    {
        SettingsDialog dialog(embedded());
        enterService(dialog, QStringLiteral("https://lab-server:8765"), QStringLiteral("jk_filed"));
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QVERIFY2(dialog.savedNote().contains(QStringLiteral("no keychain here")), qPrintable(dialog.savedNote()));
        QVERIFY2(dialog.savedNote().contains(ClientConfig::configFilePath()), qPrintable(dialog.savedNote()));
        QCOMPARE(savedFile().value(QStringLiteral("token")).toString(), QStringLiteral("jk_filed"));
        QVERIFY(!savedFile().contains(QStringLiteral("token_in")));
        QFile::remove(ClientConfig::configFilePath());
    }

    // With a Secret Service the token goes there: client.json names the registry only, secret-tool finds
    // the token past QtKeychain, and the command line's resolve reads it back.
    void keepsTheTokenInTheKeychain()
    {
        testing::SecretService secrets;
        QString error;
        QVERIFY2(secrets.start(m_dir.filePath(QStringLiteral("keyring")), &error), qPrintable(error));
        qputenv("DBUS_SESSION_BUS_ADDRESS", secrets.address().toUtf8());
        const auto noBus = qScopeGuard([] { qunsetenv("DBUS_SESSION_BUS_ADDRESS"); });

        SettingsDialog dialog(embedded());
        enterService(dialog, QStringLiteral("https://lab-server:8765"), QStringLiteral("jk_in_keychain"));
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QVERIFY2(dialog.savedNote().startsWith(QStringLiteral("The token is in the keychain")),
                 qPrintable(dialog.savedNote()));
        const QByteArray written = [] {
            QFile file(ClientConfig::configFilePath());
            return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
        }();
        QVERIFY2(!written.contains("jk_in_keychain"), written.constData());
        QCOMPARE(savedFile().value(QStringLiteral("token_in")).toString(), QStringLiteral("keychain"));
        QCOMPARE(secrets.lookup({QStringLiteral("server"), QStringLiteral("jikken"), QStringLiteral("user"),
                                 QStringLiteral("https://lab-server:8765")}),
                 QStringLiteral("jk_in_keychain"));

        const auto resolved = ClientConfig::resolve({}, &error);
        QVERIFY2(resolved, qPrintable(error));
        QCOMPARE(resolved->token, QStringLiteral("jk_in_keychain"));

        // The entry gone from the keychain: resolve says where the token should have been and what to do.
        QVERIFY2(TokenKeychain::remove(QStringLiteral("https://lab-server:8765"), &error), qPrintable(error));
        QVERIFY(!ClientConfig::resolve({}, &error));
        QVERIFY2(error.contains(QStringLiteral("keychain")) && error.contains(QStringLiteral("JIKKEN_TOKEN")),
                 qPrintable(error));
        QFile::remove(ClientConfig::configFilePath());
    }

    void testsTheConnection()
    {
        SettingsDialog dialog(embedded());
        dialog.form().localPath->setText(m_dir.filePath(QStringLiteral("tried.sqlite")));
        dialog.testConnection();
        QTRY_VERIFY(!dialog.testing());
        QVERIFY2(dialog.form().testResult->text().startsWith(QStringLiteral("Connected to")),
                 qPrintable(dialog.form().testResult->text()));
        enterService(dialog, QStringLiteral("http://127.0.0.1:9"), QStringLiteral("jk_x"));
        dialog.testConnection();
        QTRY_VERIFY(!dialog.testing());
        QVERIFY2(dialog.form().testResult->text().contains(QStringLiteral("does not answer")),
                 qPrintable(dialog.form().testResult->text()));
        // A service that never answers: the dialog says it is trying and goes on working meanwhile.
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        enterService(dialog, QStringLiteral("http://127.0.0.1:%1").arg(silent.serverPort()), QStringLiteral("jk_x"));
        dialog.testConnection();
        QVERIFY(dialog.testing());
        QVERIFY2(dialog.form().testResult->text().startsWith(QStringLiteral("Trying")),
                 qPrintable(dialog.form().testResult->text()));
    }

    // A client.json others could read is refused (it holds a token): the app says why in the settings
    // instead of quitting, and opens the registry the user then chooses.
    void anUnusableRegistryBringsUpTheSettings()
    {
        QFile file(ClientConfig::configFilePath());
        QVERIFY(QDir().mkpath(QFileInfo(file).absolutePath())); // an earlier test may not have made it
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"registry\": \"https://lab:8765\", \"token\": \"jk_leaked\"}");
        file.close();
        QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
        QString shown;
        QTimer::singleShot(0, this, [&] {
            auto* dialog = qobject_cast<SettingsDialog*>(QApplication::activeModalWidget());
            QVERIFY(dialog);
            shown = dialog->form().testResult->text();
            dialog->form().localButton->setChecked(true);
            dialog->form().localPath->setText(m_dir.filePath(QStringLiteral("chosen.sqlite")));
            dialog->accept();
        });
        DesktopApp app({});
        QVERIFY(app.start());
        QVERIFY2(shown.contains(QStringLiteral("chmod 600")), qPrintable(shown));
        QVERIFY(app.window() && app.window()->isVisible());
        QVERIFY(app.window()->windowTitle().contains(QStringLiteral("chosen.sqlite")));
        QVERIFY(!(file.permissions() & QFileDevice::ReadOther)); // rewritten privately
    }

    // A PostgreSQL server out of reach does not hold up the start: like a service it is reached from the
    // window's reader thread, so the window opens, its banner says the registry cannot be read, and its
    // title names the server without the password.
    void anUnreachableDatabaseServerOpensTheWindowWithABanner()
    {
        bool asked = false;
        QTimer::singleShot(3000, this, [&asked] {
            if (auto* dialog = qobject_cast<SettingsDialog*>(QApplication::activeModalWidget())) {
                asked = true; // the old way: the settings, after waiting for the server at start
                dialog->reject();
            }
        });
        DesktopApp app(QStringLiteral("postgresql://lab:secret@127.0.0.1:1/jikken"));
        QVERIFY(app.start());
        QVERIFY(!asked);
        QVERIFY(app.window() && app.window()->isVisible());
        QVERIFY2(app.window()->windowTitle().contains(QStringLiteral("127.0.0.1")),
                 qPrintable(app.window()->windowTitle()));
        QVERIFY(!app.window()->windowTitle().contains(QStringLiteral("secret")));
        QTRY_VERIFY_WITH_TIMEOUT(app.window()->banner()->isVisible(), 15000);
        QVERIFY2(app.window()->banner()->text().contains(QStringLiteral("cannot be read")),
                 qPrintable(app.window()->banner()->text()));
    }
};

QTEST_MAIN(TestSettingsDialog)
#include "TestSettingsDialog.moc"
