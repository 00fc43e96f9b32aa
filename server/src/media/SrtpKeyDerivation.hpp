#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

// SRTP's key derivation (RFC 3711 §4.3) with the AES-CM PRF (§4.3.3) and a key derivation rate of
// zero, as WebRTC uses it: each session key, salt or authentication key is the AES counter-mode
// keystream under the master key, its first counter block being the master salt with the label
// XORed into byte 7, followed by a zero block counter. A 96-bit master salt (the AEAD profiles,
// RFC 7714 §12) is placed as libsrtp places it, in the first 12 bytes (the two bytes after it
// zero): that is what every browser's libsrtp derives.
namespace pulsemeet::media {

enum class SrtpKeyLabel : std::uint8_t {
    rtpEncryption = 0x00,
    rtpAuthentication = 0x01,
    rtpSalt = 0x02,
    rtcpEncryption = 0x03,
    rtcpAuthentication = 0x04,
    rtcpSalt = 0x05,
};

// `length` bytes for `label`; nullopt when the master key is neither 16 nor 32 bytes, or the
// salt is longer than 14.
std::optional<std::vector<std::uint8_t>> deriveSrtpKey(std::span<const std::uint8_t> masterKey,
                                                       std::span<const std::uint8_t> masterSalt,
                                                       SrtpKeyLabel label, std::size_t length);

}  // namespace pulsemeet::media
