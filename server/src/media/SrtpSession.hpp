#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "media/SrtpProfile.hpp"

// libsrtp2's session type, declared here so that this header does not pull srtp.h in.
struct srtp_ctx_t_;

namespace pulsemeet::media {

enum class SrtpStatus {
    ok,
    bufferTooSmall,        // protect: no room for the tag; unprotect: shorter than a header
    authenticationFailed,  // tampered, or keyed for someone else
    replayed,              // a sequence number already seen, or too old for the window
    failed,                // anything else libsrtp reports
};

struct SrtpResult {
    SrtpStatus status;
    std::size_t length = 0;  // the packet's new length when status is ok
};

// One direction of SRTP and SRTCP for one transport, over libsrtp2: inbound unprotects what the
// peer sent (any SSRC), outbound protects what we send (any SSRC). Packets are processed in
// place. The replay window is 1024 packets; outbound allows the same sequence number to be
// protected again (allow_repeat_tx), which retransmission on the original SSRC needs.
class SrtpSession {
  public:
    enum class Direction { inbound, outbound };

    // The most a protect adds (authentication tag, SRTCP index; libsrtp's SRTP_MAX_TRAILER_LEN
    // plus 4): a buffer handed to protectRtp/protectRtcp must have this much room past the packet.
    static constexpr std::size_t kMaxProtectOverhead = 16 + 128 + 4;

    // nullopt when libsrtp does not take the key (wrong length for the profile).
    static std::optional<SrtpSession> create(SrtpProfile profile,
                                             std::span<const std::uint8_t> keyAndSalt,
                                             Direction direction);

    SrtpSession(SrtpSession&&) noexcept;
    SrtpSession& operator=(SrtpSession&&) noexcept;
    ~SrtpSession();

    // `buffer` holds the packet in its first `length` bytes and has room for the tag after it.
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

    std::unique_ptr<srtp_ctx_t_, Free> session_;
    SrtpProfile profile_;
    Direction direction_;
};

}  // namespace pulsemeet::media
