#pragma once

#include <chrono>
#include <cstddef>

// What one ICE-TCP connection to the media server may hold and for how long (TcpIceConnection).
namespace pulsemeet::media {

struct TcpIceLimits {
    // Largest packet accepted in a frame. Our packets are MTU-sized; DTLS flights and SRTP stay
    // far below this.
    std::size_t maxFrameSize = 4096;
    // Bytes waiting to be written to one client before further packets are dropped (as a full
    // UDP socket buffer would drop them; media does not wait).
    std::size_t writeQueueBytes = 512 * 1024;
    // A new connection must send a binding request that ICE accepts within this time.
    std::chrono::steady_clock::duration stunDeadline = std::chrono::seconds(5);
    // A connection silent this long is closed (RFC 7675's consent lasts as long).
    std::chrono::steady_clock::duration idleTimeout = std::chrono::seconds(30);
    // Frames a connection may send before ICE accepts one of them.
    std::size_t maxFramesBeforeValidStun = 16;
};

}  // namespace pulsemeet::media
