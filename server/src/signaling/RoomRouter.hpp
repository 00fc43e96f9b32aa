#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "cluster/Bus.hpp"
#include "signaling/HeldPeers.hpp"
#include "signaling/MediaServerPort.hpp"
#include "signaling/Membership.hpp"
#include "signaling/SignalingMetrics.hpp"
#include "wire/Protocol.hpp"
#include "wire/SharedMessage.hpp"

namespace pulsemeet::signaling {

// Something the rest of a room hears about one of its members.
struct RoomEvent {
    enum class Kind {
        joined,      // peer-joined: other instances learn the member too
        left,        // peer-left: other instances forget it
        mediaState,  // media-state: other instances remember it for later joiners
        // To other instances only when they share media servers (Redis): a room on the media
        // server has no data channels. Otherwise a shared room stays mesh, where chat goes over
        // the peers' data channels.
        chat,
        // Not carried: each instance decides the mode for its members by the same rule.
        modeChanged,
    };
    Kind kind;
    const std::string& roomId;
    const std::string& peerId;  // whom it is about; never sent to
    wire::MessageType type;
    wire::SharedMessage message;
    std::string name;       // joined
    std::string mediaJson;  // joined, mediaState
    bool onMediaServer;     // left: the peer had a media-server transport, to be removed
};

// Where a message for a room or one of its members goes: a member connected here (its socket,
// and its delivery log when its client counts), a held place (kept for the resume), other
// instances (the cluster bus), the media server, or nowhere. The hub decides what happens in a
// room; this is the one place that decides where it goes, so no call site asks whether rooms are
// shared. Not thread-safe: the hub calls it under its lock.
class RoomRouter {
  public:
    using Clock = std::chrono::steady_clock;

    // `bus`: null, or one that is not clustered (NoopBus), for an instance alone: then it is
    // never called.
    // `media`: null when there is no media server.
    RoomRouter(cluster::Bus* bus, MediaServerPort* media, Connections& connections, HeldPeers& held,
               SignalingMetrics& metrics);

    // The bus when rooms are shared with other instances, for what membership asks of it
    // (capacity, resume nonces); null for an instance alone.
    cluster::Bus* cluster() const { return cluster_; }
    bool hasMediaServer() const { return media_ != nullptr; }
    // To the media server (it must exist): a peer's offer, and its departure from it.
    void offerToMediaServer(const std::string& roomId, const std::string& peerId, std::string sdp,
                            std::function<void(MediaAnswer)> done);
    void leaveMediaServer(const std::string& roomId, const std::string& peerId);
    // Clustered, shared media: signaling to the room's media owner on another instance, or
    // from our media server back to a client's instance (the bus must share media servers).
    void mediaToCluster(cluster::MediaSignal signal) { cluster_->sendMedia(std::move(signal)); }
    void setMediaViews(const std::string& roomId, const std::string& peerId,
                       std::vector<MediaView> views);

    // To every member of `room` but the one the event is about, here or held; then, as its kind
    // needs, to other instances. `room` is null when the event emptied it (a departure).
    // `skip` leaves out further members (it sees each member id and record).
    template <typename Skip>
    void publish(const Room* room, const RoomEvent& event, Skip skip);
    void publish(const Room* room, const RoomEvent& event) {
        publish(room, event, [](const std::string&, const Member&) { return false; });
    }

    enum class RelayOutcome {
        delivered,    // to the target here, or kept for its held place, or on the bus
        notFound,     // no instance has the target in this room
        unreachable,  // the target's instance cannot be reached now (the bus is full)
    };
    // A relayed message from `fromId` to `targetId` of `room` (`roomId`); `readAt` is when its
    // frame was read, for the relay latency.
    RelayOutcome relay(const std::string& roomId, const Room& room, const std::string& fromId,
                       const std::string& targetId, wire::MessageType type,
                       const std::string& dataJson, Clock::time_point readAt);

    // Room traffic to one member: its connection, or its held place's buffer.
    void toMember(const std::string& memberId, wire::MessageType type,
                  const wire::SharedMessage& message);
    // Room traffic to a connected member: sent, and logged when its client counts.
    void deliver(Connection& connection, wire::MessageType type,
                 const wire::SharedMessage& message);
    // A reply (error, pong): sent, never logged nor kept.
    void send(Connection& connection, wire::MessageType type, const wire::SharedMessage& message);
    // From another instance: to one local peer of the room, or to all of them.
    void fromCluster(const std::string& roomId, const Room* room, const std::string& targetId,
                     wire::MessageType type, const wire::SharedMessage& message);

  private:
    void toOtherInstances(const RoomEvent& event);

    cluster::Bus* cluster_;
    MediaServerPort* media_;
    Connections& connections_;
    HeldPeers& held_;
    SignalingMetrics& metrics_;
};

template <typename Skip>
void RoomRouter::publish(const Room* room, const RoomEvent& event, Skip skip) {
    if (room != nullptr) {
        for (const auto& [memberId, member] : room->members) {
            if (memberId != event.peerId && !skip(memberId, member)) {
                toMember(memberId, event.type, event.message);
            }
        }
    }
    if (event.kind == RoomEvent::Kind::left && event.onMediaServer && media_ != nullptr) {
        media_->removePeer(event.roomId, event.peerId);
    }
    if (cluster_ != nullptr) toOtherInstances(event);
}

}  // namespace pulsemeet::signaling
