#pragma once

#include <cstdint>
#include <span>
#include <string_view>

// Which protocol a datagram on the shared media port carries (RFC 7983 §7: one UDP port for
// STUN, DTLS, RTP and RTCP, told apart by the first byte). Only a shape check: each parser still
// validates what it is given.
namespace pulsemeet::media {

enum class PacketKind : std::uint8_t { stun, dtls, rtp, rtcp, unknown };

// STUN: first byte 0..3, at least a 20-byte header and the magic cookie at bytes 4..7 (RFC 5389
// §6). DTLS: first byte 20..63 and at least a 13-byte record header. RTP/RTCP: first byte
// 128..191 (version 2) and at least 12 bytes (RTP) or 4 (RTCP); RTCP when the second byte (the
// packet type) is 192..223 (RFC 5761 §4), which no RTP payload type in use overlaps once the
// marker bit is included.
PacketKind classifyPacket(std::span<const std::uint8_t> datagram);

std::string_view packetKindName(PacketKind kind);

}  // namespace pulsemeet::media
