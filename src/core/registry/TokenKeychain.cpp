#include "TokenKeychain.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QTimer>

#ifdef JIKKEN_HAVE_KEYCHAIN
#include <qt6keychain/keychain.h>
#endif

namespace jikken::TokenKeychain {

QString unavailableReason()
{
#ifndef JIKKEN_HAVE_KEYCHAIN
    return QStringLiteral("no keychain here (this jikken was built without QtKeychain)");
#else
    if (qEnvironmentVariable("JIKKEN_KEYCHAIN") == QLatin1String("off"))
        return QStringLiteral("the keychain is turned off (JIKKEN_KEYCHAIN=off)");
    if (!QCoreApplication::instance())
        return QStringLiteral("the keychain needs a running application");
#if defined(Q_OS_UNIX) && !defined(Q_OS_MACOS)
    // The Secret Service lives on the session bus; a headless server's ssh session usually has none.
    if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
        return QStringLiteral("no keychain here (no D-Bus session for a Secret Service)");
#endif
    return {};
#endif
}

#ifdef JIKKEN_HAVE_KEYCHAIN
namespace {

// Long enough for a person to type the keychain's password when it asks for it.
constexpr int kAnswerTimeoutMs = 120000;

/// Starts `job` and waits for it: a keychain answers asynchronously. True when it succeeded.
bool finish(QKeychain::Job& job, const QString& registryUrl, QString* error)
{
    if (const QString reason = unavailableReason(); !reason.isEmpty()) {
        if (error)
            *error = reason;
        return false;
    }
    job.setAutoDelete(false);
    job.setInsecureFallback(false); // a plain-text file behind the keychain's name would be a lie
    job.setKey(registryUrl);
    QEventLoop loop;
    bool answered = false;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, [&] {
        answered = true;
        loop.quit();
    });
    QTimer::singleShot(kAnswerTimeoutMs, &loop, &QEventLoop::quit);
    job.start();
    if (!answered)
        loop.exec();
    if (answered && job.error() == QKeychain::NoError)
        return true;
    if (error)
        *error = !answered ? QStringLiteral("the keychain did not answer in %1 s").arg(kAnswerTimeoutMs / 1000)
                           : QStringLiteral("keychain: ") + job.errorString();
    return false;
}

} // namespace

bool write(const QString& registryUrl, const QString& token, QString* error)
{
    QKeychain::WritePasswordJob job(QString::fromLatin1(kService));
    job.setTextData(token);
    return finish(job, registryUrl, error);
}

std::optional<QString> read(const QString& registryUrl, QString* error)
{
    QKeychain::ReadPasswordJob job(QString::fromLatin1(kService));
    if (!finish(job, registryUrl, error))
        return std::nullopt;
    return job.textData();
}

bool remove(const QString& registryUrl, QString* error)
{
    QKeychain::DeletePasswordJob job(QString::fromLatin1(kService));
    return finish(job, registryUrl, error) || job.error() == QKeychain::EntryNotFound;
}

#else
// A companion-only build without QtKeychain: every call says why (unavailableReason), and the token stays in
// the private client.json.
bool write(const QString&, const QString&, QString* error)
{
    if (error)
        *error = unavailableReason();
    return false;
}

std::optional<QString> read(const QString&, QString* error)
{
    write({}, {}, error);
    return std::nullopt;
}

bool remove(const QString&, QString*)
{
    return true;
}
#endif

} // namespace jikken::TokenKeychain
