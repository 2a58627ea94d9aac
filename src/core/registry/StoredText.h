#pragma once

#include "RunRecord.h"
#include "series/ScalarSeries.h"

#include <QString>
#include <QStringList>
#include <QVector>

namespace jikken {

/// What the registry stores, bounded and valid, on both backends and through the service alike: text that
/// one database takes and another refuses (a NUL in PostgreSQL), or that grows without end (a 5 MB status
/// reason), must not reach either. The store checks with these; the service and the journal check first, so
/// a bad report is refused once (and set aside) instead of failing in the database on every retry.
namespace StoredText {

/// A tag name: 1 to 1,024 bytes of UTF-8.
constexpr int kMaxTagBytes = 1024;
/// A status reason: longer ones are cut to this many bytes, with a marker saying so.
constexpr int kMaxReasonBytes = 4096;
/// Steps are whole numbers in [0, 2^53]: beyond that a JSON number (a double) cannot hold every step.
constexpr qint64 kMaxStep = qint64(1) << 53;

/// Why `tag` cannot name a series (empty, too long, not valid UTF-16/UTF-8, a NUL or another control
/// character), or empty.
QString tagError(const QString& tag);
/// Whether `step` can be stored: a whole number in [0, kMaxStep].
bool isStep(qint64 step);
/// Why `step` cannot be stored (the field named), or empty.
QString stepError(qint64 step, const QString& field = QStringLiteral("step"));
/// Why this batch of scalars cannot be stored (the first bad tag or step named), or empty.
QString seriesError(const QVector<TaggedSeries>& batch);
QString pointsError(const QVector<ScalarPoint>& points);
/// The reason as stored: at most kMaxReasonBytes of UTF-8, cut on a character boundary with
/// " … [cut: N bytes]" at the end when it was longer.
QString clippedReason(const QString& reason);
/// Characters (code points) in `text`: an emoji is one, as the user counts, not two UTF-16 units.
qsizetype characters(const QString& text);

} // namespace StoredText

} // namespace jikken
