#include "app/MediaTcpMetrics.hpp"

#include <cstdint>
#include <string>

namespace pulsemeet::app {

namespace {

obs::Counter& closes(obs::Registry& registry, const std::string& reason) {
    return registry.counter("pulsemeet_media_tcp_connections_closed_total",
                            "ICE-TCP connections to the media server closed, by why",
                            {{"reason", reason}});
}

void grow(obs::Counter& counter, std::uint64_t now, std::uint64_t before) {
    if (now > before) counter.inc(now - before);
}

}  // namespace

MediaTcpMetrics::MediaTcpMetrics(obs::Registry& registry)
    : accepted_(registry.counter("pulsemeet_media_tcp_connections_accepted_total",
                                 "ICE-TCP connections the media server took on")),
      refusedOverCap_(closes(registry, "over-cap")),
      closedNoValidStun_(closes(registry, "no-valid-stun")),
      closedBadFraming_(closes(registry, "bad-framing")),
      closedIdle_(closes(registry, "idle")),
      closedByPeer_(closes(registry, "peer")),
      closedByServer_(closes(registry, "server")),
      framesReceived_(registry.counter("pulsemeet_media_tcp_frames_received_total",
                                       "Packets read off ICE-TCP connections")),
      framesSent_(registry.counter("pulsemeet_media_tcp_frames_sent_total",
                                   "Packets queued to ICE-TCP connections")),
      sendDropped_(registry.counter("pulsemeet_media_tcp_send_dropped_total",
                                    "Packets for an ICE-TCP client dropped: no connection, or "
                                    "its write queue was full")),
      connections_(registry.gauge("pulsemeet_media_tcp_connections",
                                  "Open ICE-TCP connections to the media server")) {}

void MediaTcpMetrics::update(const media::TcpIceCounters& now,
                             const media::TcpIceCounters& before) {
    grow(accepted_, now.accepted, before.accepted);
    grow(refusedOverCap_, now.refusedOverCap, before.refusedOverCap);
    grow(closedNoValidStun_, now.closedNoValidStun, before.closedNoValidStun);
    grow(closedBadFraming_, now.closedBadFraming, before.closedBadFraming);
    grow(closedIdle_, now.closedIdle, before.closedIdle);
    grow(closedByPeer_, now.closedByPeer, before.closedByPeer);
    grow(closedByServer_, now.closedByServer, before.closedByServer);
    grow(framesReceived_, now.framesReceived, before.framesReceived);
    grow(framesSent_, now.framesSent, before.framesSent);
    grow(sendDropped_, now.sendDropped, before.sendDropped);
    connections_.set(static_cast<std::int64_t>(now.connections));
}

}  // namespace pulsemeet::app
