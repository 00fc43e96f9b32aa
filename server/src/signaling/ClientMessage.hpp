#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "wire/Protocol.hpp"

namespace pulsemeet::signaling {

// One entry of sfu-view: how the client shows one remote video (docs/protocol.md).
struct ViewEntry {
    std::string peerId;
    std::string source;  // "camera" | "screen"
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    bool pinned = false;
};

// sfu-view limits: entries (the hub also holds them to 2 x MAX_PEERS_PER_ROOM) and pixels.
inline constexpr std::size_t kMaxViewEntries = 2000;
inline constexpr std::uint32_t kMaxViewPixels = 8192;

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
    std::vector<ViewEntry> views;  // sfu-view
};

// The longest chat line, in characters: the browser client's own limit.
inline constexpr std::size_t kMaxChatChars = 2000;

using DecodeResult = std::variant<ClientMessage, wire::SignalError>;

// Parses and validates one text frame. Every refusal carries the protocol's error code.
DecodeResult decodeClientMessage(std::string_view text);

bool isValidRoomId(std::string_view roomId);

}  // namespace pulsemeet::signaling
