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

// Every occurrence of the length-delimited field `wanted` (a repeated bytes field).
std::vector<std::string_view> repeatedBytes(std::string_view message, uint32_t wanted)
{
    std::vector<std::string_view> found;
    wire::forEachField(message, [&](uint32_t field, uint32_t type, wire::Reader& r) {
        std::string_view bytes;
        if (field != wanted || type != wire::kLengthDelimited)
            return r.skip(type);
        if (!r.bytes(bytes))
            return false;
        found.push_back(bytes);
        return true;
    });
    return found;
}

// google.protobuf.Value as JSON: null, number, string or bool (lists and structs are not hyperparameters).
QJsonValue protobufValue(std::string_view value)
{
    QJsonValue json;
    wire::forEachField(value, [&](uint32_t field, uint32_t type, wire::Reader& r) {
        if (field == 2 && type == wire::kFixed64) {
            uint64_t bits = 0;
            const bool ok = r.fixed64(bits);
            json = doubleFromBits(bits);
            return ok;
        }
        if (field == 3 && type == wire::kLengthDelimited) {
            std::string_view text;
            const bool ok = r.bytes(text);
            json = QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
            return ok;
        }
        if (field == 4 && type == wire::kVarint) {
            uint64_t flag;
            const bool ok = r.varint(flag);
            json = flag != 0;
            return ok;
        }
        return r.skip(type);
    });
    return json;
}

} // namespace

bool EventRecordParser::parseHparams(std::string_view content, EventSink& sink)
{
    // HParamsPluginData.session_start_info (3) . hparams (1): map<string, google.protobuf.Value>
    const std::string_view start = bytesField(content, 3);
    return wire::forEachField(start, [&](uint32_t field, uint32_t type, wire::Reader& r) {
        std::string_view entry;
        if (field != 1 || type != wire::kLengthDelimited)
            return r.skip(type);
        if (!r.bytes(entry))
            return false;
        const std::string_view name = bytesField(entry, 1);
        const QJsonValue value = protobufValue(bytesField(entry, 2));
        if (!name.empty() && !value.isUndefined())
            sink.onHyperparameter(name, value);
        return true;
    });
}

EventRecordParser::Plugin EventRecordParser::pluginOf(std::string_view tag) const
{
    for (const auto& [name, plugin] : m_tensorTagPlugin) {
        if (name == tag)
            return plugin;
    }
    return Plugin::Other;
}

EventRecordParser::Plugin EventRecordParser::rememberPlugin(std::string_view tag, std::string_view name)
{
    const Plugin plugin = name == "scalars"  ? Plugin::Scalars
                          : name == "images" ? Plugin::Images
                          : name == "text"   ? Plugin::Text
                                             : Plugin::Other;
    for (auto& [known, kind] : m_tensorTagPlugin) {
        if (known == tag)
            return kind = plugin;
    }
    m_tensorTagPlugin.emplace_back(std::string(tag), plugin);
    return plugin;
}

bool EventRecordParser::parseValue(std::string_view value, qint64 step, double wallTime, EventSink& sink)
{
    std::string_view tag, metadata, tensor, image;
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
        if (field == 4 && type == wire::kLengthDelimited) {
            haveSimple = false;
            return r.bytes(image);
        }
        return r.skip(type);
    });
    if (!wellFormed)
        return false;
    if (haveSimple) {
        sink.onScalar(tag, step, wallTime, simple);
        return true;
    }
    if (image.data() != nullptr) { // Summary.Image: encoded_image_string is field 4
        sink.onImage(tag, step, wallTime, bytesField(image, 4));
        return true;
    }
    if (!metadata.empty() && pluginName(metadata) == "hparams")
        return parseHparams(bytesField(bytesField(metadata, 1), 2), sink);
    if (tensor.data() == nullptr)
        return true;
    const Plugin plugin = metadata.empty() ? pluginOf(tag) : rememberPlugin(tag, pluginName(metadata));
    switch (plugin) {
    case Plugin::Scalars: {
        double scalar = 0;
        if (tensorScalar(tensor, scalar))
            sink.onScalar(tag, step, wallTime, scalar);
        return true;
    }
    case Plugin::Images: { // string_val: width, height, then the encoded images
        const std::vector<std::string_view> strings = repeatedBytes(tensor, 8);
        if (strings.size() >= 3)
            sink.onImage(tag, step, wallTime, strings[2]);
        return true;
    }
    case Plugin::Text: {
        const std::vector<std::string_view> strings = repeatedBytes(tensor, 8);
        if (!strings.empty())
            sink.onText(tag, step, wallTime, strings[0]);
        return true;
    }
    case Plugin::Other:
        return true;
    }
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
