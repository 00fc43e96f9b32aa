#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "signaling/Hub.hpp"
#include "signaling/TokenBucket.hpp"

namespace pulsemeet::signaling {

// The signaling side of one socket: limits, decodes and answers what the client sends, and
// hands everything else to the hub. The transport calls it from one strand only.
class SignalingConnection {
  public:
    using Clock = std::chrono::steady_clock;

    SignalingConnection(Hub& hub, SignalingMetrics& metrics, std::string peerId,
                        double messagesPerSecond);

    // Registers with the hub; `link` is this connection's own transport.
    void open(std::shared_ptr<PeerLink> link, Admission admission);
    void onText(std::string_view text, Clock::time_point readAt);
    void onBinary(Clock::time_point readAt);
    // A message larger than MAX_MESSAGE_BYTES: the caller closes with 1009 after this.
    void onTooLarge(std::size_t limit);
    void onClosed(Departure departure);

    const std::string& peerId() const { return peerId_; }

  private:
    bool admit(Clock::time_point now);
    void replyError(wire::ErrorCode code, std::string text);

    Hub& hub_;
    SignalingMetrics& metrics_;
    std::string peerId_;
    TokenBucket limiter_;
    PeerLink* link_ = nullptr;  // owned by the transport, which owns this object
    bool limited_ = false;
};

}  // namespace pulsemeet::signaling
