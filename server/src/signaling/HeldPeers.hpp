#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "signaling/DeliveryLog.hpp"
#include "signaling/PeerLink.hpp"
#include "wire/Protocol.hpp"

namespace pulsemeet::signaling {

// Limits on what is kept for one dropped peer while its place is held.
struct HoldLimits {
    std::chrono::milliseconds grace{20'000};
    std::size_t maxMessages = 256;
    std::size_t maxBytes = 256 * 1024;
};

// Peers whose socket dropped while they were in a room. Their place is kept (the others are not
// told) for the grace period, and what is sent to them meanwhile is kept for delivery on resume.
// Not thread-safe: the hub calls it under its own lock.
class HeldPeers {
  public:
    using Clock = std::chrono::steady_clock;
    using Buffered = std::pair<wire::MessageType, wire::SharedMessage>;

    struct Place {
        std::string roomId;
        Clock::time_point deadline;
        // What the peer may not have received, in order: the unacknowledged end of its delivery
        // log (when its client acknowledges), then what was sent while it was away.
        std::deque<Buffered> messages;
        // Stream index of messages.front() when the client acknowledges; a resume skips what it
        // says it received. Empty: replay everything.
        std::optional<std::uint64_t> firstIndex;
        std::size_t bytes = 0;
        // The buffer overflowed: the place can no longer be resumed seamlessly, so it ends at
        // the next sweep rather than dropping messages silently.
        bool overflowed = false;
        // Nonce of the resume token the dropped connection was last given: only that token
        // takes the place back (see ResumeTokens).
        std::string resumeNonce;
    };
    // A place whose hold ended without a resume.
    struct Ended {
        std::string peerId;
        std::string roomId;
        std::string resumeNonce;
    };

    explicit HeldPeers(HoldLimits limits) : limits_(limits) {}

    // `unacknowledged`: the connection's delivery log, or null when its client does not count.
    // `resumeNonce`: the nonce of the connection's current resume token.
    void hold(const std::string& peerId, std::string roomId, Clock::time_point now,
              DeliveryLog* unacknowledged = nullptr, std::string resumeNonce = {});
    // A place made from a delivery log, for a connection taken over while still open.
    static Place placeFrom(std::string roomId, DeliveryLog* unacknowledged);
    bool holds(const std::string& peerId) const { return places_.contains(peerId); }
    // The held place of `peerId`, or null.
    const Place* find(const std::string& peerId) const;
    enum class BufferResult {
        kept,
        overflowed,  // this message filled the buffer: the place ends at the next sweep
        refused,     // not held, or already overflowed
    };
    // Keeps a message for a held peer.
    BufferResult buffer(const std::string& peerId, wire::MessageType type,
                        const wire::SharedMessage& message);
    // Ends the hold and hands back the place (for a resume). Empty when not held.
    std::optional<Place> take(const std::string& peerId);
    // Ends and returns every hold whose grace period is over (or whose buffer overflowed), for
    // the hub to announce peer-left and revoke the token.
    std::vector<Ended> expire(Clock::time_point now);
    void clear() { places_.clear(); }
    std::size_t size() const { return places_.size(); }
    const HoldLimits& limits() const { return limits_; }

  private:
    HoldLimits limits_;
    std::unordered_map<std::string, Place> places_;
};

}  // namespace pulsemeet::signaling
