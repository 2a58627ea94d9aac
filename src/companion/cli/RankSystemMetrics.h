#pragma once

#include "SystemMetrics.h"

#include <QPair>
#include <QString>
#include <QVector>

namespace jikken {

class Rendezvous;

/// The machine metrics of a data-parallel run's other ranks, logged by rank 0 (the one that reports): each
/// rank puts its latest sample at the rendezvous, and rank 0 logs what it finds there beside its own, as
/// `system/rank1/cpu_percent`, `system/rank1/gpu_utilization`, … (rank 0's keep their names, `system/…`).
namespace rank_system {

/// Rank `rank`'s sample, put at the rendezvous for rank 0.
void publish(Rendezvous& rendezvous, int rank, const QVector<SystemMetrics::Sample>& samples);
/// The latest sample each of ranks 1 … worldSize-1 has put there, as (tag, value); none of a rank that has
/// put none yet. Waits for nothing.
QVector<QPair<QString, double>> gather(Rendezvous& rendezvous, int worldSize);

} // namespace rank_system

} // namespace jikken
