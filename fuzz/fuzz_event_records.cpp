// TFRecord-framed tensorboard.Event records, as any writer (or a damaged disk) leaves them: the bytes as
// given (framing, checksums, truncation), then the same records framed again with valid checksums, so the
// mutations reach the Event decoding behind the CRCs.
#include "events/Crc32c.h"
#include "events/EventRecordParser.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace {

struct CountingSink : jikken::EventSink
{
    size_t seen = 0;
    void onScalar(std::string_view tag, qint64, double, double) override { seen += tag.size(); }
    void onImage(std::string_view tag, qint64, double, std::string_view encoded) override
    {
        seen += tag.size() + encoded.size();
    }
    void onText(std::string_view tag, qint64, double, std::string_view markdown) override
    {
        seen += tag.size() + markdown.size();
    }
    void onHyperparameter(std::string_view name, const QJsonValue&) override { seen += name.size(); }
};

} // namespace

/// The records of `data` (length, length CRC, payload, payload CRC), each framed again with valid CRCs.
std::string reframed(const uint8_t* data, size_t size)
{
    std::string out;
    for (size_t at = 0; at + 12 <= size;) {
        uint64_t length = 0;
        std::memcpy(&length, data + at, 8);
        length = std::min<uint64_t>(length, size - at - 12);
        const auto* payload = data + at + 12;
        const uint32_t lengthCrc = jikken::maskedCrc32c(&length, 8);
        const uint32_t payloadCrc = jikken::maskedCrc32c(payload, length);
        out.append(reinterpret_cast<const char*>(&length), 8);
        out.append(reinterpret_cast<const char*>(&lengthCrc), 4);
        out.append(reinterpret_cast<const char*>(payload), length);
        out.append(reinterpret_cast<const char*>(&payloadCrc), 4);
        at += 12 + length + 4;
    }
    return out;
}

void parse(const char* data, size_t size)
{
    CountingSink sink;
    jikken::EventRecordParser parser;
    const auto result = parser.parse(data, size, sink);
    // What the parser says it consumed is never more than it was given.
    if (result.consumed > size ||
        (result.stop == jikken::EventRecordParser::Stop::Corrupt && result.corruptOffset > size))
        __builtin_trap();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    parse(reinterpret_cast<const char*>(data), size);
    const std::string valid = reframed(data, size);
    parse(valid.data(), valid.size());
    return 0;
}
