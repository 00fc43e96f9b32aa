#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "media/SplitRtpPacket.hpp"
#include "media/SrtpAesGcm.hpp"
#include "media/SrtpProfile.hpp"
#include "media/SrtpResult.hpp"

// libsrtp2's session type, declared here so that this header does not pull srtp.h in.
struct srtp_ctx_t_;

namespace pulsemeet::media {

// One direction of SRTP and SRTCP for one transport: inbound unprotects what the peer sent (any
// SSRC), outbound protects what we send (any SSRC). The AES-GCM profiles are our own (SrtpAesGcm,
// over OpenSSL: Debian's libsrtp2 does GCM through NSS, at twice the cost and an allocation per
// packet); AES-CM with HMAC-SHA1 is libsrtp2's. Unprotect works in place; protect in place or
// into another buffer. The replay window
// is 1024 packets; outbound allows the same sequence number to be protected again
// (allow_repeat_tx), which retransmission on the original SSRC needs.
class SrtpSession {
  public:
    enum class Direction { inbound, outbound };

    // The most a protect adds (authentication tag, SRTCP index; libsrtp's SRTP_MAX_TRAILER_LEN
    // plus 4): a buffer handed to protectRtp/protectRtcp must have this much room past the packet.
    static constexpr std::size_t kMaxProtectOverhead = 16 + 128 + 4;

    // nullopt when the key has the wrong length for the profile.
    static std::optional<SrtpSession> create(SrtpProfile profile,
                                             std::span<const std::uint8_t> keyAndSalt,
                                             Direction direction);

    SrtpSession(SrtpSession&&) noexcept;
    SrtpSession& operator=(SrtpSession&&) noexcept;
    ~SrtpSession();

    // Out of place: the protected form of `packet` is written to `out`, which has
    // kMaxProtectOverhead bytes of room more than the packet and does not overlap it (or starts
    // where it does: in place). AES-GCM reads the plain packet and writes the SRTP one in one
    // pass, straight into the datagram that is sent; AES-CM (libsrtp) copies it there and
    // protects it in place.
    SrtpResult protectRtp(std::span<const std::uint8_t> packet, std::span<std::uint8_t> out);
    SrtpResult protectRtcp(std::span<const std::uint8_t> packet, std::span<std::uint8_t> out);
    // The same for a packet in two pieces (a forwarded one: its header rewritten, its payload
    // where the publisher's packet has it); `out` may start where the front does, and must not
    // overlap the rest. AES-GCM reads the rest where it lies; AES-CM copies both pieces first.
    SrtpResult protectRtp(SplitRtpPacket packet, std::span<std::uint8_t> out);
    // In place: `buffer` holds the packet in its first `length` bytes and has room for the tag
    // after it.
    SrtpResult protectRtp(std::span<std::uint8_t> buffer, std::size_t length);
    SrtpResult protectRtcp(std::span<std::uint8_t> buffer, std::size_t length);
    // The packet fills `packet`; on success its plain form is the first `length` bytes.
    SrtpResult unprotectRtp(std::span<std::uint8_t> packet);
    SrtpResult unprotectRtcp(std::span<std::uint8_t> packet);

    SrtpProfile profile() const { return profile_; }
    Direction direction() const { return direction_; }

  private:
    struct Free {
        void operator()(srtp_ctx_t_* session) const;
    };

    SrtpSession(std::unique_ptr<srtp_ctx_t_, Free> session, SrtpProfile profile,
                Direction direction);
    SrtpSession(SrtpAesGcm gcm, SrtpProfile profile, Direction direction);

    std::unique_ptr<srtp_ctx_t_, Free> session_;  // AES-CM profiles
    std::optional<SrtpAesGcm> gcm_;               // AES-GCM profiles
    SrtpProfile profile_;
    Direction direction_;
};

}  // namespace pulsemeet::media
