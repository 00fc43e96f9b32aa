// Rooms on the media server across instances (docs/architecture.md, "Rooms on the media server
// across instances"): with a bus that shares media servers (Redis), one instance's media server
// serves a room, recorded in the bus; the others route their clients' sfu-offer and sfu-leave to
// it, and it routes what its media server says back. When the owner dies, a survivor takes the
// room over and every client connects its media afresh, to the new owner.
#include <utility>

#include "obs/Logger.hpp"
#include "signaling/Hub.hpp"
#include "wire/ServerMessages.hpp"

namespace pulsemeet::signaling {

namespace {
// sfu-closed's reason when a room's media moved to another instance's media server.
constexpr std::string_view kMoved = "media-server-moved";
}  // namespace

bool Hub::sharesMedia() const {
    return router_.cluster() != nullptr && router_.cluster()->sharesMediaServers() &&
           router_.hasMediaServer();
}

void Hub::claimMediaOwner(const std::string& roomId, Room& room, const std::string& deadOwner) {
    if (room.claimingOwner && deadOwner.empty()) return;  // one question at a time
    room.claimingOwner = true;
    router_.cluster()->claimMediaOwner(
        roomId, deadOwner, [this, roomId](std::string owner) { mediaOwnerClaimed(roomId, owner); });
}

void Hub::mediaOwnerClaimed(const std::string& roomId, const std::string& owner) {
    std::lock_guard lock(mutex_);
    const auto it = rooms_.find(roomId);
    if (it == rooms_.end() || it->second.mode != RoomMode::sfu) {
        // Nobody here needs it any more: let it go at once if we just took it.
        if (owner == router_.cluster()->instance()) router_.cluster()->releaseMediaOwner(roomId);
        return;
    }
    Room& room = it->second;
    room.claimingOwner = false;
    if (owner.empty()) {
        // The bus cannot say (Redis unreachable, and the room is not ours): the offers waiting
        // are refused, and their clients offer again after a backoff.
        for (auto& [memberId, member] : room.members) {
            if (member.offerSdp.empty()) continue;
            member.offerSdp.clear();
            if (const auto connection = connections_.find(memberId);
                connection != connections_.end() && connection->second.roomId == roomId) {
                sendError(connection->second, wire::ErrorCode::mediaUnavailable,
                          "the media server of room " + roomId +
                              " cannot be found now (the cluster store is unreachable)");
            }
        }
        return;
    }
    setMediaOwner(roomId, room, owner);
}

void Hub::setMediaOwner(const std::string& roomId, Room& room, const std::string& owner) {
    const std::string self = router_.cluster()->instance();
    const std::string previous = std::exchange(room.mediaOwner, owner);
    if (previous != owner) {
        logger_.info(
            "room media owner",
            {{"room", roomId}, {"owner", owner}, {"previous", previous}, {"here", owner == self}});
        if (previous == self) {
            // Lost to another instance: our media server stops serving the room.
            dropServedMedia(roomId);
            for (const auto& [memberId, member] : room.members) {
                if (member.onMediaServer) router_.leaveMediaServer(roomId, memberId);
            }
        }
    }
    for (auto& [memberId, member] : room.members) {
        if (!member.offerSdp.empty()) {
            // Waiting for an owner, or sent to the previous one (which may be dead): to this one.
            if (!owner.empty() && owner != previous) dispatchOffer(roomId, memberId, member);
            continue;
        }
        // Its media went to the previous owner, or it came here from that owner's instance
        // with its media still pointed there: it connects afresh.
        if (!previous.empty() && previous != owner) closeMemberMedia(memberId, member, kMoved);
    }
    if (owner.empty() && room.mode == RoomMode::sfu) {
        // Released by its owner while members here still need it: one of us claims it.
        bool offersWaiting = false;
        for (const auto& [memberId, member] : room.members)
            offersWaiting = offersWaiting || !member.offerSdp.empty();
        if (offersWaiting) claimMediaOwner(roomId, room);
    }
}

void Hub::closeMemberMedia(const std::string& peerId, Member& member, std::string_view reason) {
    member.onMediaServer = false;
    // Not forgotten: the client waits for the answer to the offer it has out (if any), meant
    // for the connection it now closes, before its fresh connection offers; with no answer
    // it would wait its answer timeout (10 s). An offer crossing this sfu-closed is answered
    // as any other.
    member.offerSdp.clear();
    router_.toMember(peerId, wire::MessageType::sfuClosed,
                     wire::share(wire::encodeSfuClosed(reason)));
}

void Hub::dispatchOffer(const std::string& roomId, const std::string& peerId, Member& member) {
    const std::string& owner = rooms_.at(roomId).mediaOwner;
    if (owner == router_.cluster()->instance()) {
        router_.offerToMediaServer(
            roomId, peerId, std::exchange(member.offerSdp, {}),
            [this, roomId, peerId, offer = member.latestOffer](MediaAnswer answer) {
                mediaAnswered(roomId, peerId, offer, std::move(answer));
            });
        return;
    }
    // Kept until the answer comes, in case the owner changes meanwhile.
    router_.mediaToCluster(
        {roomId, peerId, wire::MessageType::sfuOffer, member.latestOffer, member.offerSdp, owner});
}

void Hub::remoteMediaAnswered(const std::string& roomId, const std::string& peerId,
                              std::uint64_t offer, MediaAnswer answer) {
    std::lock_guard lock(mutex_);
    const auto served = remoteMedia_.find(roomId);
    if (served == remoteMedia_.end() || !served->second.contains(peerId)) return;
    const std::string reply =
        answer.ok ? wire::encodeSfuAnswer(answer.sdp, sfuTrackSummaries(answer.tracks, true))
                  : wire::encodeError({wire::ErrorCode::invalidSdp,
                                       "the media server refused the offer: " + answer.error});
    router_.mediaToCluster({roomId, peerId, wire::MessageType::sfuAnswer, offer, reply, {}});
}

void Hub::dropServedMedia(const std::string& roomId) {
    const auto served = remoteMedia_.find(roomId);
    if (served == remoteMedia_.end()) return;
    for (const auto& peerId : served->second) router_.leaveMediaServer(roomId, peerId);
    remoteMedia_.erase(served);
}

void Hub::giveUpMediaOwner(const std::string& roomId, Room& room) {
    const std::string self = router_.cluster()->instance();
    const std::string previous = std::exchange(room.mediaOwner, {});
    if (previous != self) return;
    logger_.info("room media owner",
                 {{"room", roomId}, {"owner", std::string()}, {"previous", self}, {"here", false}});
    router_.cluster()->releaseMediaOwner(roomId);
    dropServedMedia(roomId);
}

void Hub::remoteMembershipChanged(const std::string& roomId, const std::string& peerId,
                                  bool joined) {
    std::lock_guard lock(mutex_);
    if (!joined) {
        if (const auto served = remoteMedia_.find(roomId);
            served != remoteMedia_.end() && served->second.erase(peerId) > 0) {
            router_.leaveMediaServer(roomId, peerId);
        }
    }
    if (!sharesMedia()) return;
    // The room's size counts every instance's members: the mode may change.
    if (const auto room = rooms_.find(roomId); room != rooms_.end()) {
        updateMode(roomId, room->second, Clock::now());
    }
}

void Hub::mediaFromCluster(cluster::MediaSignal signal) {
    std::lock_guard lock(mutex_);
    const auto room = rooms_.find(signal.roomId);
    if (room == rooms_.end()) return;
    switch (signal.type) {
        case wire::MessageType::sfuOffer: {
            if (room->second.mediaOwner != router_.cluster()->instance()) {
                // Sent on an outdated belief (we released the room, or lost it): the sender's
                // instance hears of the owner from the bus and sends the offer there again.
                logger_.info("media offer for a room this instance does not serve",
                             {{"room", signal.roomId},
                              {"peer", signal.peerId},
                              {"from_instance", signal.instance}});
                return;
            }
            remoteMedia_[signal.roomId].insert(signal.peerId);
            router_.offerToMediaServer(signal.roomId, signal.peerId, std::move(signal.payload),
                                       [this, roomId = signal.roomId, peerId = signal.peerId,
                                        offer = signal.offer](MediaAnswer answer) {
                                           remoteMediaAnswered(roomId, peerId, offer,
                                                               std::move(answer));
                                       });
            return;
        }
        case wire::MessageType::sfuLeave:
            if (const auto served = remoteMedia_.find(signal.roomId);
                served != remoteMedia_.end() && served->second.erase(signal.peerId) > 0) {
                router_.leaveMediaServer(signal.roomId, signal.peerId);
            }
            return;
        case wire::MessageType::sfuView:
            if (const auto served = remoteMedia_.find(signal.roomId);
                served != remoteMedia_.end() && served->second.contains(signal.peerId)) {
                router_.setMediaViews(signal.roomId, signal.peerId,
                                      mediaViews(decodeSfuViews(signal.payload)));
            }
            return;
        default:
            break;
    }
    const auto member = room->second.members.find(signal.peerId);
    if (member == room->second.members.end()) return;
    const auto message = wire::share(std::move(signal.payload));
    if (signal.type == wire::MessageType::sfuAnswer) {
        // As for a local answer: only to the latest offer, to a connected client.
        // Answered already (the offer went to an owner twice: it was re-claimed meanwhile).
        if (member->second.latestOffer != signal.offer || member->second.offerSdp.empty()) return;
        member->second.offerSdp.clear();
        const auto connection = connections_.find(signal.peerId);
        if (connection == connections_.end() || connection->second.roomId != signal.roomId) return;
        router_.send(connection->second, wire::MessageType::sfuAnswer, message);
        return;
    }
    router_.toMember(signal.peerId, signal.type, message);
}

void Hub::mediaOwnerChanged(const std::string& roomId, const std::string& owner) {
    std::lock_guard lock(mutex_);
    const auto room = rooms_.find(roomId);
    if (room == rooms_.end() || !sharesMedia() || room->second.mode != RoomMode::sfu) return;
    setMediaOwner(roomId, room->second, owner);
}

void Hub::instanceGone(const std::string& instance) {
    std::lock_guard lock(mutex_);
    if (!sharesMedia()) return;
    for (auto& [roomId, room] : rooms_) {
        if (room.mode == RoomMode::sfu && room.mediaOwner == instance) {
            logger_.warn("room media owner presumed dead; taking over",
                         {{"room", roomId}, {"dead_owner", instance}});
            claimMediaOwner(roomId, room, instance);
        }
    }
}

}  // namespace pulsemeet::signaling
