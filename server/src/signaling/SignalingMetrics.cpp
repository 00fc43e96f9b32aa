#include "signaling/SignalingMetrics.hpp"

namespace pulsemeet::signaling {

SignalingMetrics::SignalingMetrics(obs::Registry& registry)
    : rooms(registry.gauge("pulsemeet_rooms", "Rooms with at least one peer")),
      peers(registry.gauge("pulsemeet_peers", "Peers joined to a room")),
      joins(registry.counter("pulsemeet_joins_total", "Successful room joins")),
      resumes(registry.counter("pulsemeet_resumes_total",
                               "Joins that resumed an earlier peer id with a resume token")),
      resumesRefused(registry.counter(
          "pulsemeet_resumes_refused_total",
          "Joins whose resume token was refused (forged, expired, spent or revoked, other room, "
          "expired room token); they joined under a new peer id")),
      heldOverflows(
          registry.counter("pulsemeet_held_buffer_overflows_total",
                           "Held places ended early because messages to them overflowed")),
      roomsMovedForUnreachablePeers(registry.counter(
          "pulsemeet_rooms_moved_for_unreachable_peers_total",
          "Mesh rooms moved onto the media server because two members could not connect "
          "directly and no TURN relay is configured (mesh-unreachable)")),
      relayLatency(
          registry.histogram("pulsemeet_relay_latency_seconds",
                             "Time from reading a relayed frame to queueing it at the target",
                             {0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025,
                              0.005, 0.01, 0.025, 0.05, 0.1})) {
    for (std::size_t i = 0; i < wire::kMessageTypeCount; ++i) {
        const auto type = std::string(wire::toString(static_cast<wire::MessageType>(i)));
        in_[i] = &registry.counter("pulsemeet_messages_received_total",
                                   "WebSocket messages received, by type", {{"type", type}});
        out_[i] =
            &registry.counter("pulsemeet_messages_sent_total",
                              "WebSocket messages queued to clients, by type", {{"type", type}});
    }
    for (std::size_t i = 0; i < errors_.size(); ++i) {
        errors_[i] = &registry.counter(
            "pulsemeet_signaling_errors_total", "Error replies sent to clients, by code",
            {{"code", std::string(wire::toString(static_cast<wire::ErrorCode>(i)))}});
    }
}

}  // namespace pulsemeet::signaling
