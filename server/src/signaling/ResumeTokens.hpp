#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace pulsemeet::signaling {

// What a valid resume token proves: this peer id held a place in this room.
struct ResumeClaim {
    std::string roomId;
    std::string peerId;
};

// HMAC-SHA256-signed `(roomId, peerId, expiry)`. With a configured secret, tokens stay valid
// across restarts; without one, a random per-process secret is used.
class ResumeTokens {
  public:
    using Clock = std::chrono::system_clock;

    ResumeTokens(std::string secret, std::chrono::seconds lifetime);

    std::string issue(std::string_view roomId, std::string_view peerId,
                      Clock::time_point now = Clock::now()) const;
    std::optional<ResumeClaim> verify(std::string_view token,
                                      Clock::time_point now = Clock::now()) const;

  private:
    std::string sign(std::string_view payload) const;

    std::string secret_;
    std::chrono::seconds lifetime_;
};

}  // namespace pulsemeet::signaling
