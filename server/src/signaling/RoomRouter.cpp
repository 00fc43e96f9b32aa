#include "signaling/RoomRouter.hpp"

#include "wire/ServerMessages.hpp"

namespace pulsemeet::signaling {

RoomRouter::RoomRouter(cluster::Bus* bus, MediaServerPort* media, Connections& connections,
                       HeldPeers& held, SignalingMetrics& metrics)
    : cluster_(bus != nullptr && bus->clustered() ? bus : nullptr),
      media_(media),
      connections_(connections),
      held_(held),
      metrics_(metrics) {}

void RoomRouter::toOtherInstances(const RoomEvent& event) {
    switch (event.kind) {
        case RoomEvent::Kind::joined:
            cluster_->announceJoined(event.roomId, event.peerId, event.name, event.mediaJson,
                                     event.message);
            break;
        case RoomEvent::Kind::left:
            cluster_->leave(event.roomId, event.peerId, event.message);
            break;
        case RoomEvent::Kind::mediaState:
            cluster_->announceMedia(event.roomId, event.peerId, event.mediaJson, event.message);
            break;
        case RoomEvent::Kind::chat:
            if (cluster_->sharesMediaServers()) {
                cluster_->announceChat(event.roomId, event.peerId, event.message);
            }
            break;
        case RoomEvent::Kind::modeChanged:
            break;
    }
}

void RoomRouter::offerToMediaServer(const std::string& roomId, const std::string& peerId,
                                    std::string sdp, std::function<void(MediaAnswer)> done) {
    media_->offer(roomId, peerId, std::move(sdp), std::move(done));
}

void RoomRouter::leaveMediaServer(const std::string& roomId, const std::string& peerId) {
    if (media_ != nullptr) media_->removePeer(roomId, peerId);
}

void RoomRouter::setMediaViews(const std::string& roomId, const std::string& peerId,
                               std::vector<MediaView> views) {
    if (media_ != nullptr) media_->setViews(roomId, peerId, std::move(views));
}

RoomRouter::RelayOutcome RoomRouter::relay(const std::string& roomId, const Room& room,
                                           const std::string& fromId, const std::string& targetId,
                                           wire::MessageType type, const std::string& dataJson,
                                           Clock::time_point readAt) {
    // Fast path: a connected target in the sender's room. A connection's roomId is set and
    // cleared together with its membership of that room, so this is the membership check
    // with one look-up instead of two (the member map, then the connection).
    // Latency is observed before the hand-over: with inline delivery the target may read the
    // frame (and a scrape follow) before the line after deliver() runs.
    const auto target = connections_.find(targetId);
    const bool connectedHere = target != connections_.end() && target->second.roomId == roomId;
    // A member is either connected or held (its messages are buffered for the resume).
    if (!connectedHere && !room.members.contains(targetId)) {
        if (cluster_ == nullptr) return RelayOutcome::notFound;
        // Maybe on another instance.
        switch (cluster_->relay(
            roomId, fromId, targetId, type,
            wire::share(wire::encodeRelay(type, roomId, fromId, targetId, dataJson)))) {
            case cluster::RelayOutcome::queued:
                return RelayOutcome::delivered;
            case cluster::RelayOutcome::unknownTarget:
                return RelayOutcome::notFound;
            case cluster::RelayOutcome::overloaded:
                return RelayOutcome::unreachable;
        }
    }
    const wire::SharedMessage relayed =
        wire::share(wire::encodeRelay(type, roomId, fromId, targetId, dataJson));
    metrics_.relayLatency.observe(std::chrono::duration<double>(Clock::now() - readAt).count());
    if (connectedHere) {
        deliver(target->second, type, relayed);
    } else {
        toMember(targetId, type, relayed);
    }
    return RelayOutcome::delivered;
}

void RoomRouter::toMember(const std::string& memberId, wire::MessageType type,
                          const wire::SharedMessage& message) {
    if (const auto it = connections_.find(memberId); it != connections_.end()) {
        deliver(it->second, type, message);
        return;
    }
    if (held_.buffer(memberId, type, message) == HeldPeers::BufferResult::overflowed) {
        // Not dropped silently: the place ends at the next sweep and the others see peer-left.
        metrics_.heldOverflows.inc();
    }
}

void RoomRouter::deliver(Connection& connection, wire::MessageType type,
                         const wire::SharedMessage& message) {
    send(connection, type, message);
    if (connection.log) connection.log->record(type, message);
}

void RoomRouter::send(Connection& connection, wire::MessageType type,
                      const wire::SharedMessage& message) {
    metrics_.messagesOut(type).inc();
    connection.link->deliver(message);
}

void RoomRouter::fromCluster(const std::string& roomId, const Room* room,
                             const std::string& targetId, wire::MessageType type,
                             const wire::SharedMessage& message) {
    if (!targetId.empty()) {
        const auto it = connections_.find(targetId);
        if (it != connections_.end() && it->second.roomId == roomId)
            deliver(it->second, type, message);
        return;
    }
    if (room == nullptr) return;
    for (const auto& [memberId, member] : room->members) toMember(memberId, type, message);
}

}  // namespace pulsemeet::signaling
