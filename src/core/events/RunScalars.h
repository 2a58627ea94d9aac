#pragma once

#include "EventSink.h"
#include "series/ScalarSeries.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <string>
#include <vector>

namespace jikken {

/// The scalar series of one run, gathered from its event files with TensorBoard's rules for restarts:
/// in files of version 2 a SessionLog START at step S drops every point at or after S; in older files a
/// step that goes backwards drops that tag's points at or after it.
/// The latest image or text a run logged under one tag: a confusion matrix, a class distribution.
struct LoggedMedia
{
    qint64 step = 0;
    double wallTime = 0;
    QByteArray data; ///< the encoded image, or UTF-8 Markdown
    int count = 0;   ///< how many the run logged under the tag
};

class RunScalars : public EventSink
{
public:
    void onFileVersion(std::string_view version) override;
    void onSessionStart(qint64 step, double wallTime) override;
    void onScalar(std::string_view tag, qint64 step, double wallTime, double value) override;
    void onImage(std::string_view tag, qint64 step, double wallTime, std::string_view encoded) override;
    void onText(std::string_view tag, qint64 step, double wallTime, std::string_view markdown) override;
    void onHyperparameter(std::string_view name, const QJsonValue& value) override;

    /// By tag: the latest of each (by step; the last written on a tie).
    const QMap<QString, LoggedMedia>& images() const { return m_images; }
    const QMap<QString, LoggedMedia>& texts() const { return m_texts; }
    /// The HParams plugin's hyperparameters of the run.
    const QJsonObject& hyperparameters() const { return m_hyperparameters; }

    const QStringList& tags() const { return m_tagNames; }
    /// Points of the tag at `index` of `tags()`, in the order read (steps ascend unless the writer went back
    /// without a restart: `ScalarSeries::ordered()` for a chart).
    const ScalarSeries& series(int index) const { return m_series[static_cast<size_t>(index)]; }
    qint64 pointCount() const;

private:
    int tagIndex(std::string_view tag);
    static void dropFrom(ScalarSeries& points, qint64 step);

    std::vector<std::string> m_tagKeys;
    QHash<QByteArray, int> m_tagIndexes; ///< the same, for runs with many tags
    QStringList m_tagNames;
    std::vector<ScalarSeries> m_series;
    int m_lastTag = -1;
    QMap<QString, LoggedMedia> m_images;
    QMap<QString, LoggedMedia> m_texts;
    QJsonObject m_hyperparameters;
    double m_fileVersion = 0;
    qint64 m_mostRecentStep = 0;
};

} // namespace jikken
