#pragma once

// The few pieces of the protobuf wire format that the event-file fast paths need. Every read is
// bounds-checked, so no byte sequence can make a decoder read outside its buffer.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace jikken::wire {

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

inline void putVarint(std::string& out, uint64_t value)
{
    while (value >= 0x80) {
        out.push_back(static_cast<char>(value | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<char>(value));
}

inline void putFixed32(std::string& out, uint32_t value)
{
    char bytes[4];
    std::memcpy(bytes, &value, 4); // TFRecord and protobuf are little-endian; so is every target we build
    out.append(bytes, 4);
}

inline void putFixed64(std::string& out, uint64_t value)
{
    char bytes[8];
    std::memcpy(bytes, &value, 8);
    out.append(bytes, 8);
}

inline size_t varintSize(uint64_t value)
{
    size_t size = 1;
    while (value >= 0x80) {
        value >>= 7;
        ++size;
    }
    return size;
}

/// A cursor over one message's bytes.
class Reader
{
public:
    Reader(const char* begin, const char* end)
        : m_p(reinterpret_cast<const uint8_t*>(begin)), m_end(reinterpret_cast<const uint8_t*>(end))
    {
    }
    explicit Reader(std::string_view bytes) : Reader(bytes.data(), bytes.data() + bytes.size()) {}

    bool atEnd() const { return m_p >= m_end; }

    bool varint(uint64_t& value)
    {
        value = 0;
        for (int shift = 0; shift < 64 && m_p < m_end; shift += 7) {
            const uint8_t byte = *m_p++;
            value |= static_cast<uint64_t>(byte & 0x7f) << shift;
            if (!(byte & 0x80))
                return true;
        }
        return false;
    }

    bool fixed32(uint32_t& value) { return fixed(&value, 4); }
    bool fixed64(uint64_t& value) { return fixed(&value, 8); }

    bool bytes(std::string_view& value)
    {
        uint64_t size = 0;
        if (!varint(size) || size > static_cast<uint64_t>(m_end - m_p))
            return false;
        value = std::string_view(reinterpret_cast<const char*>(m_p), size);
        m_p += size;
        return true;
    }

    /// Reads a field key; false at the end of the message or on a malformed key.
    bool key(uint32_t& field, uint32_t& wireType)
    {
        uint64_t k = 0;
        if (atEnd() || !varint(k))
            return false;
        field = static_cast<uint32_t>(k >> 3);
        wireType = static_cast<uint32_t>(k & 7);
        return field != 0;
    }

    bool skip(uint32_t wireType)
    {
        uint64_t ignored64;
        uint32_t ignored32;
        std::string_view ignoredBytes;
        switch (wireType) {
        case kVarint:
            return varint(ignored64);
        case kFixed64:
            return fixed64(ignored64);
        case kLengthDelimited:
            return bytes(ignoredBytes);
        case kFixed32:
            return fixed32(ignored32);
        default:
            return false; // groups are long gone from every writer of event files
        }
    }

private:
    bool fixed(void* value, size_t size)
    {
        if (static_cast<size_t>(m_end - m_p) < size)
            return false;
        std::memcpy(value, m_p, size);
        m_p += size;
        return true;
    }

    const uint8_t* m_p;
    const uint8_t* m_end;
};

/// Calls `visit(field, wireType, reader)` for each field of `message`; visit reads the field's value (or
/// skips it) and returns false when the bytes are malformed. True when the whole message was well formed.
template <typename Visit> bool forEachField(std::string_view message, Visit&& visit)
{
    Reader reader(message);
    uint32_t field, wireType;
    while (reader.key(field, wireType)) {
        if (!visit(field, wireType, reader))
            return false;
    }
    return reader.atEnd();
}

} // namespace jikken::wire
