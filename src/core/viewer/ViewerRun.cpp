#include "ViewerRun.h"

#include "ids/ModelId.h"
#include "spec/RunSpec.h"

#include <QRegularExpression>

#include <cmath>

namespace jikken {

QString ViewerRun::method() const
{
    if (record)
        return record->method;
    const auto id = ModelId::parse(name);
    return id ? id->method() : QString();
}

QJsonObject ViewerRun::hyperparameters() const
{
    return RunSpec::applicable(record && !record->hparams.isEmpty() ? record->hparams : loggedHyperparameters);
}

QString ViewerRun::label(const QString& pattern) const
{
    static const QRegularExpression field(QStringLiteral("\\{([^{}]+)\\}"));
    const QJsonObject hparams = hyperparameters();
    QString out;
    qsizetype done = 0;
    for (auto it = field.globalMatch(pattern); it.hasNext();) {
        const QRegularExpressionMatch match = it.next();
        const QString name = match.captured(1);
        QString value;
        if (name == QLatin1String("id") || name == QLatin1String("name"))
            value = this->name;
        else if (name == QLatin1String("method"))
            value = method();
        else if (name == QLatin1String("model") && record)
            value = record->model;
        else if (name == QLatin1String("dataset") && record)
            value = record->dataset;
        else if (name == QLatin1String("status") && record)
            value = toString(record->status);
        if (value.isEmpty() && hparams.contains(name)) {
            const QJsonValue v = hparams.value(name);
            value = v.isDouble() ? QString::number(v.toDouble(), 'g', 6) : v.toVariant().toString();
        }
        out += pattern.mid(done, match.capturedStart() - done) + (value.isEmpty() ? QStringLiteral("–") : value);
        done = match.capturedEnd();
    }
    return out + pattern.mid(done);
}

std::optional<double> ViewerRun::stepsPerEpoch() const
{
    if (record && record->stepsPerEpoch())
        return record->stepsPerEpoch();
    const auto epochs = scalars.constFind(QStringLiteral("epoch"));
    if (epochs == scalars.cend() || epochs->isEmpty())
        return std::nullopt;
    const ScalarSeries::Point last = epochs->last();
    // Logged at the end of epoch N (value N) or its start (value N - 1): N counts the epochs done by then.
    const double done = std::floor(last.value) + (last.value == std::floor(last.value) ? 0 : 1);
    return done > 0 && last.step > 0 ? std::optional<double>(last.step / done) : std::nullopt;
}

qint64 ViewerRun::pointCount() const
{
    qint64 count = 0;
    for (const ScalarSeries& series : scalars)
        count += series.size();
    return count;
}

} // namespace jikken
