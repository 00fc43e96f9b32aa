#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "wire/Protocol.hpp"

namespace pulsemeet::cluster {

// One message on a room's channel. `envelope` is the server->client text, already encoded by the
// sending instance, so receivers forward it byte for byte.
struct ClusterEvent {
    // sfu: media signaling to a room's media owner or back (MediaSignal); owner: the room's media
    // owner changed (targetId: the new owner, empty when released).
    // chat: a member's chat over the WebSocket, to every member.
    enum class Kind { joined, left, media, relay, sfu, owner, chat };

    Kind kind = Kind::relay;
    std::string source;  // the sending instance: an instance ignores its own echo
    std::string roomId;
    std::string peerId;    // the peer the event is about (the sender of a relay)
    std::string targetId;  // relay, sfu (a peer, or the owner instance), owner (the new owner)
    wire::MessageType type = wire::MessageType::offer;
    std::string name;       // joined only
    std::string mediaJson;  // joined, media
    std::string envelope;
    // The event's number in its sending instance's sequence (1, 2, ...): receivers drop a second
    // copy (DuplicateFilter). 0: not numbered, for announcements receivers apply idempotently
    // anyway (an eviction's `left`, a re-registration's `joined`).
    std::uint64_t sequence = 0;
    // Relays only: Unix milliseconds after which the event is worthless (an offer or candidate
    // that late belongs to a negotiation that has moved on). A receiver drops it instead of
    // delivering it. 0: no deadline (joined, left, media describe state; late is still right).
    std::int64_t expiresAtMs = 0;
    // sfu only: MediaSignal::offer.
    std::uint64_t offer = 0;
};

std::string encodeEvent(const ClusterEvent& event);
// nullopt for anything malformed (another version, a stray publisher): it is dropped and counted.
std::optional<ClusterEvent> decodeEvent(std::string_view text);

}  // namespace pulsemeet::cluster
