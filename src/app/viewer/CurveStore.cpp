#include "CurveStore.h"

#include "viewer/RunLibrary.h"

namespace jikken {

const ChartCurve* CurveStore::curve(const QString& key, const QString& tag, double weight)
{
    QHash<QString, ChartCurve>& curves = m_curves[key];
    auto it = curves.find(tag);
    if (it == curves.end()) {
        const ViewerRun* run = m_library.run(key);
        if (!run || !run->scalars.contains(tag))
            return nullptr;
        it = curves.insert(tag, ChartCurve(run->scalars.value(tag), true)); // shares the run's values
        it->setStepsPerEpoch(run->stepsPerEpoch().value_or(1));
    }
    it->setSmoothing(weight);
    return &*it;
}

void CurveStore::forget(const QString& key)
{
    m_curves.remove(key);
}

} // namespace jikken
