#include "EventRecordParser.h"

#include "Crc32c.h"
#include "ProtoWire.h"

#include <cmath>

namespace jikken {

namespace {

constexpr size_t kHeaderSize = 12; // uint64 length + masked CRC of the length
constexpr size_t kFooterSize = 4;  // masked CRC of the payload
constexpr uint64_t kSessionStart = 1;
constexpr uint64_t kDtFloat = 1;
constexpr uint64_t kDtDouble = 2;

uint32_t loadU32(const char* p)
{
    uint32_t value;
    std::memcpy(&value, p, 4);
    return value;
}

uint64_t loadU64(const char* p)
{
    uint64_t value;
    std::memcpy(&value, p, 8);
    return value;
}

float floatFromBits(uint32_t bits)
{
    float value;
    std::memcpy(&value, &bits, 4);
    return value;
}

double doubleFromBits(uint64_t bits)
{
    double value;
    std::memcpy(&value, &bits, 8);
    return value;
}

// The first element of a scalar TensorProto of dtype float or double; false for anything else.
bool tensorScalar(std::string_view tensor, double& out)
{
    uint64_t dtype = 0;
    std::string_view content;
    bool haveValue = false;
    const bool wellFormed = wire::forEachField(tensor, [&](uint32_t field, uint32_t type, wire::Reader& r) {
        if (field == 1 && type == wire::kVarint)
            return r.varint(dtype);
        if (field == 4 && type == wire::kLengthDelimited)
            return r.bytes(content);
        if (field == 5 && type == wire::kFixed32) { // float_val, unpacked
            uint32_t bits;
            haveValue = r.fixed32(bits);
            out = floatFromBits(bits);
            return haveValue;
        }
        if (field == 6 && type == wire::kFixed64) { // double_val, unpacked
            uint64_t bits;
            haveValue = r.fixed64(bits);
            out = doubleFromBits(bits);
            return haveValue;
        }
        if ((field == 5 || field == 6) && type == wire::kLengthDelimited) { // packed
            std::string_view packed;
            if (!r.bytes(packed))
                return false;
            if (field == 5 && packed.size() >= 4) {
                out = floatFromBits(loadU32(packed.data()));
                haveValue = true;
            } else if (field == 6 && packed.size() >= 8) {
                out = doubleFromBits(loadU64(packed.data()));
                haveValue = true;
            }
            return true;
        }
        return r.skip(type);
    });
    if (!wellFormed)
        return false;
    if (!content.empty()) {
        if (dtype == kDtFloat && content.size() == 4) {
            out = floatFromBits(loadU32(content.data()));
            return true;
        }
        if (dtype == kDtDouble && content.size() == 8) {
            out = doubleFromBits(loadU64(content.data()));
            return true;
        }
        return false;
    }
    return haveValue && (dtype == kDtFloat || dtype == kDtDouble);
}

// The bytes of field `wanted` (length-delimited) of `message`; empty when absent or malformed.
std::string_view bytesField(std::string_view message, uint32_t wanted)
{
    std::string_view result;
    wire::forEachField(message, [&](uint32_t field, uint32_t type, wire::Reader& r) {
        return field == wanted && type == wire::kLengthDelimited ? r.bytes(result) : r.skip(type);
    });
    return result;
}

// SummaryMetadata.plugin_data.plugin_name
std::string_view pluginName(std::string_view metadata)
{
    return bytesField(bytesField(metadata, 1), 1);
}

} // namespace

bool EventRecordParser::isScalarsTag(std::string_view tag) const
{
    for (const auto& [name, scalar] : m_tensorTagIsScalar) {
        if (name == tag)
            return scalar;
    }
    return false;
}

void EventRecordParser::rememberPlugin(std::string_view tag, std::string_view plugin)
{
    const bool scalar = plugin == "scalars";
    for (auto& [name, isScalar] : m_tensorTagIsScalar) {
        if (name == tag) {
            isScalar = scalar;
            return;
        }
    }
    m_tensorTagIsScalar.emplace_back(std::string(tag), scalar);
}

bool EventRecordParser::parseValue(std::string_view value, qint64 step, double wallTime, EventSink& sink)
{
    std::string_view tag, metadata, tensor;
    bool haveSimple = false;
    float simple = 0;
    const bool wellFormed = wire::forEachField(value, [&](uint32_t field, uint32_t type, wire::Reader& r) {
        if (field == 1 && type == wire::kLengthDelimited)
            return r.bytes(tag);
        if (field == 2 && type == wire::kFixed32) {
            uint32_t bits;
            haveSimple = r.fixed32(bits);
            simple = floatFromBits(bits);
            return haveSimple;
        }
        if (field == 9 && type == wire::kLengthDelimited)
            return r.bytes(metadata);
        if (field == 8 && type == wire::kLengthDelimited) {
            haveSimple = false; // a oneof: the last member set wins
            return r.bytes(tensor);
        }
        return r.skip(type);
    });
    if (!wellFormed)
        return false;
    if (haveSimple) {
        sink.onScalar(tag, step, wallTime, simple);
        return true;
    }
    if (tensor.data() == nullptr)
        return true;
    if (!metadata.empty())
        rememberPlugin(tag, pluginName(metadata));
    double scalar = 0;
    if (isScalarsTag(tag) && tensorScalar(tensor, scalar))
        sink.onScalar(tag, step, wallTime, scalar);
    return true;
}

bool EventRecordParser::parseEvent(std::string_view event, EventSink& sink)
{
    double wallTime = 0;
    uint64_t step = 0;
    std::string_view summary, sessionLog, fileVersion;
    bool haveSummary = false, haveSessionLog = false, haveFileVersion = false;
    const bool wellFormed = wire::forEachField(event, [&](uint32_t field, uint32_t type, wire::Reader& r) {
        if (field == 1 && type == wire::kFixed64) {
            uint64_t bits;
            const bool ok = r.fixed64(bits);
            wallTime = doubleFromBits(bits);
            return ok;
        }
        if (field == 2 && type == wire::kVarint)
            return r.varint(step);
        if (field == 3 && type == wire::kLengthDelimited)
            return haveFileVersion = r.bytes(fileVersion);
        if (field == 5 && type == wire::kLengthDelimited)
            return haveSummary = r.bytes(summary);
        if (field == 7 && type == wire::kLengthDelimited)
            return haveSessionLog = r.bytes(sessionLog);
        return r.skip(type);
    });
    if (!wellFormed)
        return false;
    const auto signedStep = static_cast<qint64>(step);
    if (haveFileVersion)
        sink.onFileVersion(fileVersion);
    if (haveSessionLog) {
        uint64_t status = 0;
        const bool ok = wire::forEachField(sessionLog, [&](uint32_t field, uint32_t type, wire::Reader& r) {
            return field == 1 && type == wire::kVarint ? r.varint(status) : r.skip(type);
        });
        if (!ok)
            return false;
        if (status == kSessionStart)
            sink.onSessionStart(signedStep, wallTime);
    }
    if (!haveSummary)
        return true;
    return wire::forEachField(summary, [&](uint32_t field, uint32_t type, wire::Reader& r) {
        std::string_view value;
        if (field == 1 && type == wire::kLengthDelimited)
            return r.bytes(value) && parseValue(value, signedStep, wallTime, sink);
        return r.skip(type);
    });
}

EventRecordParser::Result EventRecordParser::parse(const char* data, size_t size, EventSink& sink)
{
    Result result;
    size_t offset = 0;
    while (true) {
        const size_t remaining = size - offset;
        if (remaining == 0)
            break;
        if (remaining < kHeaderSize) {
            result.stop = Stop::Truncated;
            break;
        }
        const char* record = data + offset;
        const uint64_t length = loadU64(record);
        if (maskedCrc32c(record, 8) != loadU32(record + 8)) {
            result.stop = Stop::Corrupt;
            result.corruptOffset = offset;
            result.problem = QStringLiteral("the length checksum does not match");
            break;
        }
        if (remaining - kHeaderSize < kFooterSize || length > remaining - kHeaderSize - kFooterSize) {
            result.stop = Stop::Truncated;
            break;
        }
        const char* payload = record + kHeaderSize;
        if (maskedCrc32c(payload, length) != loadU32(payload + length)) {
            result.stop = Stop::Corrupt;
            result.corruptOffset = offset;
            result.problem = QStringLiteral("the data checksum does not match");
            break;
        }
        if (!parseEvent(std::string_view(payload, length), sink))
            ++result.undecodable;
        ++result.records;
        offset += kHeaderSize + length + kFooterSize;
    }
    result.consumed = offset;
    return result;
}

} // namespace jikken
