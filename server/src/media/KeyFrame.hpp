#pragma once

#include <cstdint>
#include <span>
#include <string_view>

// Whether an RTP payload starts a key frame, for the codecs the media server forwards: a key
// frame satisfies a pending key-frame request (KeyFrameRequestThrottle::onKeyFrame).
namespace pulsemeet::media {

// VP8 (RFC 7741 §4.3: first packet of partition 0 with the P bit clear) and H.264 (RFC 6184: an
// IDR or SPS NAL unit, alone, in a STAP-A, or starting a FU-A). Other codecs: false.
bool isKeyFrame(std::string_view codecName, std::span<const std::uint8_t> payload);

}  // namespace pulsemeet::media
