#include "StoredText.h"

namespace jikken::StoredText {

namespace {

/// C0 and C1 controls and DEL: no tag holds them (a NUL ends a C string, PostgreSQL refuses it).
bool isControl(QChar c)
{
    return c.unicode() < 0x20 || (c.unicode() >= 0x7f && c.unicode() < 0xa0);
}

} // namespace

QString tagError(const QString& tag)
{
    if (tag.isEmpty())
        return QStringLiteral("tag: a tag name is empty");
    if (!QStringView(tag).isValidUtf16())
        return QStringLiteral("tag: \"%1\" is not valid Unicode (a lone surrogate)").arg(tag.left(64));
    const qsizetype bytes = tag.toUtf8().size();
    if (bytes > kMaxTagBytes)
        return QStringLiteral("tag: a tag name has at most %1 bytes of UTF-8 (this one has %2)")
            .arg(kMaxTagBytes)
            .arg(bytes);
    for (QChar c : tag) {
        if (isControl(c))
            return QStringLiteral("tag: \"%1\" holds a control character (U+%2)")
                .arg(QString(tag).replace(c, u'?').left(64))
                .arg(c.unicode(), 4, 16, QLatin1Char('0'));
    }
    return {};
}

bool isStep(qint64 step)
{
    return step >= 0 && step <= kMaxStep;
}

QString stepError(qint64 step, const QString& field)
{
    return isStep(step) ? QString()
                        : QStringLiteral("%1: %2 is not a step (a whole number from 0 to 2^53)").arg(field).arg(step);
}

// Both run once per point of every batch: the message for a bad step is made only when there is one.

QString seriesError(const QVector<TaggedSeries>& batch)
{
    for (const TaggedSeries& tagged : batch) {
        if (QString problem = tagError(tagged.tag); !problem.isEmpty())
            return problem;
        for (qint64 step : tagged.series.steps) {
            if (!isStep(step))
                return stepError(step, tagged.tag + QStringLiteral(": step"));
        }
    }
    return {};
}

QString pointsError(const QVector<ScalarPoint>& points)
{
    const QString* checked = nullptr; // points come in runs of one tag: each tag is checked once per run
    for (const ScalarPoint& point : points) {
        if (!checked || *checked != point.tag) {
            if (QString problem = tagError(point.tag); !problem.isEmpty())
                return problem;
            checked = &point.tag;
        }
        if (!isStep(point.step))
            return stepError(point.step, point.tag + QStringLiteral(": step"));
    }
    return {};
}

QString clippedReason(const QString& reason)
{
    const QByteArray utf8 = reason.toUtf8();
    if (utf8.size() <= kMaxReasonBytes)
        return reason;
    const QString marker = QStringLiteral(" … [cut: %1 bytes]").arg(utf8.size());
    qsizetype keep = kMaxReasonBytes - marker.toUtf8().size();
    while (keep > 0 && (static_cast<uchar>(utf8[keep]) & 0xc0) == 0x80) // not inside a character
        --keep;
    return QString::fromUtf8(utf8.left(keep)) + marker;
}

qsizetype characters(const QString& text)
{
    qsizetype count = 0;
    for (qsizetype i = 0; i < text.size(); ++i, ++count) {
        if (text[i].isHighSurrogate() && i + 1 < text.size() && text[i + 1].isLowSurrogate())
            ++i; // a pair is one character
    }
    return count;
}

} // namespace jikken::StoredText
