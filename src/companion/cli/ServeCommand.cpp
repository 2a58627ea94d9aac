// `jikken serve` and `jikken token`: the registry as a service, and the tokens that let clients in.

#include "Console.h"
#include "RegistryCommands.h"
#include "RegistryServer.h"
#include "registry/AccessTokens.h"
#include "registry/AlertRules.h"

#include <QCoreApplication>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>

#include <sys/resource.h>

namespace jikken {

namespace {

std::atomic<bool> g_quit{false};

extern "C" void requestQuit(int)
{
    g_quit.store(true);
}

struct ServeOptions
{
    std::string listen = "127.0.0.1:8470";
    std::string database;
    double lostAfterSeconds = 120;
    bool openLoopbackReads = false;
    std::string tlsCertificate;
    std::string tlsKey;
    int maxBodyMegabytes = 64;
    std::string webhook;
    bool webhookText = false;
    std::string alertRules;
    std::string publicUrl;
};

/// "HOST:PORT", "[IPv6]:PORT" or ":PORT" (loopback).
bool parseListen(const QString& text, ServerOptions* options, QString* error)
{
    const qsizetype colon = text.lastIndexOf(u':');
    QString host = colon > 0 ? text.left(colon) : QStringLiteral("127.0.0.1");
    if (host.startsWith(u'[') && host.endsWith(u']'))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const int port = colon >= 0 ? text.mid(colon + 1).toInt(&ok) : -1;
    if (host == QLatin1String("localhost"))
        host = QStringLiteral("127.0.0.1");
    const QHostAddress address(host);
    if (!ok || port < 0 || port > 65535 || address.isNull()) {
        *error = QStringLiteral("--listen wants HOST:PORT with a numeric address, e.g. 127.0.0.1:8470 or "
                                "0.0.0.0:8470, not \"%1\"")
                     .arg(text);
        return false;
    }
    options->address = address;
    options->port = static_cast<quint16>(port);
    return true;
}

/// Raises the open-file limit to what the system allows and leaves room under it: connections past the
/// cap are turned away by the service (ConnectionGuard) instead of failing accept() in a busy loop.
int connectionCap(int wanted)
{
    constexpr rlim_t kSpare = 64; // the database, log files, the journal, SSL
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) != 0)
        return wanted;
    if (files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &files);
        ::getrlimit(RLIMIT_NOFILE, &files);
    }
    const rlim_t room = files.rlim_cur > kSpare ? files.rlim_cur - kSpare : 1;
    return static_cast<int>(std::min<rlim_t>(static_cast<rlim_t>(wanted), room));
}

int serve(const ServeOptions& flags, const RegistryLocation& location)
{
    ServerOptions options;
    QString error;
    if (!parseListen(QString::fromStdString(flags.listen), &options, &error))
        return console::fail(error, console::kUsage);
    if (flags.lostAfterSeconds <= 0 || flags.maxBodyMegabytes <= 0)
        return console::fail(QStringLiteral("--lost-after and --max-body-mb must be positive"), console::kUsage);
    if (flags.database.empty()) {
        const auto database = location.localDatabase("serve", &error);
        if (!database)
            return console::fail(error, console::kUsage);
        options.database = *database;
    } else {
        options.database = QString::fromStdString(flags.database);
    }
    if (!flags.webhook.empty()) {
        const QUrl webhook(QString::fromStdString(flags.webhook), QUrl::StrictMode);
        if (!webhook.isValid() ||
            (webhook.scheme() != QLatin1String("http") && webhook.scheme() != QLatin1String("https")) ||
            webhook.host().isEmpty())
            return console::fail(QStringLiteral("--webhook wants an http:// or https:// URL, not \"%1\"")
                                     .arg(QString::fromStdString(flags.webhook)),
                                 console::kUsage);
        options.alerts.webhook = webhook;
        options.alerts.plainText = flags.webhookText;
    }
    if (!flags.publicUrl.empty()) {
        const QUrl page(QString::fromStdString(flags.publicUrl), QUrl::StrictMode);
        if (!page.isValid() || (page.scheme() != QLatin1String("http") && page.scheme() != QLatin1String("https")) ||
            page.host().isEmpty())
            return console::fail(QStringLiteral("--public-url wants an http:// or https:// URL, not \"%1\"")
                                     .arg(QString::fromStdString(flags.publicUrl)),
                                 console::kUsage);
        options.alerts.page = page;
    }
    options.alertRules =
        flags.alertRules.empty() ? AlertRules::defaultPath() : QString::fromStdString(flags.alertRules);
    options.lostAfterMs = static_cast<qint64>(flags.lostAfterSeconds * 1000);
    options.openLoopbackReads = flags.openLoopbackReads;
    options.tlsCertificate = QString::fromStdString(flags.tlsCertificate);
    options.tlsKey = QString::fromStdString(flags.tlsKey);
    options.maxBodyBytes = static_cast<qint64>(flags.maxBodyMegabytes) << 20;
    options.connections.maxConnections = connectionCap(options.connections.maxConnections);
    const bool loopback = options.address.isLoopback();

    RegistryServer server(options);
    if (!server.start(&error))
        return console::fail(error);
    if (!loopback && options.tlsCertificate.isEmpty())
        console::note(QStringLiteral("warning: listening beyond this machine without TLS; tokens cross the network "
                                     "in clear (give --tls-cert and --tls-key)"));
    console::out(QStringLiteral("jikken serve: %1 (registry %2)\n").arg(server.url(), server.store().path()));
    std::fflush(stdout);

    std::signal(SIGINT, requestQuit);
    std::signal(SIGTERM, requestQuit);
    QTimer quitCheck;
    QObject::connect(&quitCheck, &QTimer::timeout, &quitCheck, [] {
        if (g_quit.load())
            QCoreApplication::quit();
    });
    quitCheck.start(100);
    QCoreApplication::exec();
    console::note(QStringLiteral("jikken serve: stopped"));
    return console::kOk;
}

} // namespace

void addServeCommands(CLI::App& app, const RegistryLocation& registry, CommandAction& action)
{
    auto flags = std::make_shared<ServeOptions>();
    CLI::App* serveCommand =
        app.add_subcommand("serve", "Serve the registry over HTTP for several machines and the phone");
    serveCommand->add_option("--listen", flags->listen, "address and port (default 127.0.0.1:8470; port 0 picks one)");
    serveCommand->add_option(
        "--db", flags->database,
        "the database: a SQLite file (default: the local registry) or postgresql://user@host:port/db");
    serveCommand->add_option("--lost-after", flags->lostAfterSeconds,
                             "seconds without a heartbeat before a running model is marked lost (default 120)");
    serveCommand->add_flag("--open-loopback-reads", flags->openLoopbackReads,
                           "let requests from this machine read without a token");
    serveCommand->add_option("--tls-cert", flags->tlsCertificate, "PEM certificate: serve HTTPS");
    serveCommand->add_option("--tls-key", flags->tlsKey, "PEM private key of the certificate");
    serveCommand->add_option("--max-body-mb", flags->maxBodyMegabytes, "largest request body in MiB (default 64)");
    serveCommand->add_option("--webhook", flags->webhook,
                             "URL told (JSON POST, Slack-compatible) when a run finishes, fails, is lost or diverges");
    serveCommand->add_flag("--webhook-text", flags->webhookText,
                           "post the alert as plain text with a Title header (ntfy topic URLs)");
    serveCommand->add_option("--alert-rules", flags->alertRules,
                             "alert rules file (jikken alert; default ~/.config/jikken/alert-rules.json), read "
                             "again when it changes");
    serveCommand->add_option("--public-url", flags->publicUrl,
                             "the phone page's address as the webhook's reader reaches it, for each alert's link "
                             "(default: the address it listens on)");
    serveCommand->callback(
        [&registry, &action, flags] { action = [&registry, flags] { return serve(*flags, registry); }; });

    CLI::App* token = app.add_subcommand("token", "Make, list and revoke the service's access tokens");
    token->require_subcommand(1);
    auto name = std::make_shared<std::string>();
    auto readOnly = std::make_shared<bool>(false);
    CLI::App* create = token->add_subcommand("create", "Make a token and print its secret (shown only once)");
    create->add_option("--name", *name, "who or what holds it, e.g. gpu1 or phone")->required();
    create->add_flag("--read-only", *readOnly, "may read, never write");
    create->callback([&registry, &action, name, readOnly] {
        action = [&registry, name, readOnly] {
            return withLocalStore(registry, "token", [&](RegistryStore& store) {
                QString error;
                const auto secret =
                    AccessTokens(store.database()).create(QString::fromStdString(*name), *readOnly, &error);
                if (!secret)
                    return console::fail(error);
                console::out(*secret + u'\n');
                return console::kOk;
            });
        };
    });
    auto revokeName = std::make_shared<std::string>();
    CLI::App* revoke = token->add_subcommand("revoke", "Revoke a token by name; it stops working within seconds");
    revoke->add_option("NAME", *revokeName, "the token's name")->required();
    revoke->callback([&registry, &action, revokeName] {
        action = [&registry, revokeName] {
            return withLocalStore(registry, "token", [&](RegistryStore& store) {
                QString error;
                if (!AccessTokens(store.database()).revoke(QString::fromStdString(*revokeName), &error))
                    return console::fail(error);
                return console::kOk;
            });
        };
    });
    CLI::App* list = token->add_subcommand("list", "List the tokens (names and rights; secrets are not kept)");
    list->callback([&registry, &action] {
        action = [&registry] {
            return withLocalStore(registry, "token", [&](RegistryStore& store) {
                QString error;
                const QVector<AccessToken> tokens = AccessTokens(store.database()).list(&error);
                if (!error.isEmpty())
                    return console::fail(error);
                QString out = QStringLiteral("NAME                RIGHTS      CREATED                   REVOKED\n");
                for (const AccessToken& t : tokens)
                    out +=
                        QStringLiteral("%1%2%3%4\n")
                            .arg(t.name.leftJustified(20),
                                 (t.readOnly ? QStringLiteral("read") : QStringLiteral("read+write")).leftJustified(12),
                                 t.created.toString(Qt::ISODate).leftJustified(26), t.revoked.toString(Qt::ISODate));
                console::out(out);
                return console::kOk;
            });
        };
    });
}

} // namespace jikken
