#pragma once

#include "EventSink.h"

#include <QString>

#include <string>
#include <utility>
#include <vector>

namespace jikken {

/// Decodes TFRecord-framed `tensorboard.Event` records from a byte buffer, checking both CRCs, and
/// hands scalars in either encoding real writers use to an EventSink: `simple_value`, or a float/double
/// tensor whose tag's plugin is "scalars" (TF2 and PyTorch's new-style writers name the plugin only on
/// a tag's first record, so the parser remembers it). Also images (the `image` field, or a string tensor of
/// the "images" plugin), text and the HParams plugin's hyperparameters. Hand-decoded because the general protobuf
/// parser allocates three messages per record and reads ten times slower.
class EventRecordParser
{
public:
    enum class Stop {
        End,       ///< every byte was a whole record
        Truncated, ///< the last record is incomplete: a file still being written or a killed writer
        Corrupt,   ///< a checksum failed at `corruptOffset`; nothing after it can be trusted
    };

    struct Result
    {
        Stop stop = Stop::End;
        size_t consumed = 0; ///< bytes of whole, valid records
        size_t records = 0;
        size_t undecodable = 0; ///< records with valid checksums but bytes that are not an Event
        size_t corruptOffset = 0;
        QString problem;
    };

    Result parse(const char* data, size_t size, EventSink& sink);

private:
    bool parseEvent(std::string_view event, EventSink& sink);
    bool parseValue(std::string_view value, qint64 step, double wallTime, EventSink& sink);
    static bool parseHparams(std::string_view content, EventSink& sink);
    /// What a tensor tag holds, by the plugin its first record named.
    enum class Plugin : uint8_t { Other, Scalars, Images, Text };
    Plugin pluginOf(std::string_view tag) const;
    Plugin rememberPlugin(std::string_view tag, std::string_view plugin);

    std::vector<std::pair<std::string, Plugin>> m_tensorTagPlugin;
};

} // namespace jikken
