#pragma once

#include <QVector>

namespace jikken::Smoothing {

/// TensorBoard's scalar smoothing: an exponential moving average with the start-up bias divided out
/// (`1 - weight^n`), so the first points are not pulled towards zero. Non-finite values pass through
/// untouched and do not enter the average; a constant series stays exactly constant. `weight` is the slider
/// value in [0, 1): 0 leaves the values as they are. Gives the numbers TensorBoard shows.
QVector<double> debiasedEma(const QVector<double>& values, double weight);

} // namespace jikken::Smoothing
