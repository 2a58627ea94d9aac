#pragma once

#include "registry/AlertWatch.h"
#include "registry/RunRecord.h"

#include <QObject>
#include <QTimer>

#include <functional>

namespace jikken {

class RegistryReader;

/// The user's alert rules (the file `jikken alert` keeps) judged by the desktop for the runs it sees, as
/// `jikken serve` judges them for its webhook: so a desktop on a local registry, which has no service,
/// hears of a stalled run or an idle GPU too. Each rule holds once per run; the file is read again when it
/// changes. New points of the tags the rules watch are read for running runs, off the GUI thread.
class RuleAlerts : public QObject
{
    Q_OBJECT

public:
    using Clock = std::function<QDateTime()>;
    static constexpr int kCheckMs = 15'000;

    RuleAlerts(RegistryReader& reader, QString rulesPath, QObject* parent = nullptr);

    /// The runs as the table has them now (all of them).
    void runsSeen(const QVector<RunRecord>& runs);
    /// Reads the running runs' new points and judges the rules now (the timer does it every kCheckMs).
    void check();
    /// For tests: the time the rules are judged at.
    void setClock(Clock clock) { m_clock = std::move(clock); }

Q_SIGNALS:
    /// "20190705_01_focalloss stalled: no new step for 61 min (at step 4700) (rule …)".
    void ruleHolds(const QString& run, const QString& text);

private:
    QDateTime now() const { return m_clock ? m_clock() : QDateTime::currentDateTimeUtc(); }
    void reload();
    /// The tags the rules read points of.
    QStringList watchedTags() const;
    void tell();

    RegistryReader& m_reader;
    AlertRules::Followed m_file;
    AlertWatch m_watch;
    QStringList m_running;
    QHash<QString, qint64> m_readUpTo; ///< by "run\ntag": the last step of it read
    bool m_reading = false;
    QTimer m_timer;
    Clock m_clock;
};

} // namespace jikken
