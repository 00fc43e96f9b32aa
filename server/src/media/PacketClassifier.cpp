#include "media/PacketClassifier.hpp"

#include "media/BigEndian.hpp"

namespace pulsemeet::media {

namespace {

constexpr std::uint32_t kStunMagicCookie = 0x2112A442;
constexpr std::size_t kStunHeaderSize = 20;
constexpr std::size_t kDtlsRecordHeaderSize = 13;
constexpr std::size_t kRtpMinimumSize = 12;
constexpr std::size_t kRtcpMinimumSize = 4;

}  // namespace

PacketKind classifyPacket(std::span<const std::uint8_t> datagram) {
    if (datagram.empty()) return PacketKind::unknown;
    const std::uint8_t first = datagram[0];
    if (first <= 3) {
        if (datagram.size() >= kStunHeaderSize && readU32(datagram, 4) == kStunMagicCookie)
            return PacketKind::stun;
        return PacketKind::unknown;
    }
    if (first >= 20 && first <= 63) {
        return datagram.size() >= kDtlsRecordHeaderSize ? PacketKind::dtls : PacketKind::unknown;
    }
    if (first >= 128 && first <= 191) {
        // Test RTCP first: its packet types sit where an RTP marker bit plus payload type 64..95
        // would, and those payload types are reserved for exactly this reason.
        if (datagram.size() >= kRtcpMinimumSize && datagram[1] >= 192 && datagram[1] <= 223)
            return PacketKind::rtcp;
        if (datagram.size() >= kRtpMinimumSize) return PacketKind::rtp;
    }
    return PacketKind::unknown;
}

std::string_view packetKindName(PacketKind kind) {
    switch (kind) {
        case PacketKind::stun:
            return "stun";
        case PacketKind::dtls:
            return "dtls";
        case PacketKind::rtp:
            return "rtp";
        case PacketKind::rtcp:
            return "rtcp";
        case PacketKind::unknown:
            break;
    }
    return "unknown";
}

}  // namespace pulsemeet::media
