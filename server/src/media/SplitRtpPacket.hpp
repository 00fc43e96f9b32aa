#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

// An RTP packet to send, in two pieces: `front`, what the sender wrote itself (a consumer's
// rewritten header, and the VP8 descriptor when it renumbers picture ids), and `rest`, the payload
// that follows as it lies in the publisher's packet. A forwarded packet's payload is then read
// once, by the cipher that encrypts it into the datagram, and never copied first
// (docs/performance.md, "A forwarded payload read once"). `rest` may be empty: a packet in one
// piece.
namespace pulsemeet::media {

struct SplitRtpPacket {
    std::span<const std::uint8_t> front;
    std::span<const std::uint8_t> rest;

    std::size_t size() const { return front.size() + rest.size(); }
};

}  // namespace pulsemeet::media
