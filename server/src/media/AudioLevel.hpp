#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "media/RtpPacket.hpp"
#include "media/SdpOffer.hpp"

// The client-to-mixer audio level of an RTP packet (RFC 6464): one byte in a header extension,
// the V (voice activity) bit and the level in -dBov (0 loudest, 127 silence). The media server
// reads it to find who speaks without decoding any audio.
namespace pulsemeet::media {

inline constexpr std::string_view kAudioLevelUri = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

struct AudioLevel {
    std::uint8_t minusDbov = 127;  // 0..127: 0 is full scale, 127 digital silence
    bool voice = false;            // the sender's voice-activity flag (not all senders set it)

    // As RTCRtpSynchronizationSource.audioLevel: 10^(-dBov/20), 1.0 at full scale; 127 is 0.
    double linear() const;
};

// The element's value: exactly one byte (RFC 6464 §3, one-byte form len 0, or two-byte form
// length 1). Anything else is malformed: nullopt.
std::optional<AudioLevel> parseAudioLevel(std::span<const std::uint8_t> value);

// The id the section negotiated for the extension; nullopt when it did not.
std::optional<std::uint8_t> audioLevelExtensionId(std::span<const SdpExtmap> extmaps);

// The packet's level under that id; nullopt when absent or malformed.
std::optional<AudioLevel> readAudioLevel(const RtpPacket& packet, std::uint8_t extensionId);

}  // namespace pulsemeet::media
