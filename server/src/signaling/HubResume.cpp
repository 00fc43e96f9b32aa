// The hub's side of resume tokens (docs/architecture.md, "Resume tokens: one use each"): which
// token may take a place back, and moving a connection into the place it takes.
#include <algorithm>

#include "obs/Logger.hpp"
#include "signaling/Hub.hpp"
#include "wire/ServerMessages.hpp"

namespace pulsemeet::signaling {

std::optional<ResumeClaim> Hub::resumeClaim(const std::string& joinerId, const Connection& joiner,
                                            const ClientMessage& message) {
    if (message.resumeToken.empty() || options_.resumeTokens == nullptr) return std::nullopt;
    const auto now = wallNow();
    auto claim = options_.resumeTokens->verify(message.resumeToken, now);
    std::string_view why;
    if (!claim) {
        why = "forged or expired";
    } else if (claim->roomId != message.roomId) {
        why = "issued for another room";
    } else if (joiner.admission.expiresAt > 0 && unixSeconds(now) >= joiner.admission.expiresAt) {
        why = "room token expired";
    } else if (claim->peerId == joinerId) {
        return std::nullopt;  // its own token, on its own connection: nothing to resume
    }
    if (!why.empty()) {
        // An ordinary join under the connection's own id follows. The client sees the new id
        // in room-joined and starts over.
        logger_.info("resume refused",
                     {{"peer", joinerId}, {"room", message.roomId}, {"why", why}});
        metrics_.resumesRefused.inc();
        return std::nullopt;
    }
    return claim;
}

bool Hub::acceptHere(const ResumeClaim& claim) {
    if (const auto it = connections_.find(claim.peerId); it != connections_.end()) {
        return !it->second.resumeNonce.empty() && it->second.resumeNonce == claim.nonce;
    }
    if (const HeldPeers::Place* place = held_.find(claim.peerId); place != nullptr) {
        return !place->resumeNonce.empty() && place->resumeNonce == claim.nonce;
    }
    // No place here. Issued by this process: its place was released since (a hang-up, leave,
    // the end of the hold) or the token was spent.
    if (claim.issuer == options_.resumeTokens->issuer()) return false;
    // Issued before a restart (or by another instance, when the bus cannot tell): this process
    // has no memory of it, so the first such token is taken, and the peer remembered: every
    // other token issued for it earlier is refused from now on.
    const auto [it, first] = adopted_.try_emplace(claim.peerId, claim.expiresAt);
    return first;
}

void Hub::resumeAnswered(const std::string& connectionId, const ClientMessage& message,
                         const ResumeClaim& claim, const IssuedResumeToken& next,
                         cluster::ResumeSwap answer) {
    std::lock_guard lock(mutex_);
    std::string joinerId;
    Connection* joiner = find(connectionId, &joinerId);
    if (joiner == nullptr) return;  // gone meanwhile: the new nonce is nobody's, the old spent
    switch (answer) {
        case cluster::ResumeSwap::swapped:
            proceedJoin(joinerId, *joiner, message, claim, next);
            return;
        case cluster::ResumeSwap::unknown:
            // The bus cannot tell (Redis unreachable): decide as one instance would.
            if (acceptHere(claim)) {
                proceedJoin(joinerId, *joiner, message, claim, std::nullopt);
                return;
            }
            break;
        case cluster::ResumeSwap::refused:
            break;
    }
    logger_.info("resume refused",
                 {{"peer", joinerId}, {"room", message.roomId}, {"why", "token spent or revoked"}});
    metrics_.resumesRefused.inc();
    proceedJoin(joinerId, *joiner, message, std::nullopt, std::nullopt);
}

Connection& Hub::resume(const std::string& joinerId, Connection& joiner, const ResumeClaim& claim,
                        std::optional<std::uint64_t> received, bool& rebuilt,
                        std::optional<HeldPeers::Place>& place) {
    const std::string& peerId = claim.peerId;
    leaveRoom(joinerId, joiner);  // a fresh connection is in no room; be sure
    std::string previousRoom;
    if (const auto old = connections_.find(peerId); old != connections_.end()) {
        // The old socket is still open here (half-open after a network change): the client is
        // back on a new one, so the new one takes over the place.
        previousRoom = old->second.roomId;
        // What was written to the old socket lately may never have been read.
        if (old->second.log) place = HeldPeers::placeFrom(previousRoom, old->second.log.get());
        old->second.link->close(wire::CloseCode::normal, "resumed on another connection");
        connections_.erase(old);
    }
    if (auto held = held_.take(peerId)) {
        place = std::move(held);
        previousRoom = place->roomId;
    }
    // The client says how much of the old stream it got; the rest is replayed. If the log no
    // longer reaches back that far, messages to it are lost and the resume cannot be seamless.
    bool complete = true;
    if (place && place->firstIndex && received) {
        if (*received < *place->firstIndex) {
            complete = false;
            logger_.warn(
                "resume cannot replay what was missed",
                {{"peer", peerId}, {"received", *received}, {"kept_from", *place->firstIndex}});
        } else {
            const auto skip =
                std::min<std::uint64_t>(*received - *place->firstIndex, place->messages.size());
            place->messages.erase(place->messages.begin(),
                                  place->messages.begin() + static_cast<std::ptrdiff_t>(skip));
        }
    }
    const bool keepsPlace =
        previousRoom == claim.roomId && (!place || !place->overflowed) && complete;
    if (!previousRoom.empty() && !keepsPlace) {
        // The place cannot be resumed as it was (other room, or messages to it were lost):
        // the others see it leave, and it comes back as a join.
        removeMember(previousRoom, peerId);
        place.reset();
    }
    const auto room = rooms_.find(claim.roomId);
    const bool isMember = room != rooms_.end() && room->second.members.contains(peerId);
    const bool announcedLeft = room != rooms_.end() &&
                               std::find(room->second.departed.begin(), room->second.departed.end(),
                                         peerId) != room->second.departed.end();
    // Not a member, and this process never announced it leaving: the server restarted and
    // the room is being rebuilt by the people who were in it.
    rebuilt = !isMember && previousRoom.empty() && !announcedLeft;

    Connection moved = std::move(joiner);
    connections_.erase(joinerId);
    aliases_[moved.connectionId] = peerId;
    auto [it, inserted] = connections_.insert_or_assign(peerId, std::move(moved));
    (void)inserted;
    if (isMember) it->second.roomId = claim.roomId;  // back in its place; join() sees no move
    return it->second;
}

IssuedResumeToken Hub::issueResumeToken(const std::string& roomId, const std::string& peerId,
                                        const Connection& connection) const {
    if (options_.resumeTokens == nullptr) return {};
    return options_.resumeTokens->issue(roomId, peerId, connection.admission.expiresAt, wallNow());
}

void Hub::revokeResume(const std::string& peerId, std::string& nonce) {
    if (nonce.empty()) return;
    // Locally the record goes with the connection or the held place; the instances that share
    // rooms get a tombstone, unless the place was taken elsewhere since (the swap then fails).
    if (cluster::Bus* const cluster = router_.cluster(); cluster != nullptr) {
        cluster->swapResumeNonce(peerId, nonce, std::string(kRevokedResumeNonce),
                                 options_.resumeTokens->lifetime(), {});
    }
    nonce.clear();
}

std::chrono::system_clock::time_point Hub::wallNow() const {
    return options_.wallClock ? options_.wallClock() : std::chrono::system_clock::now();
}

}  // namespace pulsemeet::signaling
