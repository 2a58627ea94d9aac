#include "ViewerRun.h"

#include "ids/ModelId.h"
#include "spec/RunSpec.h"

#include <QRegularExpression>

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

qint64 ViewerRun::pointCount() const
{
    qint64 count = 0;
    for (const ScalarSeries& series : scalars)
        count += series.size();
    return count;
}

} // namespace jikken
