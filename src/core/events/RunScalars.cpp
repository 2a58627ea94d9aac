#include "RunScalars.h"

namespace jikken {

void RunScalars::onFileVersion(std::string_view version)
{
    // "brain.Event:2"
    const size_t colon = version.rfind(':');
    if (colon != std::string_view::npos)
        m_fileVersion =
            QString::fromUtf8(version.data() + colon + 1, static_cast<qsizetype>(version.size() - colon - 1))
                .toDouble();
}

void RunScalars::onSessionStart(qint64 step, double wallTime)
{
    Q_UNUSED(wallTime);
    if (m_fileVersion < 2)
        return;
    for (auto& points : m_series)
        dropFrom(points, step);
}

void RunScalars::dropFrom(ScalarSeries& points, qint64 step)
{
    ScalarSeries kept;
    kept.reserve(points.size());
    for (int i = 0; i < points.size(); ++i) {
        if (points.steps[i] < step)
            kept.append(points.steps[i], points.wallTimes[i], points.values[i]);
    }
    if (kept.size() != points.size())
        points = std::move(kept);
}

int RunScalars::tagIndex(std::string_view tag)
{
    // Consecutive records mostly repeat a tag or cycle through a handful: a short linear scan beats
    // hashing. Past a few dozen tags (a sweep logging one tag per setting) the hash keeps reading linear.
    constexpr size_t kScanned = 32;
    if (m_lastTag >= 0 && m_tagKeys[static_cast<size_t>(m_lastTag)] == tag)
        return m_lastTag;
    if (m_tagKeys.size() <= kScanned) {
        for (size_t i = 0; i < m_tagKeys.size(); ++i) {
            if (m_tagKeys[i] == tag)
                return m_lastTag = static_cast<int>(i);
        }
    } else {
        // fromRawData: the lookup copies nothing.
        const auto found =
            m_tagIndexes.constFind(QByteArray::fromRawData(tag.data(), static_cast<qsizetype>(tag.size())));
        if (found != m_tagIndexes.constEnd())
            return m_lastTag = *found;
    }
    m_tagIndexes.insert(QByteArray(tag.data(), static_cast<qsizetype>(tag.size())), static_cast<int>(m_tagKeys.size()));
    m_tagKeys.emplace_back(tag);
    m_tagNames.append(QString::fromUtf8(tag.data(), static_cast<qsizetype>(tag.size())));
    m_series.emplace_back();
    return m_lastTag = static_cast<int>(m_tagKeys.size() - 1);
}

void RunScalars::onScalar(std::string_view tag, qint64 step, double wallTime, double value)
{
    auto& points = m_series[static_cast<size_t>(tagIndex(tag))];
    if (m_fileVersion < 2) {
        if (step < m_mostRecentStep)
            dropFrom(points, step);
        else
            m_mostRecentStep = step;
    }
    points.append(step, wallTime, value);
}

namespace {

void keepLatest(QMap<QString, LoggedMedia>& media, std::string_view tag, qint64 step, double wallTime,
                std::string_view data)
{
    LoggedMedia& latest = media[QString::fromUtf8(tag.data(), static_cast<qsizetype>(tag.size()))];
    ++latest.count;
    if (latest.count > 1 && step < latest.step)
        return;
    latest.step = step;
    latest.wallTime = wallTime;
    latest.data = QByteArray(data.data(), static_cast<qsizetype>(data.size()));
}

} // namespace

void RunScalars::onImage(std::string_view tag, qint64 step, double wallTime, std::string_view encoded)
{
    keepLatest(m_images, tag, step, wallTime, encoded);
}

void RunScalars::onText(std::string_view tag, qint64 step, double wallTime, std::string_view markdown)
{
    keepLatest(m_texts, tag, step, wallTime, markdown);
}

void RunScalars::onHyperparameter(std::string_view name, const QJsonValue& value)
{
    m_hyperparameters.insert(QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size())), value);
}

qint64 RunScalars::pointCount() const
{
    qint64 count = 0;
    for (const auto& points : m_series)
        count += points.size();
    return count;
}

} // namespace jikken
