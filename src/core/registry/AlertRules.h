#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QVector>

#include <optional>

namespace jikken {

/// A condition of a run the user wants to hear of (beyond finished, failed, lost and diverged, which are
/// always told). The rules file holds a list of them:
///
///     {"rules": [{"name": "stalled-60m", "kind": "stalled", "minutes": 60},
///                {"name": "gpu-idle", "kind": "gpu_idle", "below": 10, "minutes": 30},
///                {"name": "target", "kind": "crossing", "metric": "test/error", "below": 0.05},
///                {"name": "flat", "kind": "not_improving", "metric": "test/error", "epochs": 5, "mode": "min"}]}
struct AlertRule
{
    enum class Kind {
        Stalled,      ///< running, and no new step for `minutes`
        GpuIdle,      ///< running, and system/gpu_utilization under `threshold` % for `minutes`
        Crossing,     ///< `metric` went below (`below`) or above `threshold`
        NotImproving, ///< `metric` not better than its best for `epochs` evaluations (test/* metrics: epochs)
    };

    QString name; ///< what `jikken alert rm` takes; unique in a file
    Kind kind = Kind::Stalled;
    double minutes = 0;
    double threshold = 0;
    QString metric;
    bool below = true; ///< Crossing: fires under the threshold (else over); NotImproving: lower is better
    int epochs = 0;

    /// "test/error below 0.05": what it watches, for `jikken alert ls` and the alerts it sends.
    QString describe() const;
    /// "stalled", "gpu_idle", "crossing", "not_improving": the event its alerts carry.
    QString event() const;
    QJsonObject toJson() const;
    /// Strict: a field missing, mistyped, out of range or unknown for its kind is an error naming it.
    static std::optional<AlertRule> fromJson(const QJsonObject& json, QString* error);
};

namespace AlertRules {

/// `~/.config/jikken/alert-rules.json`: the rules of `jikken alert`, `jikken serve` and the desktop.
QString defaultPath();
/// The rules in `path`; none when there is no such file. An unreadable file, or one bad rule, is an error
/// naming the file and the rule.
std::optional<QVector<AlertRule>> read(const QString& path, QString* error);
/// Replaces the file whole (never a half-written one); the folder is made when missing.
bool write(const QString& path, const QVector<AlertRule>& rules, QString* error);

/// A rules file followed by its modification time, so `jikken alert add` applies to what judges them
/// without a restart.
class Followed
{
public:
    explicit Followed(QString path) : m_path(std::move(path)) {}
    const QString& path() const { return m_path; }
    /// The rules, when the file changed since they were last read (none when it is gone); nullopt when it
    /// did not, or when it cannot be read (then `error` says why, and it is tried again next time).
    std::optional<QVector<AlertRule>> changed(QString* error);

private:
    QString m_path;
    std::optional<QDateTime> m_read; ///< the modification time read (invalid: no file); none: not read yet
};

} // namespace AlertRules

} // namespace jikken
