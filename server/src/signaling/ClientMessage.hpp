#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "signaling/SfuView.hpp"
#include "wire/Protocol.hpp"

namespace pulsemeet::signaling {

// A client message that passed validation. Relayed payloads are kept re-serialised as compact
// JSON text so the hub never needs a JSON DOM.
struct ClientMessage {
    wire::MessageType type{};
    std::string roomId;       // join
    std::string targetId;     // offer, answer, ice-candidate
    std::string name;         // join: trimmed display name, may be empty
    std::string resumeToken;  // join: optional
    // join, ping: how many room messages the client received since its last room-joined
    // (docs/protocol.md, "Acknowledged delivery"); empty when it does not count.
    std::optional<std::uint64_t> received;
    // join: the client can use the media server (data.sfu: true).
    bool sfuCapable = false;
    std::string dataJson;  // offer/answer/ice-candidate/media-state: the `data` object
    std::string sdp;       // sfu-offer
    std::string text;      // chat: trimmed, 1..kMaxChatChars characters, no control characters
    std::vector<SfuViewEntry> views;  // sfu-view
};

// The longest chat line, in characters: the browser client's own limit.
inline constexpr std::size_t kMaxChatChars = 2000;

using DecodeResult = std::variant<ClientMessage, wire::SignalError>;

// Parses and validates one text frame. Every refusal carries the protocol's error code.
DecodeResult decodeClientMessage(std::string_view text);

bool isValidRoomId(std::string_view roomId);

}  // namespace pulsemeet::signaling
