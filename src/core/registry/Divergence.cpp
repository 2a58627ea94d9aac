#include "Divergence.h"

#include <cmath>

namespace jikken::Divergence {

bool watches(const QString& tag)
{
    return tag.contains(QLatin1String("loss"), Qt::CaseInsensitive);
}

QString inSeries(const QVector<TaggedSeries>& batch)
{
    for (const TaggedSeries& tagged : batch) {
        if (!watches(tagged.tag))
            continue;
        for (int i = 0; i < tagged.series.size(); ++i) {
            if (!std::isfinite(tagged.series.values[i]))
                return QStringLiteral("%1 is %2 at step %3")
                    .arg(tagged.tag)
                    .arg(tagged.series.values[i])
                    .arg(tagged.series.steps[i]);
        }
    }
    return {};
}

QString inTestError(std::optional<double> testError)
{
    return testError && !std::isfinite(*testError) ? QStringLiteral("test error %1").arg(*testError) : QString();
}

} // namespace jikken::Divergence
