#pragma once

#include <cstddef>
#include <cstdint>

namespace jikken {

/// CRC-32C (Castagnoli), as TFRecord frames use it. Uses the SSE4.2 instruction where the CPU has it.
uint32_t crc32c(const void* data, size_t size, uint32_t crc = 0);

/// TFRecord's masked CRC: rotate right by 15 and add a constant, so a CRC of data that holds CRCs
/// does not degenerate.
namespace detail {
/// The table-driven path, used where the CPU lacks SSE4.2; exposed so tests compare both.
uint32_t crc32cPortable(const void* data, size_t size, uint32_t crc = 0);
} // namespace detail

inline uint32_t maskCrc(uint32_t crc)
{
    return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

inline uint32_t maskedCrc32c(const void* data, size_t size)
{
    return maskCrc(crc32c(data, size));
}

} // namespace jikken
