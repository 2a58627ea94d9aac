#pragma once

#include "series/ScalarSeries.h"

#include <QDateTime>
#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QSet>
#include <QString>
#include <QUrl>

namespace jikken {

/// Tells a webhook when a run ends or goes wrong: finished, failed, lost (silent past --lost-after) and
/// diverged (a loss or test error that became NaN or infinite; once per run). One JSON POST per event:
///
///     {"event": "failed", "run": "20190705_01_focalloss", "detail": "CUDA out of memory",
///      "link": "http://lab:8470/#20190705_01_focalloss",
///      "text": "20190705_01_focalloss failed: CUDA out of memory http://lab:8470/#20190705_01_focalloss"}
///
/// which Slack's incoming webhooks show by its "text" (which ends with `link`, the run on the phone page);
/// `plainText` posts the text alone, with the event as a Title header and the link as a Click header, as
/// ntfy's topic URLs take it. The user's alert rules (AlertRuleCheck) are told the same way. Sent and forgotten: a
/// webhook that is down loses its alerts (said once on stderr), never a report. The latest alerts are also kept,
/// webhook or not, for `GET /api/v1/alerts` and the phone page (since the service started).
class RunAlerts : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        QUrl webhook; ///< empty: no alerts
        bool plainText = false;
        /// Where the phone page is, as the webhook's reader reaches it; each alert links to its run there.
        /// Empty: the address the service listens on.
        QUrl page;
    };

    struct Alert
    {
        QDateTime time;
        QString event; ///< finished, failed, lost, diverged
        QString run;
        QString detail;
    };
    /// How many alerts `recent` keeps.
    static constexpr int kKept = 50;

    explicit RunAlerts(Options options, QObject* parent = nullptr);

    /// The latest alerts, newest first.
    const QList<Alert>& recent() const { return m_recent; }

    /// A run's status was set (a report applied, not a copy sent again).
    void statusSet(const QString& run, const QString& status, const QString& reason);
    void lost(const QString& run, const QString& why);
    /// A progress report's test error.
    void testError(const QString& run, double value);
    /// A stored batch of points: a tag with "loss" in its name that holds NaN or an infinity.
    void pointsStored(const QString& run, const QVector<TaggedSeries>& batch);
    /// One of the user's alert rules holds for a run (AlertRuleCheck tells each once).
    void ruleHolds(const QString& event, const QString& run, const QString& detail);
    /// The phone page's address, unless Options gave one.
    void setPage(const QUrl& page);

private:
    void diverged(const QString& run, const QString& detail);
    void send(const QString& event, const QString& run, const QString& detail);

    Options m_options;
    QNetworkAccessManager m_network;
    QSet<QString> m_diverged; ///< runs already reported diverged
    QList<Alert> m_recent;
    bool m_warned = false;
};

} // namespace jikken
