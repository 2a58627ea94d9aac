#include "RunAlerts.h"

#include "registry/Divergence.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <cstdio>

namespace jikken {

namespace {

constexpr int kWebhookTimeoutMs = 10'000;

/// `text` as Slack's mrkdwn shows it literally: its three control characters escaped as Slack says, so a
/// reason such as `<!channel> <http://evil.example|click here>` pings no one and disguises no link.
QString slackEscaped(QString text)
{
    return text.replace(u'&', QStringLiteral("&amp;"))
        .replace(u'<', QStringLiteral("&lt;"))
        .replace(u'>', QStringLiteral("&gt;"));
}

} // namespace

RunAlerts::RunAlerts(Options options, QObject* parent) : QObject(parent), m_options(std::move(options)) {}

void RunAlerts::statusSet(const QString& run, const QString& status, const QString& reason)
{
    if (status == QLatin1String("finished") || status == QLatin1String("failed"))
        send(status, run, reason);
}

void RunAlerts::lost(const QString& run, const QString& why)
{
    send(QStringLiteral("lost"), run, why);
}

void RunAlerts::testError(const QString& run, double value)
{
    if (const QString why = Divergence::inTestError(value); !why.isEmpty())
        diverged(run, why);
}

void RunAlerts::pointsStored(const QString& run, const QVector<TaggedSeries>& batch)
{
    if (const QString why = Divergence::inSeries(batch); !why.isEmpty())
        diverged(run, why);
}

void RunAlerts::ruleHolds(const QString& event, const QString& run, const QString& detail)
{
    send(event, run, detail);
}

void RunAlerts::setPage(const QUrl& page)
{
    if (m_options.page.isEmpty())
        m_options.page = page;
}

void RunAlerts::diverged(const QString& run, const QString& detail)
{
    if (m_diverged.contains(run))
        return;
    m_diverged.insert(run);
    send(QStringLiteral("diverged"), run, detail);
}

void RunAlerts::send(const QString& event, const QString& run, const QString& detail)
{
    m_recent.prepend({QDateTime::currentDateTimeUtc(), event, run, detail});
    if (m_recent.size() > kKept)
        m_recent.removeLast();
    if (m_options.webhook.isEmpty())
        return;
    const QString text = detail.isEmpty() ? QStringLiteral("%1 %2").arg(run, event)
                                          : QStringLiteral("%1 %2: %3").arg(run, event, detail);
    QUrl page = m_options.page;
    if (!page.isEmpty())
        page.setFragment(run);
    const QString link = page.toString(QUrl::FullyEncoded);
    QNetworkRequest request(m_options.webhook);
    request.setTransferTimeout(kWebhookTimeoutMs);
    QByteArray body;
    if (m_options.plainText) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("text/plain; charset=utf-8"));
        request.setRawHeader("Title", QStringLiteral("Jikken: %1 %2").arg(run, event).toUtf8());
        if (!link.isEmpty())
            request.setRawHeader("Click", link.toUtf8());
        body = text.toUtf8();
    } else {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
        // `text` is what Slack (and chat hooks like it) shows, as markup; `detail` stays the reason as given.
        body = QJsonDocument(
                   QJsonObject{{QStringLiteral("event"), event},
                               {QStringLiteral("run"), run},
                               {QStringLiteral("detail"), detail},
                               {QStringLiteral("link"), link},
                               {QStringLiteral("text"), slackEscaped(link.isEmpty() ? text : text + u' ' + link)}})
                   .toJson(QJsonDocument::Compact);
    }
    QNetworkReply* reply = m_network.post(request, body);
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if ((reply->error() != QNetworkReply::NoError || status >= 300) && !m_warned) {
            m_warned = true; // once: a webhook that is down must not fill the log
            std::fprintf(stderr, "jikken serve: the webhook %s did not take an alert: %s\n",
                         qPrintable(m_options.webhook.toDisplayString()),
                         qPrintable(status ? QStringLiteral("HTTP %1").arg(status) : reply->errorString()));
        }
    });
}

} // namespace jikken
