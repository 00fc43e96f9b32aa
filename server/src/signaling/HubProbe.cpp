// The pre-call check's probe of the media server (docs/protocol.md, "sfu-probe"): a client, in a
// room or not, offers a throw-away connection to see whether the media port answers over UDP and
// over TCP. It never touches a room: the media server gets a media room of the probe's own, gone
// after MediaProbes::kLifetime or when the client disconnects.
#include "obs/Logger.hpp"
#include "signaling/Hub.hpp"
#include "wire/ServerMessages.hpp"

namespace pulsemeet::signaling {

void Hub::sfuProbe(const std::string& peerId, Connection& connection,
                   const ClientMessage& message) {
    if (options_.media == nullptr) {
        sendError(connection, wire::ErrorCode::mediaUnavailable, "this server has no media server");
        return;
    }
    const auto probe = probes_.start(peerId, Clock::now());
    if (probe.mediaRoom.empty()) {
        // Not rate-limited (which closes the socket): the page just says it could not check.
        sendError(connection, wire::ErrorCode::mediaUnavailable,
                  "too many media probes: at most " +
                      std::to_string(MediaProbes::kPerPeerPerMinute) +
                      " a minute per connection; try again shortly");
        return;
    }
    logger_.debug("media probe", {{"peer", peerId}, {"probes", probes_.active()}});
    options_.media->offer(probe.mediaRoom, peerId, message.sdp, [this, peerId](MediaAnswer answer) {
        probeAnswered(peerId, std::move(answer));
    });
}

void Hub::probeAnswered(const std::string& peerId, MediaAnswer answer) {
    std::lock_guard lock(mutex_);
    const auto connection = connections_.find(peerId);
    if (connection == connections_.end()) return;
    if (!answer.ok) {
        sendError(connection->second, wire::ErrorCode::invalidSdp,
                  "the media server refused the probe: " + answer.error);
        return;
    }
    router_.send(connection->second, wire::MessageType::sfuProbeAnswer,
                 wire::share(wire::encodeSfuProbeAnswer(answer.sdp)));
}

void Hub::endProbes(const std::string& peerId) {
    for (const auto& probe : probes_.endAll(peerId)) {
        if (options_.media != nullptr) options_.media->removePeer(probe.mediaRoom, probe.peerId);
    }
}

}  // namespace pulsemeet::signaling
