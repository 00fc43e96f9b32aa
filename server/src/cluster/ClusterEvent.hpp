#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "signaling/Protocol.hpp"

namespace pulsemeet::cluster {

// One message on a room's channel. `envelope` is the server->client text, already encoded by the
// sending instance, so receivers forward it byte for byte.
struct ClusterEvent {
    enum class Kind { joined, left, media, relay };

    Kind kind = Kind::relay;
    std::string source;  // the sending instance: an instance ignores its own echo
    std::string roomId;
    std::string peerId;    // the peer the event is about (the sender of a relay)
    std::string targetId;  // relay only
    signaling::MessageType type = signaling::MessageType::offer;
    std::string name;       // joined only
    std::string mediaJson;  // joined, media
    std::string envelope;
};

std::string encodeEvent(const ClusterEvent& event);
// nullopt for anything malformed (another version, a stray publisher): it is dropped and counted.
std::optional<ClusterEvent> decodeEvent(std::string_view text);

}  // namespace pulsemeet::cluster
