#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

// Network byte order reads and writes at an offset. Callers check bounds first: these are the
// inner loop of every parser in this area, so they do not check again.
namespace pulsemeet::media {

inline std::uint16_t readU16(std::span<const std::uint8_t> bytes, std::size_t at) {
    return static_cast<std::uint16_t>((bytes[at] << 8) | bytes[at + 1]);
}

inline std::uint32_t readU24(std::span<const std::uint8_t> bytes, std::size_t at) {
    return (std::uint32_t{bytes[at]} << 16) | (std::uint32_t{bytes[at + 1]} << 8) | bytes[at + 2];
}

inline std::uint32_t readU32(std::span<const std::uint8_t> bytes, std::size_t at) {
    return (std::uint32_t{bytes[at]} << 24) | (std::uint32_t{bytes[at + 1]} << 16) |
           (std::uint32_t{bytes[at + 2]} << 8) | bytes[at + 3];
}

inline std::uint64_t readU64(std::span<const std::uint8_t> bytes, std::size_t at) {
    return (std::uint64_t{readU32(bytes, at)} << 32) | readU32(bytes, at + 4);
}

inline void writeU16(std::span<std::uint8_t> bytes, std::size_t at, std::uint16_t value) {
    bytes[at] = static_cast<std::uint8_t>(value >> 8);
    bytes[at + 1] = static_cast<std::uint8_t>(value);
}

inline void writeU24(std::span<std::uint8_t> bytes, std::size_t at, std::uint32_t value) {
    bytes[at] = static_cast<std::uint8_t>(value >> 16);
    bytes[at + 1] = static_cast<std::uint8_t>(value >> 8);
    bytes[at + 2] = static_cast<std::uint8_t>(value);
}

inline void writeU32(std::span<std::uint8_t> bytes, std::size_t at, std::uint32_t value) {
    writeU16(bytes, at, static_cast<std::uint16_t>(value >> 16));
    writeU16(bytes, at + 2, static_cast<std::uint16_t>(value));
}

inline void writeU64(std::span<std::uint8_t> bytes, std::size_t at, std::uint64_t value) {
    writeU32(bytes, at, static_cast<std::uint32_t>(value >> 32));
    writeU32(bytes, at + 4, static_cast<std::uint32_t>(value));
}

}  // namespace pulsemeet::media
