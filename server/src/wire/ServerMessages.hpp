#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "wire/Protocol.hpp"

// Server -> client messages (docs/protocol.md), encoded once and shared by every recipient:
// the hub sends them, and the cluster bus re-creates them for peers on other instances.
namespace pulsemeet::wire {

// One entry of room-joined's peer list.
struct PeerSummary {
    std::string peerId;
    std::string name;
    std::string mediaJson;  // {"audio":..,"video":..,"screen":..}
};

// Server -> client envelopes; each stamps `timestamp` (Unix ms).
std::string encodeRoomJoined(std::string_view roomId, std::string_view selfId,
                             const std::vector<PeerSummary>& peers, std::string_view resumeToken,
                             std::string_view iceServersJson,
                             std::string_view iceTransportPolicy = "all",
                             std::string_view selfName = {});
std::string encodePeerJoined(std::string_view roomId, std::string_view peerId,
                             std::string_view name, std::string_view mediaJson);
std::string encodePeerLeft(std::string_view roomId, std::string_view peerId);
// offer / answer / ice-candidate / media-state with the sender's id stamped.
std::string encodeRelay(MessageType type, std::string_view roomId, std::string_view fromId,
                        std::string_view targetId, std::string_view dataJson);
std::string encodePong();
std::string encodeError(const SignalError& error);
// An error about a message to `targetId` (peer-unreachable): the client learns which peer.
std::string encodeError(const SignalError& error, std::string_view targetId);

// The media state a peer has before it says anything.
inline constexpr std::string_view kDefaultMediaJson =
    R"({"audio":true,"video":true,"screen":false})";

}  // namespace pulsemeet::wire
