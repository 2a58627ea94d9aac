#pragma once

#include <QJsonValue>
#include <QtGlobal>

#include <string_view>

namespace jikken {

/// Receives what an event file says, record by record. Views are valid only during the call.
class EventSink
{
public:
    virtual ~EventSink() = default;
    virtual void onFileVersion(std::string_view version) { Q_UNUSED(version); }
    /// A SessionLog START: the writer restarted at `step` (e.g. resumed from a checkpoint).
    virtual void onSessionStart(qint64 step, double wallTime)
    {
        Q_UNUSED(step);
        Q_UNUSED(wallTime);
    }
    virtual void onScalar(std::string_view tag, qint64 step, double wallTime, double value) = 0;
    /// An encoded image (PNG, JPEG, GIF: a figure logged with add_figure / add_image / tf.summary.image).
    virtual void onImage(std::string_view tag, qint64 step, double wallTime, std::string_view encoded)
    {
        Q_UNUSED(tag);
        Q_UNUSED(step);
        Q_UNUSED(wallTime);
        Q_UNUSED(encoded);
    }
    /// Markdown from the text plugin (add_text, tf.summary.text).
    virtual void onText(std::string_view tag, qint64 step, double wallTime, std::string_view markdown)
    {
        Q_UNUSED(tag);
        Q_UNUSED(step);
        Q_UNUSED(wallTime);
        Q_UNUSED(markdown);
    }
    /// One hyperparameter of the HParams plugin's session start (add_hparams, hp.hparams, Jikken).
    virtual void onHyperparameter(std::string_view name, const QJsonValue& value)
    {
        Q_UNUSED(name);
        Q_UNUSED(value);
    }
};

} // namespace jikken
