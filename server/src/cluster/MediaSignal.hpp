#pragma once

#include <cstdint>
#include <string>

#include "wire/Protocol.hpp"

namespace pulsemeet::cluster {

// Media signaling of a room on the media server that crosses instances (docs/architecture.md,
// "Rooms on the media server across instances"): a client's `sfu-offer` and `sfu-leave` go to
// the instance that owns the room's media, and what that media server says back (`sfu-answer`,
// `sfu-tracks`, `sfu-closed`) goes to the client's instance.
struct MediaSignal {
    std::string roomId;
    std::string peerId;  // the client it is about
    // sfuOffer, sfuLeave, sfuView: towards the owner (towardsOwner). sfuAnswer, sfuTracks,
    // sfuClosed, sfuForwarding, sfuEncodings, activeSpeaker: towards the peer.
    wire::MessageType type = wire::MessageType::sfuOffer;
    // sfuOffer and the sfuAnswer to it: the offer's number at the client's instance, which
    // delivers only the answer to the client's latest offer.
    std::uint64_t offer = 0;
    // sfuOffer: the SDP. Towards the peer: the server->client message, encoded by the owner.
    std::string payload;
    // Sending: the owner's instance id (sfuOffer, sfuLeave). Received: the sender's.
    std::string instance;
};

// What a client says to the room's media server, as opposed to what it says back.
inline bool towardsOwner(wire::MessageType type) {
    return type == wire::MessageType::sfuOffer || type == wire::MessageType::sfuLeave ||
           type == wire::MessageType::sfuView;
}

}  // namespace pulsemeet::cluster
