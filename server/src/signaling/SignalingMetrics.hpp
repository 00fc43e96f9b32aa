#pragma once

#include <array>

#include "obs/Metrics.hpp"
#include "wire/Protocol.hpp"

namespace pulsemeet::signaling {

// The hub's and connections' metrics, looked up once so the hot path only touches atomics.
struct SignalingMetrics {
    explicit SignalingMetrics(obs::Registry& registry);

    obs::Counter& messagesIn(wire::MessageType type) {
        return *in_[static_cast<std::size_t>(type)];
    }
    obs::Counter& messagesOut(wire::MessageType type) {
        return *out_[static_cast<std::size_t>(type)];
    }
    obs::Counter& errors(wire::ErrorCode code) { return *errors_[static_cast<std::size_t>(code)]; }

    obs::Gauge& rooms;
    obs::Gauge& peers;  // peers in a room
    obs::Counter& joins;
    obs::Counter& resumes;         // joins that got their earlier peer id back
    obs::Counter& resumesRefused;  // joins whose resume token was not taken (a new id instead)
    obs::Counter& heldOverflows;   // held places ended because their buffer filled up
    // Mesh rooms moved onto the media server because two members could not connect directly
    // (mesh-unreachable, no TURN).
    obs::Counter& roomsMovedForUnreachablePeers;
    obs::Histogram& relayLatency;  // frame read -> queued at the target, seconds

  private:
    std::array<obs::Counter*, wire::kMessageTypeCount> in_{};
    std::array<obs::Counter*, wire::kMessageTypeCount> out_{};
    std::array<obs::Counter*, wire::kErrorCodeCount> errors_{};
};

}  // namespace pulsemeet::signaling
