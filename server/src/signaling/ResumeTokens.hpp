#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pulsemeet::signaling {

// What a correctly signed, unexpired resume token says. Whether it is still the *current* token
// of its place (not spent by a later resume, not revoked by a hang-up) is the hub's to decide,
// from `nonce` and `issuer`.
struct ResumeClaim {
    std::string roomId;
    std::string peerId;
    std::string issuer;          // the process that issued it (random per process)
    std::string nonce;           // random per issue: names this one token of the place
    std::int64_t expiresAt = 0;  // Unix seconds
};

// Stored as a place's current nonce once its token is revoked: never equal to an issued nonce.
inline constexpr std::string_view kRevokedResumeNonce = "-";

// A freshly issued token and what the hub keeps of it.
struct IssuedResumeToken {
    std::string token;
    std::string nonce;
    std::int64_t expiresAt = 0;  // Unix seconds
};

// HMAC-SHA256-signed `(roomId, peerId, issuer, nonce, expiry)`. With a configured secret, tokens
// verify across restarts; without one, a random per-process secret is used. Every issue draws a
// new nonce, so two tokens of one place are never the same and the hub can tell the current one.
class ResumeTokens {
  public:
    using Clock = std::chrono::system_clock;

    // `issuer`: names this process in its tokens (empty: a random one). Tests pass their own to
    // play an earlier process.
    ResumeTokens(std::string secret, std::chrono::seconds lifetime, std::string issuer = {});

    // `notAfter` (Unix seconds, 0 for none) caps the expiry: a token never outlives the room
    // token of the connection it is issued to.
    IssuedResumeToken issue(std::string_view roomId, std::string_view peerId,
                            std::int64_t notAfter = 0, Clock::time_point now = Clock::now()) const;
    std::optional<ResumeClaim> verify(std::string_view token,
                                      Clock::time_point now = Clock::now()) const;

    const std::string& issuer() const { return issuer_; }
    std::chrono::seconds lifetime() const { return lifetime_; }

  private:
    std::string sign(std::string_view payload) const;

    std::string secret_;
    std::chrono::seconds lifetime_;
    std::string issuer_;
};

// Unix seconds of a time point.
std::int64_t unixSeconds(ResumeTokens::Clock::time_point time);

}  // namespace pulsemeet::signaling
