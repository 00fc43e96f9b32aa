#include "signaling/Hub.hpp"

#include <algorithm>

#include "obs/Logger.hpp"
#include "signaling/GuestName.hpp"
#include "wire/ServerMessages.hpp"

namespace pulsemeet::signaling {

Hub::Hub(HubOptions options, SignalingMetrics& metrics, obs::Logger& logger)
    : options_(std::move(options)),
      metrics_(metrics),
      logger_(logger),
      held_(options_.hold),
      modeRule_(options_.roomModes),
      router_(options_.bus, options_.media, connections_, held_, metrics_) {}

Connection* Hub::find(const std::string& connectionId, std::string* peerId) {
    const auto alias = aliases_.find(connectionId);
    const std::string& key = alias != aliases_.end() ? alias->second : connectionId;
    const auto it = connections_.find(key);
    // A connection replaced by a resume keeps calling with its own id; it no longer owns the key.
    if (it == connections_.end() || it->second.connectionId != connectionId) return nullptr;
    if (peerId != nullptr) *peerId = key;
    return &it->second;
}

void Hub::attach(const std::string& connectionId, std::shared_ptr<PeerLink> link,
                 Admission admission) {
    std::lock_guard lock(mutex_);
    auto& connection =
        connections_
            .insert_or_assign(
                connectionId,
                Connection{
                    connectionId, std::move(link), std::move(admission), {}, false, nullptr, {}})
            .first->second;
    // A handshake that finished just as the drain began must not outlive it unannounced.
    if (closingWith_) connection.link->close(closingWith_->code, closingWith_->reason);
}

void Hub::detach(const std::string& connectionId, Departure departure) {
    std::shared_ptr<PeerLink> released;  // destroyed after the lock is let go
    std::lock_guard lock(mutex_);
    std::string peerId;
    Connection* connection = find(connectionId, &peerId);
    aliases_.erase(connectionId);
    if (connection == nullptr) return;
    // Only a client that declared it counts (data.received in its join) is one that resumes: a
    // place held for any other would stay on everyone's screen for the whole grace period as a
    // ghost, and its next connection would show up as a second person.
    if (departure == Departure::dropped && !connection->roomId.empty() &&
        connection->acknowledges && options_.hold.grace.count() > 0) {
        // Keep the place: the client is expected back with its resume token. The others are
        // told nothing unless the grace period runs out (sweep).
        logger_.info("peer held", {{"peer", peerId},
                                   {"room", connection->roomId},
                                   {"grace_ms", options_.hold.grace.count()}});
        held_.hold(peerId, connection->roomId, Clock::now(), connection->log.get(),
                   std::move(connection->resumeNonce));
    } else {
        // A hang-up, a client that does not resume, or no hold: the place is released now, and
        // with it the token.
        leaveRoom(peerId, *connection);
        revokeResume(peerId, connection->resumeNonce);
    }
    endProbes(peerId);
    released = std::move(connection->link);
    connections_.erase(peerId);
}

void Hub::handle(const std::string& connectionId, const ClientMessage& message,
                 Clock::time_point readAt) {
    std::lock_guard lock(mutex_);
    std::string peerId;
    Connection* found = find(connectionId, &peerId);
    if (found == nullptr) return;  // already detached or replaced: its socket is closing
    Connection& connection = *found;
    switch (message.type) {
        case wire::MessageType::join:
            join(peerId, connection, message);
            break;
        case wire::MessageType::leave:
            if (connection.roomId.empty()) {
                sendError(connection, wire::ErrorCode::notInRoom, "not in a room");
            } else {
                leaveRoom(peerId, connection);
                revokeResume(peerId, connection.resumeNonce);
            }
            break;
        case wire::MessageType::offer:
        case wire::MessageType::answer:
        case wire::MessageType::iceCandidate:
            relay(peerId, connection, message, readAt);
            break;
        case wire::MessageType::mediaState:
            mediaState(peerId, connection, message);
            break;
        case wire::MessageType::chat:
            chat(peerId, connection, message);
            break;
        case wire::MessageType::sfuOffer:
            sfuOffer(peerId, connection, message);
            break;
        case wire::MessageType::sfuLeave:
            sfuLeave(peerId, connection);
            break;
        case wire::MessageType::sfuView:
            sfuView(peerId, connection, message);
            break;
        case wire::MessageType::preview:
            preview(connection, message);
            break;
        case wire::MessageType::sfuProbe:
            sfuProbe(peerId, connection, message);
            break;
        case wire::MessageType::meshUnreachable:
            meshUnreachable(peerId, connection, message);
            break;
        default:
            break;  // ping is answered by the connection itself
    }
}

void Hub::acknowledge(const std::string& connectionId, std::uint64_t received) {
    std::lock_guard lock(mutex_);
    if (Connection* connection = find(connectionId); connection != nullptr && connection->log) {
        connection->log->acknowledge(received);
    }
}

void Hub::reply(const std::string& connectionId, wire::MessageType type,
                wire::SharedMessage message) {
    std::lock_guard lock(mutex_);
    if (Connection* connection = find(connectionId); connection != nullptr) {
        router_.send(*connection, type, message);
    }
}

void Hub::join(const std::string& joinerId, Connection& joiner, const ClientMessage& message) {
    const Admission& admission = joiner.admission;
    if (admission.room != "*" && admission.room != message.roomId) {
        sendError(joiner, wire::ErrorCode::forbiddenRoom,
                  "this connection may not join room " + message.roomId);
        return;
    }
    std::optional<ResumeClaim> claim = resumeClaim(joinerId, joiner, message);
    cluster::Bus* const cluster = router_.cluster();
    if (claim && cluster != nullptr) {
        // Which token of a place is current is kept by the bus, where every instance sees it:
        // the swap to the token room-joined will carry succeeds only if the presented one is
        // current, and the join goes on once it has answered.
        IssuedResumeToken next = issueResumeToken(message.roomId, claim->peerId, joiner);
        const std::string nextNonce = next.nonce;  // `next` moves into the callback
        cluster->swapResumeNonce(claim->peerId, claim->nonce, nextNonce,
                                 options_.resumeTokens->lifetime(),
                                 [this, connectionId = joiner.connectionId, message, claim = *claim,
                                  next = std::move(next)](cluster::ResumeSwap answer) {
                                     resumeAnswered(connectionId, message, claim, next, answer);
                                 });
        return;
    }
    if (claim && !acceptHere(*claim)) {
        logger_.info(
            "resume refused",
            {{"peer", joinerId}, {"room", message.roomId}, {"why", "token spent or revoked"}});
        metrics_.resumesRefused.inc();
        claim.reset();
    }
    proceedJoin(joinerId, joiner, message, claim, std::nullopt);
}

void Hub::proceedJoin(const std::string& joinerId, Connection& joiner, const ClientMessage& message,
                      const std::optional<ResumeClaim>& claim,
                      const std::optional<IssuedResumeToken>& next) {
    const Admission& admission = joiner.admission;
    // Room-id guessing: a new room without a resume token counts against the client's address.
    if (!claim && joiner.roomId != message.roomId && options_.admitRoomJoin &&
        !options_.admitRoomJoin(admission.clientAddress, message.roomId)) {
        sendError(joiner, wire::ErrorCode::rateLimited,
                  "too many different rooms joined: slow down");
        joiner.link->close(wire::CloseCode::policyViolation, "rate-limited");
        return;
    }
    // Read before a resume re-keys the connection: `joiner` (and its admission) move then.
    const std::string name = admission.name.empty() ? message.name : admission.name;
    std::string peerId = joinerId;
    Connection* current = &joiner;
    bool rebuilt = false;
    std::optional<HeldPeers::Place> place;
    if (claim) {
        current = &resume(joinerId, joiner, *claim, message.received, rebuilt, place);
        peerId = claim->peerId;
        // It holds the presented token until room-joined gives it the next one (a resume that
        // ends in room-full leaves that token current).
        current->resumeNonce = claim->nonce;
        metrics_.resumes.inc();
    }
    Connection& connection = *current;
    connection.acknowledges = message.received.has_value();

    if (cluster::Bus* const cluster = router_.cluster(); cluster != nullptr) {
        // Capacity is counted across instances by the bus; the join completes on its answer.
        cluster->join(message.roomId, peerId, name, std::string(wire::kDefaultMediaJson),
                      options_.maxPeersPerRoom,
                      [this, peerId, roomId = message.roomId, name, sfu = message.sfuCapable,
                       rebuilt, place, next](auto outcome) {
                          completeJoin(peerId, roomId, name, sfu, std::move(outcome), rebuilt,
                                       place, next);
                      });
        return;
    }
    if (connection.roomId != message.roomId) {
        const auto target = rooms_.find(message.roomId);
        if (target != rooms_.end() && !target->second.members.contains(peerId) &&
            target->second.members.size() >= static_cast<std::size_t>(options_.maxPeersPerRoom)) {
            sendError(connection, wire::ErrorCode::roomFull,
                      "room " + message.roomId + " is full (" +
                          std::to_string(options_.maxPeersPerRoom) + " people)");
            return;
        }
        leaveRoom(peerId, connection);  // a second join moves rooms
    }
    enter(peerId, connection, message.roomId, name, message.sfuCapable, {}, rebuilt, place, next);
}

void Hub::completeJoin(const std::string& peerId, const std::string& roomId,
                       const std::string& name, bool sfuCapable, cluster::JoinOutcome outcome,
                       bool rebuilt, const std::optional<HeldPeers::Place>& place,
                       const std::optional<IssuedResumeToken>& next) {
    std::lock_guard lock(mutex_);
    const auto it = connections_.find(peerId);
    if (it == connections_.end()) {
        // Gone while the bus was asking: give its place back.
        if (outcome.admitted) {
            router_.cluster()->leave(roomId, peerId,
                                     wire::share(wire::encodePeerLeft(roomId, peerId)));
        }
        return;
    }
    Connection& connection = it->second;
    if (!outcome.admitted) {
        sendError(connection, wire::ErrorCode::roomFull,
                  "room " + roomId + " is full (" + std::to_string(options_.maxPeersPerRoom) +
                      " people)");
        return;
    }
    if (connection.roomId != roomId) leaveRoom(peerId, connection);
    enter(peerId, connection, roomId, name, sfuCapable, outcome.remotePeers, rebuilt, place, next);
}

void Hub::enter(const std::string& peerId, Connection& connection, const std::string& roomId,
                const std::string& name, bool sfuCapable,
                const std::vector<cluster::RemotePeer>& remotePeers, bool rebuilt,
                const std::optional<HeldPeers::Place>& place,
                const std::optional<IssuedResumeToken>& next) {
    auto [roomIt, created] = rooms_.try_emplace(roomId);
    if (created) metrics_.rooms.inc();
    Room& room = roomIt->second;
    auto [memberIt, isNew] = room.members.try_emplace(peerId);
    if (isNew) {
        memberIt->second.mediaJson = std::string(wire::kDefaultMediaJson);
        memberIt->second.rebuilt = rebuilt;
        metrics_.peers.inc();
    }
    // No name: "Guest N", unique in the room; a repeated join or a resume keeps the one it has.
    if (!name.empty() || memberIt->second.name.empty()) {
        std::string assigned = name;
        if (assigned.empty()) {
            std::vector<std::string_view> taken;
            for (const auto& [otherId, member] : room.members) taken.push_back(member.name);
            for (const auto& remote : remotePeers) taken.push_back(remote.name);
            assigned = guestName(taken);
        }
        memberIt->second.name = std::move(assigned);
    }
    const std::string& shownName = memberIt->second.name;
    memberIt->second.sfuCapable = sfuCapable;
    connection.roomId = roomId;
    // Decided before room-joined, which carries the mode; the others hear of a change before
    // they hear of the newcomer, so none of them starts a mesh offer to it for nothing.
    updateMode(roomId, room, Clock::now(), peerId);
    // room-joined starts a new stream: the client counts from zero again.
    connection.log = connection.acknowledges ? std::make_unique<DeliveryLog>() : nullptr;

    std::vector<wire::PeerSummary> others;
    others.reserve(room.members.size() + remotePeers.size());
    for (const auto& [otherId, member] : room.members) {
        if (otherId != peerId) others.push_back({otherId, member.name, member.mediaJson});
    }
    for (const auto& remote : remotePeers) {
        others.push_back({remote.peerId, remote.name, remote.mediaJson});
    }
    // Every room-joined carries a new token; the one before stops working now.
    const IssuedResumeToken token = next ? *next : issueResumeToken(roomId, peerId, connection);
    if (cluster::Bus* const cluster = router_.cluster();
        cluster != nullptr && !next && !token.nonce.empty()) {
        // Stored where every instance looks, replacing the one this connection held (if no
        // other instance took the place meanwhile: then the swap changes nothing).
        cluster->swapResumeNonce(peerId, connection.resumeNonce, token.nonce,
                                 options_.resumeTokens->lifetime(), {});
    }
    connection.resumeNonce = token.nonce;
    const std::string iceServers =
        options_.iceServersJson ? options_.iceServersJson(peerId, connection.admission.expiresAt)
                                : std::string("[]");
    router_.send(connection, wire::MessageType::roomJoined,
                 wire::share(wire::encodeRoomJoined(roomId, peerId, others, token.token, iceServers,
                                                    options_.iceTransportPolicy, shownName,
                                                    toString(room.mode))));
    if (place) {
        // What it missed, in order, after room-joined: part of the new stream, so logged again.
        for (const auto& [type, buffered] : place->messages) {
            router_.deliver(connection, type, buffered);
        }
        logger_.info("peer resumed",
                     {{"peer", peerId}, {"room", roomId}, {"buffered", place->messages.size()}});
    }
    if (isNew) {
        metrics_.joins.inc();
        const auto announcement = wire::share(
            wire::encodePeerJoined(roomId, peerId, shownName, memberIt->second.mediaJson));
        // Members rebuilt from resume tokens were in the room together before the restart:
        // they know each other and must not see a join.
        router_.publish(&room,
                        {RoomEvent::Kind::joined, roomId, peerId, wire::MessageType::peerJoined,
                         announcement, shownName, memberIt->second.mediaJson, false},
                        [rebuilt](const std::string&, const Member& member) {
                            return rebuilt && member.rebuilt;
                        });
        logger_.info(rebuilt ? "peer rejoined" : "peer joined",
                     {{"peer", peerId}, {"room", roomId}, {"peers", room.members.size()}});
    }
}

void Hub::leaveRoom(const std::string& peerId, Connection& connection) {
    if (connection.roomId.empty()) return;
    const std::string roomId = std::move(connection.roomId);
    connection.roomId.clear();
    removeMember(roomId, peerId);
}

void Hub::removeMember(const std::string& roomId, const std::string& peerId) {
    const auto roomIt = rooms_.find(roomId);
    if (roomIt == rooms_.end()) return;
    Room& room = roomIt->second;
    const auto memberIt = room.members.find(peerId);
    if (memberIt == room.members.end()) return;
    const bool onMediaServer = memberIt->second.onMediaServer;
    room.members.erase(memberIt);
    metrics_.peers.dec();
    logger_.info("peer left", {{"peer", peerId}, {"room", roomId}, {"peers", room.members.size()}});
    const RoomEvent left{RoomEvent::Kind::left,
                         roomId,
                         peerId,
                         wire::MessageType::peerLeft,
                         wire::share(wire::encodePeerLeft(roomId, peerId)),
                         {},
                         {},
                         onMediaServer};
    if (room.members.empty()) {
        router_.publish(nullptr, left);
        returningToMesh_.erase(roomId);
        rooms_.erase(roomIt);
        metrics_.rooms.dec();
        return;
    }
    room.departed.push_back(peerId);
    if (room.departed.size() > kDepartedKept) room.departed.pop_front();
    router_.publish(&room, left);
    updateMode(roomId, room, Clock::now());
}

void Hub::sweep(Clock::time_point now) {
    std::lock_guard lock(mutex_);
    for (auto& ended : held_.expire(now)) {
        logger_.info("held place ended", {{"peer", ended.peerId}, {"room", ended.roomId}});
        removeMember(ended.roomId, ended.peerId);
        revokeResume(ended.peerId, ended.resumeNonce);
    }
    // Copied first: updateMode takes rooms out of the set.
    const std::vector<std::string> returning(returningToMesh_.begin(), returningToMesh_.end());
    for (const auto& roomId : returning) {
        if (const auto room = rooms_.find(roomId); room != rooms_.end()) {
            updateMode(roomId, room->second, now);
        }
    }
    for (const auto& probe : probes_.expire(now)) {
        if (options_.media != nullptr) options_.media->removePeer(probe.mediaRoom, probe.peerId);
    }
    const auto wallSeconds = unixSeconds(wallNow());
    std::erase_if(adopted_,
                  [wallSeconds](const auto& entry) { return wallSeconds >= entry.second; });
}

void Hub::relay(const std::string& peerId, Connection& connection, const ClientMessage& message,
                Clock::time_point readAt) {
    if (connection.roomId.empty()) {
        sendError(connection, wire::ErrorCode::notInRoom,
                  "join a room before sending " + std::string(wire::toString(message.type)));
        return;
    }
    if (message.targetId == peerId) {
        sendError(connection, wire::ErrorCode::badMessage, "targetId is your own id");
        return;
    }
    switch (router_.relay(connection.roomId, rooms_.at(connection.roomId), peerId, message.targetId,
                          message.type, message.dataJson, readAt)) {
        case RoomRouter::RelayOutcome::delivered:
            return;
        case RoomRouter::RelayOutcome::notFound:
            sendError(connection, wire::ErrorCode::peerNotFound,
                      "peer " + message.targetId + " is not in room " + connection.roomId);
            return;
        case RoomRouter::RelayOutcome::unreachable:
            // The bus's buffer is full (Redis is out, or far behind): the peer exists, so a
            // retry later may work; peer-not-found would tell the client to forget it.
            metrics_.errors(wire::ErrorCode::peerUnreachable).inc();
            router_.send(connection, wire::MessageType::error,
                         wire::share(wire::encodeError(
                             {wire::ErrorCode::peerUnreachable,
                              "peer " + message.targetId +
                                  " is on another instance that cannot be reached right now"},
                             message.targetId)));
            return;
    }
}

void Hub::mediaState(const std::string& peerId, Connection& connection,
                     const ClientMessage& message) {
    if (connection.roomId.empty()) {
        sendError(connection, wire::ErrorCode::notInRoom, "join a room before sending media-state");
        return;
    }
    Room& room = rooms_.at(connection.roomId);
    room.members.at(peerId).mediaJson = message.dataJson;
    const wire::SharedMessage state = wire::share(wire::encodeRelay(
        wire::MessageType::mediaState, connection.roomId, peerId, {}, message.dataJson));
    router_.publish(&room, {RoomEvent::Kind::mediaState,
                            connection.roomId,
                            peerId,
                            wire::MessageType::mediaState,
                            state,
                            {},
                            message.dataJson,
                            false});
}

void Hub::sendError(Connection& connection, wire::ErrorCode code, std::string text) {
    metrics_.errors(code).inc();
    router_.send(connection, wire::MessageType::error,
                 wire::share(wire::encodeError({code, std::move(text)})));
}

void Hub::deliverFromCluster(const std::string& roomId, const std::string& targetId,
                             wire::MessageType type, const wire::SharedMessage& message) {
    std::lock_guard lock(mutex_);
    const auto room = rooms_.find(roomId);
    router_.fromCluster(roomId, room != rooms_.end() ? &room->second : nullptr, targetId, type,
                        message);
}

void Hub::closeAll(wire::CloseCode code, std::string_view reason) {
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
        aliases_.clear();
        held_.clear();
        adopted_.clear();
        returningToMesh_.clear();
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

std::size_t Hub::heldCount() const {
    std::lock_guard lock(mutex_);
    return held_.size();
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
