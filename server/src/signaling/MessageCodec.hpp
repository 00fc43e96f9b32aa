#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "signaling/Protocol.hpp"

namespace pulsemeet::signaling {

// A client message that passed validation. Relayed payloads are kept re-serialised as compact
// JSON text so the hub never needs a JSON DOM.
struct ClientMessage {
    MessageType type{};
    std::string roomId;       // join
    std::string targetId;     // offer, answer, ice-candidate
    std::string name;         // join: trimmed display name, may be empty
    std::string resumeToken;  // join: optional
    // join, ping: how many room messages the client received since its last room-joined
    // (docs/protocol.md, "Acknowledged delivery"); empty when it does not count.
    std::optional<std::uint64_t> received;
    std::string dataJson;  // offer/answer/ice-candidate/media-state: the `data` object
};

using DecodeResult = std::variant<ClientMessage, SignalError>;

// Parses and validates one text frame. Every refusal carries the protocol's error code.
DecodeResult decodeClientMessage(std::string_view text);

bool isValidRoomId(std::string_view roomId);

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
                             std::string_view iceTransportPolicy = "all");
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

}  // namespace pulsemeet::signaling
