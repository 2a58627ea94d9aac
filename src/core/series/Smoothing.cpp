#include "Smoothing.h"

#include <algorithm>
#include <cmath>

namespace jikken::Smoothing {

QVector<double> debiasedEma(const QVector<double>& values, double weight)
{
    QVector<double> smoothed(values.size());
    // TensorBoard leaves a constant series alone: the average would drift from it by rounding.
    const bool constant = std::all_of(values.begin(), values.end(), [&](double v) { return v == values.first(); });
    double last = 0;
    double weightPower = 1; // weight^n for the n values averaged so far: a product, as pow() per point is slow
    for (qsizetype i = 0; i < values.size(); ++i) {
        const double value = values[i];
        if (constant || !std::isfinite(value)) {
            smoothed[i] = value;
            continue;
        }
        last = last * weight + (1 - weight) * value;
        weightPower *= weight;
        const double debias = weight == 1 ? 1 : 1 - weightPower;
        smoothed[i] = last / debias;
    }
    return smoothed;
}

} // namespace jikken::Smoothing
