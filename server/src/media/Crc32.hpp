#pragma once

#include <cstdint>
#include <span>

namespace pulsemeet::media {

// CRC-32 as ISO 3309 / ITU-T V.42 define it (reflected polynomial 0xEDB88320, initial value and
// final XOR 0xFFFFFFFF): the checksum STUN's FINGERPRINT attribute uses (RFC 5389 §15.5).
std::uint32_t crc32(std::span<const std::uint8_t> bytes);

}  // namespace pulsemeet::media
