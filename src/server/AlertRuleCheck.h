#pragma once

#include "RunAlerts.h"
#include "registry/AlertWatch.h"
#include "registry/RegistryStore.h"

#include <QDateTime>
#include <QObject>
#include <QTimer>

namespace jikken {

/// The user's alert rules (AlertRules) judged in the service: a run's points as they are stored, the running
/// runs' steps every `intervalMs`; what holds is told through RunAlerts (the webhook and the phone page),
/// once per rule and run. The rules file is read again when it changes, so `jikken alert add` and `rm`
/// apply without a restart.
class AlertRuleCheck : public QObject
{
    Q_OBJECT

public:
    AlertRuleCheck(RegistryStore& store, RunAlerts& alerts, QString rulesPath, RegistryStore::Clock clock,
                   QObject* parent = nullptr);

    /// Reads the rules and starts judging; false with `error` for a rules file it cannot read.
    bool start(int intervalMs, QString* error);
    void pointsStored(const QString& run, const QVector<TaggedSeries>& batch);

private:
    QDateTime now() const;
    /// Reads the rules file again when it changed; a bad one is said once and the rules before it kept.
    void reload();
    void check();
    void tell(const QVector<AlertWatch::Alert>& alerts);

    RegistryStore& m_store;
    RunAlerts& m_alerts;
    AlertRules::Followed m_file;
    RegistryStore::Clock m_clock;
    AlertWatch m_watch;
    QString m_badFile; ///< the last problem said of the file
    QTimer m_timer;
};

} // namespace jikken
