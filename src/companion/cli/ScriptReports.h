#pragma once

#include "registry/RunRecord.h"

#include <QFile>
#include <QJsonObject>
#include <QStringList>

#include <optional>

namespace jikken {

/// What a script tells about its own run through the Python package (`jikken.init`, `run.finish`): one JSON
/// object a line in `script-reports.jsonl` in the run's logdir, which `jikken run` follows as it follows the
/// event files, and delivers through its own journal. Each line sets what it names; a later line wins:
///
///     {"describe": {"model": "resnet18", "dataset": "cifar10", "hparams": {"lr": 0.1}, "command": "…",
///                   "git_commit": "…", "git_dirty": false, "host": "…", "device": "cuda:0",
///                   "versions": {"python": "3.11.2", "torch": "2.5.1"}}}
///     {"memo": "gamma 2"}   {"labels": ["ablation"]}   {"results": {"test_error": 0.21}}
///     {"end": {"status": "finished" | "failed" | "stopped", "reason": "…"}}
///
/// A line that is not whole yet waits for the next poll; a malformed one is skipped with a warning naming it.
class ScriptReports
{
public:
    static constexpr const char* kFileName = "script-reports.jsonl";

    /// Everything the script said so far.
    struct State
    {
        QString model;
        QString dataset;
        QJsonObject hparams;
        QString command;
        QString gitCommit;
        std::optional<bool> gitDirty;
        QString host;
        QString device;
        QJsonObject versions;
        std::optional<QString> memo;
        std::optional<QStringList> labels;
        QJsonObject results;
        std::optional<RunStatus> end;
        QString endReason;
    };

    explicit ScriptReports(const QString& logDir);

    /// Reads the lines written since the last poll; true when any of them changed the state.
    bool poll(QStringList* warnings);
    const State& state() const { return m_state; }

private:
    /// Takes one line's object into the state; why it cannot, or empty.
    QString take(const QJsonObject& report);

    QFile m_file;
    QByteArray m_partial; ///< the start of a line whose end is not written yet
    int m_line = 0;
    State m_state;
};

} // namespace jikken
