#pragma once

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
};

} // namespace jikken
