#include "Crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <nmmintrin.h>
#define JIKKEN_HAVE_SSE42_PATH 1
#endif

namespace jikken {

namespace {

constexpr uint32_t kPolynomial = 0x82f63b78u; // reflected Castagnoli polynomial

// Slicing-by-8 tables for CPUs without the CRC32 instruction.
struct Tables
{
    std::array<std::array<uint32_t, 256>, 8> t{};
    Tables()
    {
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t crc = i;
            for (int bit = 0; bit < 8; ++bit)
                crc = (crc >> 1) ^ ((crc & 1) ? kPolynomial : 0);
            t[0][i] = crc;
        }
        for (uint32_t i = 0; i < 256; ++i) {
            for (size_t k = 1; k < 8; ++k)
                t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
        }
    }
};

uint32_t crc32cPortable(const uint8_t* p, size_t size, uint32_t crc)
{
    static const Tables tables;
    const auto& t = tables.t;
    while (size >= 8) {
        uint64_t word;
        std::memcpy(&word, p, 8);
        word ^= crc;
        crc = t[7][word & 0xff] ^ t[6][(word >> 8) & 0xff] ^ t[5][(word >> 16) & 0xff] ^ t[4][(word >> 24) & 0xff] ^
              t[3][(word >> 32) & 0xff] ^ t[2][(word >> 40) & 0xff] ^ t[1][(word >> 48) & 0xff] ^
              t[0][(word >> 56) & 0xff];
        p += 8;
        size -= 8;
    }
    while (size--)
        crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xff];
    return crc;
}

#ifdef JIKKEN_HAVE_SSE42_PATH
__attribute__((target("sse4.2"))) uint32_t crc32cHardware(const uint8_t* p, size_t size, uint32_t crc)
{
    uint64_t wide = crc;
    while (size >= 8) {
        uint64_t word;
        std::memcpy(&word, p, 8);
        wide = _mm_crc32_u64(wide, word);
        p += 8;
        size -= 8;
    }
    crc = static_cast<uint32_t>(wide);
    while (size--)
        crc = _mm_crc32_u8(crc, *p++);
    return crc;
}

bool cpuHasSse42()
{
    static const bool has = __builtin_cpu_supports("sse4.2");
    return has;
}
#endif

} // namespace

uint32_t detail::crc32cPortable(const void* data, size_t size, uint32_t crc)
{
    return ~jikken::crc32cPortable(static_cast<const uint8_t*>(data), size, ~crc);
}

uint32_t crc32c(const void* data, size_t size, uint32_t crc)
{
    const auto* p = static_cast<const uint8_t*>(data);
    crc = ~crc;
#ifdef JIKKEN_HAVE_SSE42_PATH
    if (cpuHasSse42())
        return ~crc32cHardware(p, size, crc);
#endif
    return ~crc32cPortable(p, size, crc);
}

} // namespace jikken
