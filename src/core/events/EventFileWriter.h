#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <cstdio>
#include <string>
#include <string_view>

namespace jikken {

/// Writes a TensorBoard event file: TFRecord frames holding `tensorboard.Event` protos, named
/// `events.out.tfevents.<10-digit seconds>.<host>.<pid>.<n>` as TensorBoard's own writers name them.
/// Records are buffered in memory until `flush()` (or 1 MiB): a kill -9 loses what was not flushed,
/// never a record already on disk, and never leaves a half record that a reader would misread.
class EventFileWriter
{
public:
    enum class SessionStatus { Success, Failure, Running };

    EventFileWriter() = default;
    ~EventFileWriter();
    EventFileWriter(const EventFileWriter&) = delete;
    EventFileWriter& operator=(const EventFileWriter&) = delete;

    /// Creates `directory` if needed and a new event file in it, starting with the `brain.Event:2` record.
    bool open(const QString& directory, QString* error);
    bool isOpen() const { return m_file != nullptr; }
    QString filePath() const { return m_path; }

    static double now();

    /// A scalar in the `simple_value` encoding that every TensorBoard version reads.
    void addScalar(std::string_view tag, qint64 step, float value, double wallTime);
    /// Markdown text for TensorBoard's Text tab.
    void addText(const QString& tag, const QString& markdown, qint64 step);
    /// The HParams tab's experiment (hyperparameters and metric tags) and this run's session start.
    void addHparams(const QJsonObject& hparams, const QStringList& metricTags, double startTime);
    void addHparamsEnd(SessionStatus status, double endTime);
    /// Marks a restart at `step`: TensorBoard (and Jikken's reader) drop the earlier points at or after it,
    /// so a resumed run shows no duplicate steps.
    void addSessionStart(qint64 step, double wallTime);

    bool flush(QString* error);
    void close();

private:
    void appendRecord(std::string_view payload);

    std::FILE* m_file = nullptr;
    QString m_path;
    std::string m_buffer;
    std::string m_scratch;
};

} // namespace jikken
