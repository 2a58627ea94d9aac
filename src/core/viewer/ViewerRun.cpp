#include "ViewerRun.h"

#include "ids/ModelId.h"

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
    return record && !record->hparams.isEmpty() ? record->hparams : loggedHyperparameters;
}

qint64 ViewerRun::pointCount() const
{
    qint64 count = 0;
    for (const ScalarSeries& series : scalars)
        count += series.size();
    return count;
}

} // namespace jikken
