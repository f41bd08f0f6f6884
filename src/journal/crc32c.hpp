#pragma once
/// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every journal record
/// and cursor slot. Uses the SSE4.2 crc32 instruction when the CPU has it, else slicing-by-8.

#include <cstddef>
#include <cstdint>

namespace spindle::journal {

/// Extends `crc` (the value returned for the bytes before) over `size` bytes at `data`.
/// crc32c("123456789") == 0xE3069283. Thread-safe, no allocation.
std::uint32_t crc32c(const void* data, std::size_t size, std::uint32_t crc = 0);

/// The portable table implementation, exposed so tests can compare it with the hardware one.
std::uint32_t crc32cPortable(const void* data, std::size_t size, std::uint32_t crc = 0);

/// True when crc32c() uses the CPU instruction.
bool crc32cHardware();

}  // namespace spindle::journal
