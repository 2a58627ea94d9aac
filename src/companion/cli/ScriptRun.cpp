#include "ScriptRun.h"

#include "Console.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QRegularExpression>

#include <cmath>

namespace jikken {

namespace {

/// Prints the interpreter's version, then its installed distributions as `pip freeze` names them, without
/// needing pip (Debian's python3 has none): importlib.metadata from 3.8, pkg_resources before.
constexpr const char* kListPackages = R"(import sys
print(sys.version.split()[0])
try:
    from importlib import metadata
    names = {"%s==%s" % (d.metadata["Name"], d.version) for d in metadata.distributions() if d.metadata["Name"]}
except ImportError:
    import pkg_resources
    names = {"%s==%s" % (d.project_name, d.version) for d in pkg_resources.working_set}
print("\n".join(sorted(names, key=str.lower)))
)";

/// The Python running as `pid`, and its packages, into `versions`; nothing when it is not a Python.
void addPythonPackages(qint64 pid, QJsonObject* versions)
{
    const QString interpreter = QFileInfo(QStringLiteral("/proc/%1/exe").arg(pid)).symLinkTarget();
    if (!QFileInfo(interpreter).fileName().startsWith(QLatin1String("python")))
        return;
    QProcess python;
    python.start(interpreter, {QStringLiteral("-c"), QString::fromLatin1(kListPackages)});
    if (!python.waitForFinished(30000) || python.exitStatus() != QProcess::NormalExit || python.exitCode() != 0) {
        python.kill();
        python.waitForFinished(1000);
        return;
    }
    QStringList lines = QString::fromUtf8(python.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
    if (lines.isEmpty())
        return;
    versions->insert(QStringLiteral("python"), lines.takeFirst().trimmed());
    versions->insert(QStringLiteral("packages"), QJsonArray::fromStringList(lines));
}

/// A tag as a results key: `test/error` -> `test_error`.
QString resultKey(const QString& tag)
{
    static const QRegularExpression other(QStringLiteral("[^A-Za-z0-9]+"));
    return QString(tag).replace(other, QStringLiteral("_"));
}

/// `base` with `over`'s keys set over it.
QJsonObject merged(QJsonObject base, const QJsonObject& over)
{
    for (auto it = over.begin(); it != over.end(); ++it)
        base.insert(it.key(), it.value());
    return base;
}

} // namespace

ScriptRun::ScriptRun(RegistryClient& registry, QString id, QString logDir, RunDescription base, ScriptFacts facts)
    : m_registry(registry), m_id(std::move(id)), m_base(std::move(base)), m_facts(std::move(facts)), m_follower(logDir),
      m_reports(logDir)
{
}

ScriptRun::~ScriptRun() = default;

void ScriptRun::watchProcess(qint64 pid)
{
    m_system = std::make_unique<SystemMetrics>(
        m_base.device.isEmpty() ? QStringLiteral("cpu") : QStringLiteral("cuda:0"), pid);
    addPythonPackages(pid, &m_base.versions);
    m_described = false;
}

void ScriptRun::warn(const QString& error)
{
    if (!m_warned)
        console::note(QStringLiteral("warning: %1 (the script goes on)").arg(error));
    m_warned = true;
}

RunDescription ScriptRun::description() const
{
    const ScriptReports::State& said = m_reports.state();
    RunDescription d = m_base;
    const auto pick = [](const QString& first, const QString& second, const QString& third = {}) {
        return !first.isEmpty() ? first : !second.isEmpty() ? second : third;
    };
    d.model = pick(m_facts.model, said.model);
    d.dataset = pick(m_facts.dataset, said.dataset);
    d.hparams = merged(merged(m_pluginHparams, said.hparams), m_facts.hparams);
    d.command = pick(m_base.command, said.command);
    d.host = pick(m_base.host, said.host);
    d.device = pick(said.device, m_base.device);
    if (d.gitCommit.isEmpty() && !said.gitCommit.isEmpty()) {
        d.gitCommit = said.gitCommit;
        d.gitDirty = said.gitDirty.value_or(false);
    }
    d.versions = merged(m_base.versions, said.versions);
    return d;
}

void ScriptRun::sendScalars(const QVector<ScalarPoint>& points)
{
    QString error;
    if (!m_registry.addScalars(m_id, points, &error))
        warn(error);
}

void ScriptRun::poll()
{
    QStringList warnings;
    const QVector<ScalarPoint> points = m_follower.poll(&warnings);
    const bool reported = m_reports.poll(&warnings);
    for (const QString& warning : warnings)
        warn(warning);
    QString error;
    const ScriptReports::State& said = m_reports.state();
    const QJsonObject pluginHparams = m_follower.hyperparameters();
    if (!m_described || reported || pluginHparams != m_pluginHparams) {
        m_pluginHparams = pluginHparams;
        if (!m_registry.describe(m_id, description(), &error))
            warn(error);
        if (said.memo && !m_registry.setMemo(m_id, *said.memo, &error))
            warn(error);
        if (said.labels && !m_registry.setLabels(m_id, *said.labels, &error))
            warn(error);
        m_described = true;
    }
    if (points.isEmpty())
        return;
    std::optional<double> testError;
    for (const ScalarPoint& p : points) {
        m_newestStep = std::max(m_newestStep, p.step);
        if (p.tag == QLatin1String("test/error"))
            testError = p.value;
        if (p.tag == m_facts.metric) {
            m_lastOfMetric = p;
            const bool better = !m_bestOfMetric || std::isnan(m_bestOfMetric->value) ||
                                (m_facts.maximize ? p.value > m_bestOfMetric->value : p.value < m_bestOfMetric->value);
            if (better && !std::isnan(p.value))
                m_bestOfMetric = p;
        }
    }
    sendScalars(points);
    // Progress carries the newest step and test error: a sign of life, and the table's error column.
    if (!m_registry.reportProgress(m_id, 0, m_newestStep, testError, &error))
        warn(error);
}

void ScriptRun::sampleSystem()
{
    if (!m_system)
        return;
    QVector<ScalarPoint> points;
    const double now = static_cast<double>(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
    for (const SystemMetrics::Sample& sample : m_system->sample())
        points.append({QString::fromLatin1(sample.tag), m_newestStep, now, sample.value});
    if (!points.isEmpty())
        sendScalars(points);
}

void ScriptRun::heartbeat()
{
    QString ignored; // a missed heartbeat is made up by the next report
    m_registry.heartbeat(m_id, &ignored);
}

QJsonObject ScriptRun::results() const
{
    QJsonObject results;
    if (m_lastOfMetric) {
        const QString key = resultKey(m_facts.metric);
        results.insert(key, m_lastOfMetric->value);
        if (m_bestOfMetric) {
            results.insert(QStringLiteral("best_") + key, m_bestOfMetric->value);
            results.insert(QStringLiteral("best_step"), static_cast<double>(m_bestOfMetric->step));
        }
    }
    return merged(results, m_reports.state().results);
}

} // namespace jikken
