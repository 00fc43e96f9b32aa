// The hub's side of rooms on the media server (docs/protocol.md, "Rooms on the media server"):
// each room's mode, the sfu-* messages between a client and the media server, and chat over the
// WebSocket.
#include <algorithm>

#include "obs/Logger.hpp"
#include "signaling/Hub.hpp"
#include "wire/ServerMessages.hpp"

namespace pulsemeet::signaling {

std::vector<wire::TrackSummary> sfuTrackSummaries(const std::vector<MediaTrack>& tracks,
                                                  bool withMid) {
    std::vector<wire::TrackSummary> out;
    out.reserve(tracks.size());
    for (const auto& track : tracks) {
        out.push_back({track.peerId, track.source, withMid ? track.mid : std::string()});
    }
    return out;
}

void Hub::updateMode(const std::string& roomId, Room& room, Clock::time_point now,
                     const std::string& exceptPeerId) {
    RoomFacts facts;
    const bool shared = sharesMedia();
    // Shared media: the room's size counts every instance's members.
    facts.members = room.members.size() + (shared ? router_.cluster()->remotePeerCount(roomId) : 0);
    facts.everyMemberCapable = true;
    for (const auto& [memberId, member] : room.members) {
        facts.everyMemberCapable = facts.everyMemberCapable && member.sfuCapable;
    }
    facts.mediaServer = router_.hasMediaServer();
    // Other instances whose clients cannot reach our media server (a bus that cannot route
    // media signaling): the mesh.
    facts.otherInstances = router_.cluster() != nullptr && !shared;
    std::erase_if(room.unreachablePairs, [&room](const auto& pair) {
        return !room.members.contains(pair.first) || !room.members.contains(pair.second);
    });
    facts.meshUnreachable = !room.unreachablePairs.empty();
    const RoomMode mode = modeRule_.decide(room.mode, facts, now, room.smallSince);
    if (room.smallSince) {
        returningToMesh_.insert(roomId);
    } else {
        returningToMesh_.erase(roomId);
    }
    if (mode == room.mode) return;
    room.mode = mode;
    if (shared) {
        // Claimed as the room switches, so the owner is known before the first offer.
        if (mode == RoomMode::sfu) {
            claimMediaOwner(roomId, room);
        } else {
            giveUpMediaOwner(roomId, room);
        }
    }
    logger_.info(
        "room mode",
        {{"room", roomId}, {"mode", std::string(toString(mode))}, {"peers", room.members.size()}});
    // On a change to mesh, each pair of members negotiates anew: the smaller id offers.
    router_.publish(&room, {RoomEvent::Kind::modeChanged,
                            roomId,
                            exceptPeerId,
                            wire::MessageType::roomMode,
                            wire::share(wire::encodeRoomMode(roomId, toString(mode))),
                            {},
                            {},
                            false});
}

void Hub::meshUnreachable(const std::string& peerId, Connection& connection,
                          const ClientMessage& message) {
    if (connection.roomId.empty()) {
        sendError(connection, wire::ErrorCode::notInRoom,
                  "join a room before sending mesh-unreachable");
        return;
    }
    Room& room = rooms_.at(connection.roomId);
    if (message.targetId == peerId || !room.members.contains(message.targetId)) {
        sendError(connection, wire::ErrorCode::peerNotFound,
                  "peer " + message.targetId + " is not in room " + connection.roomId);
        return;
    }
    // With a TURN relay the pair has a way through it; the client reports its own trouble.
    if (options_.turnConfigured || room.mode != RoomMode::mesh) return;
    auto pair = std::minmax(peerId, message.targetId);
    if (!room.unreachablePairs.emplace(pair.first, pair.second).second) return;  // reported
    const RoomMode before = room.mode;
    updateMode(connection.roomId, room, Clock::now());
    logger_.info("mesh pair unreachable", {{"room", connection.roomId},
                                           {"peer", peerId},
                                           {"target", message.targetId},
                                           {"moved_to_media_server", room.mode != before}});
    if (room.mode != before) metrics_.roomsMovedForUnreachablePeers.inc();
}

void Hub::chat(const std::string& peerId, Connection& connection, const ClientMessage& message) {
    if (connection.roomId.empty()) {
        sendError(connection, wire::ErrorCode::notInRoom, "join a room before sending chat");
        return;
    }
    // Taken in any mode: while a client switches between mesh and media server its chat goes
    // out on whichever connection is current, and must not be lost.
    router_.publish(&rooms_.at(connection.roomId),
                    {RoomEvent::Kind::chat,
                     connection.roomId,
                     peerId,
                     wire::MessageType::chat,
                     wire::share(wire::encodeChat(connection.roomId, peerId, message.text)),
                     {},
                     {},
                     false});
}

void Hub::sfuOffer(const std::string& peerId, Connection& connection,
                   const ClientMessage& message) {
    if (connection.roomId.empty()) {
        sendError(connection, wire::ErrorCode::notInRoom, "join a room before sending sfu-offer");
        return;
    }
    Room& room = rooms_.at(connection.roomId);
    if (room.mode != RoomMode::sfu) {
        sendError(connection, wire::ErrorCode::mediaUnavailable,
                  "room " + connection.roomId + " is not on the media server (mode mesh)");
        return;
    }
    Member& member = room.members.at(peerId);
    member.onMediaServer = true;
    member.latestOffer = ++offersMade_;
    if (sharesMedia()) {
        // To the room's media owner, here or on another instance; none known yet: it goes
        // once the bus has said which (mediaOwnerClaimed).
        member.offerSdp = message.sdp;
        if (room.mediaOwner.empty()) {
            claimMediaOwner(connection.roomId, room);
        } else {
            dispatchOffer(connection.roomId, peerId, member);
        }
        return;
    }
    router_.offerToMediaServer(
        connection.roomId, peerId, message.sdp,
        [this, roomId = connection.roomId, peerId, offer = member.latestOffer](MediaAnswer answer) {
            mediaAnswered(roomId, peerId, offer, std::move(answer));
        });
}

void Hub::sfuLeave(const std::string& peerId, Connection& connection) {
    if (connection.roomId.empty()) {
        sendError(connection, wire::ErrorCode::notInRoom, "join a room before sending sfu-leave");
        return;
    }
    Room& room = rooms_.at(connection.roomId);
    Member& member = room.members.at(peerId);
    if (!member.onMediaServer) return;
    member.onMediaServer = false;
    member.latestOffer = 0;  // an answer still on its way is for a connection that is gone
    member.offerSdp.clear();
    if (sharesMedia() && !room.mediaOwner.empty() &&
        room.mediaOwner != router_.cluster()->instance()) {
        router_.mediaToCluster(
            {connection.roomId, peerId, wire::MessageType::sfuLeave, 0, {}, room.mediaOwner});
        return;
    }
    router_.leaveMediaServer(connection.roomId, peerId);
}

void Hub::sfuView(const std::string& peerId, Connection& connection, const ClientMessage& message) {
    if (connection.roomId.empty()) {
        sendError(connection, wire::ErrorCode::notInRoom, "join a room before sending sfu-view");
        return;
    }
    const Room& room = rooms_.at(connection.roomId);
    if (room.mode != RoomMode::sfu) {
        sendError(connection, wire::ErrorCode::mediaUnavailable,
                  "room " + connection.roomId + " is not on the media server (mode mesh)");
        return;
    }
    const auto limit = 2 * static_cast<std::size_t>(options_.maxPeersPerRoom);
    if (message.views.size() > limit) {
        sendError(connection, wire::ErrorCode::badMessage,
                  "views has more than " + std::to_string(limit) + " entries");
        return;
    }
    if (sharesMedia() && !room.mediaOwner.empty() &&
        room.mediaOwner != router_.cluster()->instance()) {
        // The owner's media server decides what this viewer gets.
        router_.mediaToCluster({connection.roomId, peerId, wire::MessageType::sfuView, 0,
                                encodeSfuViews(message.views), room.mediaOwner});
        return;
    }
    router_.setMediaViews(connection.roomId, peerId, mediaViews(message.views));
}

void Hub::mediaAnswered(const std::string& roomId, const std::string& peerId, std::uint64_t offer,
                        MediaAnswer answer) {
    std::lock_guard lock(mutex_);
    const auto room = rooms_.find(roomId);
    if (room == rooms_.end()) return;
    const auto member = room->second.members.find(peerId);
    // Gone from the room meanwhile, or a later offer (or sfu-leave) replaced this one: the
    // client waits for the answer to its latest offer only.
    if (member == room->second.members.end() || member->second.latestOffer != offer) return;
    // The answer is a reply: not counted, and not kept for a held place (the client offers
    // again once it is back).
    const auto connection = connections_.find(peerId);
    if (connection == connections_.end() || connection->second.roomId != roomId) return;
    if (!answer.ok) {
        sendError(connection->second, wire::ErrorCode::invalidSdp,
                  "the media server refused the offer: " + answer.error);
        return;
    }
    router_.send(
        connection->second, wire::MessageType::sfuAnswer,
        wire::share(wire::encodeSfuAnswer(answer.sdp, sfuTrackSummaries(answer.tracks, true))));
}

void Hub::mediaTracksAvailable(const std::string& roomId, const std::string& subscriberId,
                               std::vector<MediaTrack> tracks) {
    std::lock_guard lock(mutex_);
    if (const auto served = remoteMedia_.find(roomId);
        served != remoteMedia_.end() && served->second.contains(subscriberId)) {
        // A client of another instance: its instance delivers it.
        router_.mediaToCluster({roomId,
                                subscriberId,
                                wire::MessageType::sfuTracks,
                                0,
                                wire::encodeSfuTracks(sfuTrackSummaries(tracks, false)),
                                {}});
        return;
    }
    const auto room = rooms_.find(roomId);
    if (room == rooms_.end() || !room->second.members.contains(subscriberId)) return;
    router_.toMember(subscriberId, wire::MessageType::sfuTracks,
                     wire::share(wire::encodeSfuTracks(sfuTrackSummaries(tracks, false))));
}

void Hub::mediaActiveSpeaker(const std::string& roomId, const std::string& peerId, double level) {
    std::lock_guard lock(mutex_);
    const auto room = rooms_.find(roomId);
    if (room == rooms_.end() || room->second.mode != RoomMode::sfu) return;
    const auto served = remoteMedia_.find(roomId);
    const bool servedHere = served != remoteMedia_.end() && served->second.contains(peerId);
    if (!room->second.members.contains(peerId) && !servedHere) return;
    const std::string encoded = wire::encodeActiveSpeaker(peerId, level);
    const auto message = wire::share(encoded);
    for (const auto& [memberId, member] : room->second.members)
        router_.toMember(memberId, wire::MessageType::activeSpeaker, message);
    if (served == remoteMedia_.end()) return;
    // Clients of other instances whose media this instance's media server serves.
    for (const auto& viewerId : served->second)
        router_.mediaToCluster(
            {roomId, viewerId, wire::MessageType::activeSpeaker, 0, encoded, {}});
}

void Hub::mediaVideoForwarding(const std::string& roomId, const std::string& viewerId,
                               std::vector<MediaTrack> videos) {
    std::lock_guard lock(mutex_);
    if (const auto served = remoteMedia_.find(roomId);
        served != remoteMedia_.end() && served->second.contains(viewerId)) {
        // A client of another instance: its instance delivers it.
        router_.mediaToCluster({roomId,
                                viewerId,
                                wire::MessageType::sfuForwarding,
                                0,
                                wire::encodeSfuForwarding(sfuTrackSummaries(videos, false)),
                                {}});
        return;
    }
    const auto room = rooms_.find(roomId);
    if (room == rooms_.end() || !room->second.members.contains(viewerId)) return;
    router_.toMember(viewerId, wire::MessageType::sfuForwarding,
                     wire::share(wire::encodeSfuForwarding(sfuTrackSummaries(videos, false))));
}

void Hub::mediaTransportClosed(const std::string& roomId, const std::string& peerId,
                               std::string_view reason) {
    std::lock_guard lock(mutex_);
    if (const auto served = remoteMedia_.find(roomId);
        served != remoteMedia_.end() && served->second.contains(peerId)) {
        logger_.info("media transport closed", {{"peer", peerId},
                                                {"room", roomId},
                                                {"reason", std::string(reason)},
                                                {"remote", true}});
        router_.mediaToCluster(
            {roomId, peerId, wire::MessageType::sfuClosed, 0, wire::encodeSfuClosed(reason), {}});
        return;
    }
    const auto room = rooms_.find(roomId);
    if (room == rooms_.end() || !room->second.members.contains(peerId)) return;
    logger_.info("media transport closed",
                 {{"peer", peerId}, {"room", roomId}, {"reason", std::string(reason)}});
    router_.toMember(peerId, wire::MessageType::sfuClosed,
                     wire::share(wire::encodeSfuClosed(reason)));
}

void Hub::mediaEncodings(const std::string& roomId, const std::string& peerId,
                         std::string_view source, std::vector<std::string> active) {
    std::lock_guard lock(mutex_);
    if (const auto served = remoteMedia_.find(roomId);
        served != remoteMedia_.end() && served->second.contains(peerId)) {
        // A publisher connected to another instance: its instance delivers it.
        router_.mediaToCluster({roomId,
                                peerId,
                                wire::MessageType::sfuEncodings,
                                0,
                                wire::encodeSfuEncodings(source, active),
                                {}});
        return;
    }
    const auto room = rooms_.find(roomId);
    if (room == rooms_.end() || !room->second.members.contains(peerId)) return;
    router_.toMember(peerId, wire::MessageType::sfuEncodings,
                     wire::share(wire::encodeSfuEncodings(source, active)));
}

}  // namespace pulsemeet::signaling
