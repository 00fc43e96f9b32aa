#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "media/AesGcmCipher.hpp"
#include "media/SplitRtpPacket.hpp"
#include "media/SrtpProfile.hpp"
#include "media/SrtpReplayWindow.hpp"
#include "media/SrtpResult.hpp"
#include "media/SsrcTable.hpp"

// SRTP and SRTCP with AEAD_AES_128_GCM / AEAD_AES_256_GCM (RFC 7714), one direction, any SSRC,
// written here rather than taken from Debian's libsrtp2, which does AES-GCM through NSS and
// allocates a cipher context per packet (docs/performance.md, "What moved each number").
// Session keys and salts come from the master key by RFC 3711 §4.3 (SrtpKeyDerivation); one
// OpenSSL context per packet kind keeps the key schedule (AesGcmCipher).
//   RTP:   IV = salt XOR (00 00 | SSRC | ROC | SEQ), AAD = the header (CSRCs and extensions
//          included), the payload encrypted, a 16-byte tag appended.
//   RTCP:  IV = salt XOR (00 00 | SSRC | 00 00 | 0 | 31-bit SRTCP index), AAD = the first 8
//          bytes and the E-flag|index trailer, the rest encrypted, tag then trailer appended.
// Per SSRC, as libsrtp: the ROC estimated from the highest index seen (RFC 3711 §3.3.1); inbound
// a 1024-packet replay window for each of RTP and RTCP, kept only once one of the SSRC's packets
// authenticated; outbound the highest RTP index and the outgoing SRTCP index. Outbound, the same
// RTP sequence number may be protected again (a retransmission on the original SSRC), but not
// one older than a receiver's window. No allocation per packet once an SSRC is known; the recent
// SSRCs' state is found without hashing (SsrcTable).
namespace pulsemeet::media {

class SrtpAesGcm {
  public:
    enum class Direction { inbound, outbound };
    static constexpr std::size_t kTagLength = AesGcmCipher::kTagLength;
    static constexpr std::size_t kSrtcpTrailerLength = 4;

    // nullopt for another profile or key material of the wrong length.
    static std::optional<SrtpAesGcm> create(SrtpProfile profile,
                                            std::span<const std::uint8_t> keyAndSalt,
                                            Direction direction);

    // Out of place: the protected form of `packet` is written to `out`, which has room for what
    // is appended and does not overlap `packet` (or starts where it does: in place).
    SrtpResult protectRtp(std::span<const std::uint8_t> packet, std::span<std::uint8_t> out);
    // The same for a packet in two pieces; the header must lie in the front, and `out` may start
    // where the front does but must not overlap the rest.
    SrtpResult protectRtp(SplitRtpPacket packet, std::span<std::uint8_t> out);
    SrtpResult protectRtcp(std::span<const std::uint8_t> packet, std::span<std::uint8_t> out);
    // In place: `buffer` holds the packet in its first `length` bytes and has room for what is
    // appended.
    SrtpResult protectRtp(std::span<std::uint8_t> buffer, std::size_t length);
    SrtpResult protectRtcp(std::span<std::uint8_t> buffer, std::size_t length);
    // On success the plain packet is the first `length` bytes of `packet`.
    SrtpResult unprotectRtp(std::span<std::uint8_t> packet);
    SrtpResult unprotectRtcp(std::span<std::uint8_t> packet);

  private:
    using Iv = std::array<std::uint8_t, AesGcmCipher::kIvLength>;

    // Outbound, per SSRC: the highest packet index protected, which gives the next one's ROC and
    // the oldest a receiver's window still takes. A sender has no use for the window's bitmap
    // (repeats are allowed), and writing it was one more cold line per forwarded packet.
    struct SentRtpStream {
        std::uint64_t highest = 0;
    };

    struct RtcpStream {
        SrtpReplayWindow window;     // inbound
        std::uint32_t lastSent = 0;  // outbound: the SRTCP index of the last packet protected
    };

    SrtpAesGcm(AesGcmCipher rtp, AesGcmCipher rtcp, Iv rtpSalt, Iv rtcpSalt, Direction direction);

    AesGcmCipher rtp_;
    AesGcmCipher rtcp_;
    Iv rtpSalt_;
    Iv rtcpSalt_;
    Direction direction_;
    SsrcTable<SrtpReplayWindow> rtpStreams_;   // inbound
    SsrcTable<SentRtpStream> sentRtpStreams_;  // outbound
    SsrcTable<RtcpStream> rtcpStreams_;
};

}  // namespace pulsemeet::media
