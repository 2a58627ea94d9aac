#include "CurveStore.h"

#include "viewer/RunLibrary.h"

namespace jikken {

namespace {

ChartCurve curveOf(const ViewerRun& run, const QString& tag)
{
    ChartCurve curve(run.scalars.value(tag), true); // shares the run's values
    curve.setStepsPerEpoch(run.stepsPerEpoch().value_or(1));
    return curve;
}

} // namespace

const ChartCurve* CurveStore::curve(const QString& key, const QString& tag, double weight)
{
    QHash<QString, ChartCurve>& curves = m_curves[key];
    auto it = curves.find(tag);
    if (it == curves.end()) {
        const ViewerRun* run = m_library.run(key);
        if (!run || !run->scalars.contains(tag))
            return nullptr;
        it = curves.insert(tag, curveOf(*run, tag));
    }
    it->setSmoothing(weight);
    return &*it;
}

QHash<QString, ChartCurve> CurveStore::make(const ViewerRun& run, const QStringList& tags, double weight)
{
    QHash<QString, ChartCurve> curves;
    for (const QString& tag : tags) {
        if (!run.scalars.contains(tag))
            continue;
        ChartCurve& curve = curves.insert(tag, curveOf(run, tag)).value();
        curve.setSmoothing(weight);
    }
    return curves;
}

void CurveStore::take(const QString& key, const QHash<QString, ChartCurve>& curves)
{
    const ViewerRun* run = m_library.run(key);
    if (!run)
        return;
    QHash<QString, ChartCurve>& held = m_curves[key];
    for (auto it = curves.cbegin(); it != curves.cend(); ++it) // its record (epochs) may have come since
        held.insert(it.key(), it.value())->setStepsPerEpoch(run->stepsPerEpoch().value_or(1));
}

void CurveStore::forget(const QString& key)
{
    m_curves.remove(key);
}

} // namespace jikken
