#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "signaling/DeliveryLog.hpp"
#include "signaling/PeerLink.hpp"
#include "signaling/RoomMode.hpp"

// What the hub knows of its connections and rooms: plain records, kept by the hub under its
// lock and read by the router (RoomRouter) to find where a message goes.
namespace pulsemeet::signaling {

// What a connection may do, decided at the upgrade (e.g. from a room token).
struct Admission {
    std::string room = "*";  // the only room it may join; * for any
    std::string name;        // when set, overrides the client's display name
    // When its room token expires (Unix seconds; 0: no room token). Resume tokens issued to the
    // connection expire by then too, and it cannot resume a place after it.
    std::int64_t expiresAt = 0;
    std::string clientAddress;  // key of the client's TCP peer address (net/AddressKey.hpp)
};

struct Connection {
    std::string connectionId;  // the attach-time id, which the transport keeps using
    std::shared_ptr<PeerLink> link;
    Admission admission;
    std::string roomId;  // empty when in no room
    // Its client counts what it receives (join's data.received): room traffic is logged
    // until acknowledged, so a resume can replay what a dying socket swallowed.
    bool acknowledges = false;
    std::unique_ptr<DeliveryLog> log;  // since the last room-joined; null when not counting
    // Nonce of the resume token it was given last: the one token that can take its place.
    // Empty when it has none (never joined, or it left: the token was revoked).
    std::string resumeNonce;
};

// Connected peers by their current peer id.
using Connections = std::unordered_map<std::string, Connection>;

struct Member {
    std::string name;
    std::string mediaJson;
    // Entered with a resume token for a place this process did not hold (the room is being
    // rebuilt after a restart): such members already know each other.
    bool rebuilt = false;
    // Its latest join said it can use the media server (data.sfu).
    bool sfuCapable = false;
    // It has offered to the media server since it joined or last sent sfu-leave: the media
    // server has (or is making) a transport for it, removed when it goes.
    bool onMediaServer = false;
    // Its latest sfu-offer (numbered across the hub): only the answer to it is delivered.
    std::uint64_t latestOffer = 0;
};

struct Room {
    std::map<std::string, Member> members;  // ordered: room-joined lists peers stably
    // Recent peer-left announcements, oldest first (bounded): a peer coming back with a
    // token after one of these is new to everyone, not part of a rebuilt room.
    std::deque<std::string> departed;
    RoomMode mode = RoomMode::mesh;
    // In sfu mode with two members or fewer: since when (the hold-off back to mesh runs).
    std::optional<std::chrono::steady_clock::time_point> smallSince;
    // Pairs of members (smaller id first) that reported each other unreachable directly.
    std::set<std::pair<std::string, std::string>> unreachablePairs;
};

}  // namespace pulsemeet::signaling
