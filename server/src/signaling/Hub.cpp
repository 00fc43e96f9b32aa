#include "signaling/Hub.hpp"

#include "obs/Logger.hpp"

namespace pulsemeet::signaling {

Hub::Hub(HubOptions options, SignalingMetrics& metrics, obs::Logger& logger)
    : options_(std::move(options)),
      clustered_(options_.bus != nullptr && options_.bus->clustered()),
      metrics_(metrics),
      logger_(logger) {}

void Hub::attach(const std::string& peerId, std::shared_ptr<PeerLink> link, Admission admission) {
    std::lock_guard lock(mutex_);
    auto& connection =
        connections_.insert_or_assign(peerId, Connection{std::move(link), std::move(admission), {}})
            .first->second;
    // A handshake that finished just as the drain began must not outlive it unannounced.
    if (closingWith_) connection.link->close(closingWith_->code, closingWith_->reason);
}

void Hub::detach(const std::string& peerId) {
    std::shared_ptr<PeerLink> released;  // destroyed after the lock is let go
    std::lock_guard lock(mutex_);
    const auto it = connections_.find(peerId);
    if (it == connections_.end()) return;
    leaveRoom(peerId, it->second);
    released = std::move(it->second.link);
    connections_.erase(it);
}

void Hub::handle(const std::string& peerId, const ClientMessage& message,
                 Clock::time_point readAt) {
    std::lock_guard lock(mutex_);
    const auto it = connections_.find(peerId);
    if (it == connections_.end()) return;  // already detached: its socket is closing
    Connection& connection = it->second;
    switch (message.type) {
        case MessageType::join:
            join(peerId, connection, message);
            break;
        case MessageType::leave:
            if (connection.roomId.empty()) {
                sendError(connection, ErrorCode::notInRoom, "not in a room");
            } else {
                leaveRoom(peerId, connection);
            }
            break;
        case MessageType::offer:
        case MessageType::answer:
        case MessageType::iceCandidate:
            relay(peerId, connection, message, readAt);
            break;
        case MessageType::mediaState:
            mediaState(peerId, connection, message);
            break;
        default:
            break;  // ping is answered by the connection itself
    }
}

void Hub::reply(const std::string& peerId, MessageType type, SharedMessage message) {
    std::lock_guard lock(mutex_);
    const auto it = connections_.find(peerId);
    if (it != connections_.end()) send(it->second, type, message);
}

void Hub::join(const std::string& peerId, Connection& connection, const ClientMessage& message) {
    const Admission& admission = connection.admission;
    if (admission.room != "*" && admission.room != message.roomId) {
        sendError(connection, ErrorCode::forbiddenRoom,
                  "this connection may not join room " + message.roomId);
        return;
    }
    const std::string name = admission.name.empty() ? message.name : admission.name;
    if (clustered_) {
        // Capacity is counted across instances by the bus; the join completes on its answer.
        options_.bus->join(message.roomId, peerId, name, std::string(kDefaultMediaJson),
                           options_.maxPeersPerRoom,
                           [this, peerId, roomId = message.roomId, name](auto outcome) {
                               completeJoin(peerId, roomId, name, std::move(outcome));
                           });
        return;
    }
    if (connection.roomId != message.roomId) {
        const auto target = rooms_.find(message.roomId);
        if (target != rooms_.end() &&
            target->second.members.size() >= static_cast<std::size_t>(options_.maxPeersPerRoom)) {
            sendError(connection, ErrorCode::roomFull,
                      "room " + message.roomId + " is full (" +
                          std::to_string(options_.maxPeersPerRoom) + " people)");
            return;
        }
        leaveRoom(peerId, connection);  // a second join moves rooms
    }
    enter(peerId, connection, message.roomId, name, {});
}

void Hub::completeJoin(const std::string& peerId, const std::string& roomId,
                       const std::string& name, cluster::JoinOutcome outcome) {
    std::lock_guard lock(mutex_);
    const auto it = connections_.find(peerId);
    if (it == connections_.end()) {
        // Gone while the bus was asking: give its place back.
        if (outcome.admitted)
            options_.bus->leave(roomId, peerId, share(encodePeerLeft(roomId, peerId)));
        return;
    }
    Connection& connection = it->second;
    if (!outcome.admitted) {
        sendError(connection, ErrorCode::roomFull,
                  "room " + roomId + " is full (" + std::to_string(options_.maxPeersPerRoom) +
                      " people)");
        return;
    }
    if (connection.roomId != roomId) leaveRoom(peerId, connection);
    enter(peerId, connection, roomId, name, outcome.remotePeers);
}

void Hub::enter(const std::string& peerId, Connection& connection, const std::string& roomId,
                const std::string& name, const std::vector<cluster::RemotePeer>& remotePeers) {
    auto [roomIt, created] = rooms_.try_emplace(roomId);
    if (created) metrics_.rooms.inc();
    Room& room = roomIt->second;
    auto [memberIt, isNew] = room.members.try_emplace(peerId);
    if (isNew) {
        memberIt->second.mediaJson = std::string(kDefaultMediaJson);
        metrics_.peers.inc();
    }
    memberIt->second.name = name;
    connection.roomId = roomId;

    std::vector<PeerSummary> others;
    others.reserve(room.members.size() + remotePeers.size());
    for (const auto& [otherId, member] : room.members) {
        if (otherId != peerId) others.push_back({otherId, member.name, member.mediaJson});
    }
    for (const auto& remote : remotePeers) {
        others.push_back({remote.peerId, remote.name, remote.mediaJson});
    }
    const std::string token =
        options_.resumeToken ? options_.resumeToken(roomId, peerId) : std::string();
    const std::string iceServers =
        options_.iceServersJson ? options_.iceServersJson(peerId) : std::string("[]");
    send(connection, MessageType::roomJoined,
         share(encodeRoomJoined(roomId, peerId, others, token, iceServers,
                                options_.iceTransportPolicy)));
    if (isNew) {
        metrics_.joins.inc();
        const SharedMessage joined =
            share(encodePeerJoined(roomId, peerId, name, memberIt->second.mediaJson));
        broadcast(room, peerId, MessageType::peerJoined, joined);
        if (clustered_) {
            options_.bus->announceJoined(roomId, peerId, name, memberIt->second.mediaJson, joined);
        }
        logger_.info("peer joined",
                     {{"peer", peerId}, {"room", roomId}, {"peers", room.members.size()}});
    }
}

void Hub::leaveRoom(const std::string& peerId, Connection& connection) {
    if (connection.roomId.empty()) return;
    const std::string roomId = std::move(connection.roomId);
    connection.roomId.clear();
    const auto roomIt = rooms_.find(roomId);
    if (roomIt == rooms_.end()) return;
    Room& room = roomIt->second;
    if (room.members.erase(peerId) == 0) return;
    metrics_.peers.dec();
    logger_.info("peer left", {{"peer", peerId}, {"room", roomId}, {"peers", room.members.size()}});
    if (clustered_) options_.bus->leave(roomId, peerId, share(encodePeerLeft(roomId, peerId)));
    if (room.members.empty()) {
        rooms_.erase(roomIt);
        metrics_.rooms.dec();
        return;
    }
    broadcast(room, peerId, MessageType::peerLeft, share(encodePeerLeft(roomId, peerId)));
}

void Hub::relay(const std::string& peerId, Connection& connection, const ClientMessage& message,
                Clock::time_point readAt) {
    if (connection.roomId.empty()) {
        sendError(connection, ErrorCode::notInRoom,
                  "join a room before sending " + std::string(toString(message.type)));
        return;
    }
    if (message.targetId == peerId) {
        sendError(connection, ErrorCode::badMessage, "targetId is your own id");
        return;
    }
    const auto& members = rooms_.at(connection.roomId).members;
    const auto targetIt = connections_.find(message.targetId);
    if (targetIt == connections_.end() || !members.contains(message.targetId)) {
        if (clustered_ && relayToCluster(peerId, connection, message)) return;
        sendError(connection, ErrorCode::peerNotFound,
                  "peer " + message.targetId + " is not in room " + connection.roomId);
        return;
    }
    send(targetIt->second, message.type,
         share(encodeRelay(message.type, connection.roomId, peerId, message.targetId,
                           message.dataJson)));
    metrics_.relayLatency.observe(std::chrono::duration<double>(Clock::now() - readAt).count());
}

// The target is not here: maybe on another instance. False when no instance has it.
bool Hub::relayToCluster(const std::string& peerId, Connection& connection,
                         const ClientMessage& message) {
    const auto outcome =
        options_.bus->relay(connection.roomId, peerId, message.targetId, message.type,
                            share(encodeRelay(message.type, connection.roomId, peerId,
                                              message.targetId, message.dataJson)));
    if (outcome == cluster::RelayOutcome::unknownTarget) return false;
    if (outcome == cluster::RelayOutcome::overloaded) {
        sendError(connection, ErrorCode::peerNotFound,
                  "peer " + message.targetId +
                      " is on another instance that cannot be reached right now");
    }
    return true;
}

void Hub::mediaState(const std::string& peerId, Connection& connection,
                     const ClientMessage& message) {
    if (connection.roomId.empty()) {
        sendError(connection, ErrorCode::notInRoom, "join a room before sending media-state");
        return;
    }
    Room& room = rooms_.at(connection.roomId);
    room.members.at(peerId).mediaJson = message.dataJson;
    const SharedMessage state = share(
        encodeRelay(MessageType::mediaState, connection.roomId, peerId, {}, message.dataJson));
    broadcast(room, peerId, MessageType::mediaState, state);
    if (clustered_) options_.bus->announceMedia(connection.roomId, peerId, message.dataJson, state);
}

void Hub::sendError(Connection& connection, ErrorCode code, std::string text) {
    metrics_.errors(code).inc();
    send(connection, MessageType::error, share(encodeError({code, std::move(text)})));
}

void Hub::send(Connection& connection, MessageType type, const SharedMessage& message) {
    metrics_.messagesOut(type).inc();
    connection.link->deliver(message);
}

void Hub::broadcast(const Room& room, const std::string& exceptPeerId, MessageType type,
                    const SharedMessage& message) {
    for (const auto& [memberId, member] : room.members) {
        if (memberId == exceptPeerId) continue;
        const auto it = connections_.find(memberId);
        if (it != connections_.end()) send(it->second, type, message);
    }
}

void Hub::deliverFromCluster(const std::string& roomId, const std::string& targetId,
                             MessageType type, const SharedMessage& message) {
    std::lock_guard lock(mutex_);
    if (!targetId.empty()) {
        const auto it = connections_.find(targetId);
        if (it != connections_.end() && it->second.roomId == roomId)
            send(it->second, type, message);
        return;
    }
    if (const auto room = rooms_.find(roomId); room != rooms_.end()) {
        broadcast(room->second, {}, type, message);
    }
}

void Hub::closeAll(CloseCode code, std::string_view reason) {
    std::lock_guard lock(mutex_);
    closingWith_ = Closing{code, std::string(reason)};
    for (auto& [peerId, connection] : connections_) connection.link->close(code, reason);
}

void Hub::releaseAll() {
    std::unordered_map<std::string, Connection> released;
    {
        std::lock_guard lock(mutex_);
        released.swap(connections_);
        rooms_.clear();
    }
}

std::size_t Hub::connectionCount() const {
    std::lock_guard lock(mutex_);
    return connections_.size();
}

std::size_t Hub::roomCount() const {
    std::lock_guard lock(mutex_);
    return rooms_.size();
}

std::vector<std::string> Hub::roomMembers(const std::string& roomId) const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> ids;
    if (const auto it = rooms_.find(roomId); it != rooms_.end()) {
        for (const auto& [id, member] : it->second.members) ids.push_back(id);
    }
    return ids;
}

}  // namespace pulsemeet::signaling
