#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

// Wire protocol v1 vocabulary (docs/protocol.md): message types, error codes, close codes.
namespace pulsemeet::wire {

enum class MessageType {
    // client -> server
    join,
    leave,
    offer,
    answer,
    iceCandidate,
    mediaState,
    ping,
    sfuOffer,         // the client's offer to the media server
    sfuLeave,         // the client closed its media-server connection
    chat,             // both ways: a chat line over the WebSocket
    preview,          // who is in a room, asked from the lobby without joining it
    sfuProbe,         // the pre-call check's throw-away offer to the media server (no room)
    meshUnreachable,  // the client could not connect to targetId directly (no TURN)
    sfuView,          // how the viewer shows each remote video (size, pinned)
    // server -> client
    roomJoined,
    peerJoined,
    peerLeft,
    pong,
    error,
    roomMode,        // the room's mode changed
    sfuAnswer,       // the media server's answer to the latest sfu-offer
    sfuTracks,       // what the media server can forward to this client now
    sfuClosed,       // the media server closed this client's transport on its own
    roomPreview,     // the answer to preview: the names in the room
    sfuProbeAnswer,  // the media server's answer to sfu-probe
    activeSpeaker,   // the media server's active speaker in the room
    sfuForwarding,   // the videos the media server forwards to this viewer now
    sfuEncodings,    // which of the client's simulcast encodings someone watches
};
inline constexpr std::size_t kMessageTypeCount = 28;

std::string_view toString(MessageType type);
// Only the types a client may send; server-only types are `unknown-type` when received.
std::optional<MessageType> clientMessageType(std::string_view name);

enum class ErrorCode {
    badJson,
    badMessage,
    unknownType,
    invalidRoomId,
    invalidName,
    invalidSdp,
    invalidCandidate,
    notInRoom,
    peerNotFound,
    peerUnreachable,  // clustered: the target's instance could not be reached in time
    roomFull,
    forbiddenRoom,
    rateLimited,
    messageTooLarge,
    mediaUnavailable,  // a media-server message while the room is not on the media server
};
inline constexpr std::size_t kErrorCodeCount = 15;

std::string_view toString(ErrorCode code);

// A refusal the client is told about: a code and a human sentence.
struct SignalError {
    ErrorCode code;
    std::string text;
};

// WebSocket close codes the server uses (RFC 6455 section 7.4.1).
enum class CloseCode : unsigned short {
    normal = 1000,
    goingAway = 1001,
    invalidPayload = 1007,
    policyViolation = 1008,  // rate-limited
    tooBig = 1009,
    serviceRestart = 1012,  // draining: reconnect at once
    tryAgainLater = 1013,   // this client could not keep up with its own messages
};

}  // namespace pulsemeet::wire
