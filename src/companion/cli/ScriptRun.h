#pragma once

#include "ScriptReports.h"
#include "SystemMetrics.h"
#include "events/ScalarFollower.h"
#include "registry/RegistryClient.h"

#include <QHash>
#include <QJsonObject>

#include <memory>
#include <optional>

namespace jikken {

/// What the user said of a script's run on `jikken run`'s command line.
struct ScriptFacts
{
    QString model;
    QString dataset;
    QJsonObject hparams; ///< --hparam KEY=VALUE
    QString metric;      ///< --metric: the tag whose last and best values are the run's results
    bool maximize = false;
};

/// A script of the user's own as the registry sees it while it runs: the event files it writes (scalars,
/// and the HParams plugin's hyperparameters), what it says through the Python package (`ScriptReports`),
/// the machine use of its process tree, all sent to the registry; at its end, its results.
/// What the run's record says is, by precedence: --hparam/--model/--dataset, then the script's own reports,
/// then the HParams plugin's; the command, host and git state are `jikken run`'s own where it knows them.
class ScriptRun
{
public:
    ScriptRun(RegistryClient& registry, QString id, QString logDir, RunDescription base, ScriptFacts facts);
    ~ScriptRun();

    /// Measures the machine use of `pid`'s process tree from now on, and keeps its interpreter's packages
    /// (`pip freeze`) in the record when it is a Python.
    void watchProcess(qint64 pid);
    /// Sends what the event files and reports gained since the last call; describes the run again when
    /// what it says of itself changed.
    void poll();
    /// The script's tree's CPU, memory and GPU use as `system/*` scalars.
    void sampleSystem();
    /// A sign of life while the script logs nothing.
    void heartbeat();

    const ScriptReports::State& reports() const { return m_reports.state(); }
    /// The script's results, with --metric's last and best value of its tag.
    QJsonObject results() const;

private:
    void warn(const QString& error);
    RunDescription description() const;
    void sendScalars(const QVector<ScalarPoint>& points);

    RegistryClient& m_registry;
    QString m_id;
    RunDescription m_base;
    ScriptFacts m_facts;
    ScalarFollower m_follower;
    ScriptReports m_reports;
    std::unique_ptr<SystemMetrics> m_system;
    QJsonObject m_pluginHparams;
    qint64 m_newestStep = 0;
    std::optional<ScalarPoint> m_lastOfMetric;
    std::optional<ScalarPoint> m_bestOfMetric;
    bool m_described = false;
    bool m_warned = false;
};

} // namespace jikken
