#include "wire/Protocol.hpp"

namespace pulsemeet::wire {

std::string_view toString(MessageType type) {
    switch (type) {
        case MessageType::join:
            return "join";
        case MessageType::leave:
            return "leave";
        case MessageType::offer:
            return "offer";
        case MessageType::answer:
            return "answer";
        case MessageType::iceCandidate:
            return "ice-candidate";
        case MessageType::mediaState:
            return "media-state";
        case MessageType::ping:
            return "ping";
        case MessageType::sfuOffer:
            return "sfu-offer";
        case MessageType::sfuLeave:
            return "sfu-leave";
        case MessageType::chat:
            return "chat";
        case MessageType::preview:
            return "preview";
        case MessageType::roomJoined:
            return "room-joined";
        case MessageType::peerJoined:
            return "peer-joined";
        case MessageType::peerLeft:
            return "peer-left";
        case MessageType::pong:
            return "pong";
        case MessageType::error:
            return "error";
        case MessageType::roomMode:
            return "room-mode";
        case MessageType::sfuAnswer:
            return "sfu-answer";
        case MessageType::sfuTracks:
            return "sfu-tracks";
        case MessageType::sfuClosed:
            return "sfu-closed";
        case MessageType::roomPreview:
            return "room-preview";
        case MessageType::sfuProbe:
            return "sfu-probe";
        case MessageType::meshUnreachable:
            return "mesh-unreachable";
        case MessageType::sfuProbeAnswer:
            return "sfu-probe-answer";
        case MessageType::sfuView:
            return "sfu-view";
        case MessageType::activeSpeaker:
            return "active-speaker";
        case MessageType::sfuForwarding:
            return "sfu-forwarding";
        case MessageType::sfuEncodings:
            return "sfu-encodings";
    }
    return "unknown";
}

std::optional<MessageType> clientMessageType(std::string_view name) {
    for (auto type :
         {MessageType::join, MessageType::leave, MessageType::offer, MessageType::answer,
          MessageType::iceCandidate, MessageType::mediaState, MessageType::ping,
          MessageType::sfuOffer, MessageType::sfuLeave, MessageType::chat, MessageType::preview,
          MessageType::sfuProbe, MessageType::meshUnreachable, MessageType::sfuView}) {
        if (toString(type) == name) return type;
    }
    return std::nullopt;
}

std::string_view toString(ErrorCode code) {
    switch (code) {
        case ErrorCode::badJson:
            return "bad-json";
        case ErrorCode::badMessage:
            return "bad-message";
        case ErrorCode::unknownType:
            return "unknown-type";
        case ErrorCode::invalidRoomId:
            return "invalid-room-id";
        case ErrorCode::invalidName:
            return "invalid-name";
        case ErrorCode::invalidSdp:
            return "invalid-sdp";
        case ErrorCode::invalidCandidate:
            return "invalid-candidate";
        case ErrorCode::notInRoom:
            return "not-in-room";
        case ErrorCode::peerNotFound:
            return "peer-not-found";
        case ErrorCode::peerUnreachable:
            return "peer-unreachable";
        case ErrorCode::roomFull:
            return "room-full";
        case ErrorCode::forbiddenRoom:
            return "forbidden-room";
        case ErrorCode::rateLimited:
            return "rate-limited";
        case ErrorCode::messageTooLarge:
            return "message-too-large";
        case ErrorCode::mediaUnavailable:
            return "media-unavailable";
    }
    return "bad-message";
}

}  // namespace pulsemeet::wire
