#pragma once

#include "events/RunScalars.h"
#include "registry/RunRecord.h"
#include "series/ScalarSeries.h"

#include <QMap>
#include <QString>

#include <optional>

namespace jikken {

/// One run as the plot viewer shows it, wherever it came from: a registry model or a run folder of a
/// TensorBoard logdir (named by its model ID where its path has one).
struct ViewerRun
{
    QString key;                         ///< unique in the viewer: the model ID, else "LOGDIR:RUN"
    QString name;                        ///< what legends and tables say: the model ID, else the run's folder
    QString source;                      ///< the logdir or the registry it was read from
    std::optional<RunRecord> record;     ///< what the registry knows about it, when it knows it
    QMap<QString, ScalarSeries> scalars; ///< by tag; steps ascend
    /// By tag, every point in the order the event files hold it, only for tags where that differs from
    /// `scalars` (a step logged twice, steps going back after a restart): what a CSV export writes, as
    /// `jikken events` does.
    QMap<QString, ScalarSeries> scalarsAsLogged;
    QMap<QString, LoggedMedia> images; ///< by tag, the latest: a confusion matrix, a class distribution
    QMap<QString, LoggedMedia> texts;  ///< by tag, the latest Markdown
    QJsonObject loggedHyperparameters; ///< what the event files' HParams say (no registry needed)

    /// The registry's hyperparameters where it has them, else the logged ones; those that applied to the
    /// run (`RunSpec::applicable`).
    QJsonObject hyperparameters() const;

    /// The record's method, else the method part of a model-ID name; empty otherwise.
    QString method() const;
    /// `pattern` with each {field} filled in: {id} (the name), {method}, {model}, {dataset}, {status}, or
    /// any hyperparameter ({lr}); "–" where the run has no such value. A legend: "{id} · {model} · lr={lr}".
    QString label(const QString& pattern) const;
    qint64 pointCount() const;
    /// Steps per epoch: the registry record's progress, else what a logged `epoch` scalar says (Keras and
    /// Lightning log one); none when neither is there.
    std::optional<double> stepsPerEpoch() const;
};

} // namespace jikken
