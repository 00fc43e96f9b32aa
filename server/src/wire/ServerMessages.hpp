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

// A track the media server forwards: whose, which ("microphone" | "camera" | "screen"), and in
// sfu-answer the subscriber's recvonly section (mid) that carries it.
struct TrackSummary {
    std::string peerId;
    std::string source;
    std::string mid;
};

// Server -> client envelopes; each stamps `timestamp` (Unix ms).
// `mode`: the room's mode, "mesh" or "sfu".
std::string encodeRoomJoined(std::string_view roomId, std::string_view selfId,
                             const std::vector<PeerSummary>& peers, std::string_view resumeToken,
                             std::string_view iceServersJson,
                             std::string_view iceTransportPolicy = "all",
                             std::string_view selfName = {}, std::string_view mode = "mesh");
std::string encodeRoomMode(std::string_view roomId, std::string_view mode);
// A chat line from `fromId`, to the room's other members.
std::string encodeChat(std::string_view roomId, std::string_view fromId, std::string_view text);
// `tracks` with their mids.
std::string encodeSfuAnswer(std::string_view sdp, const std::vector<TrackSummary>& tracks);
// `tracks` without mids: what can be forwarded, not where.
// sfu-probe-answer: the media server's answer to a pre-call check's probe.
std::string encodeSfuProbeAnswer(std::string_view sdp);
std::string encodeSfuTracks(const std::vector<TrackSummary>& tracks);
std::string encodeSfuClosed(std::string_view reason);
// The room's active speaker by the media server's audio levels; `level` linear 0..1.
std::string encodeActiveSpeaker(std::string_view peerId, double level);
// The videos forwarded to this viewer now: {type, video: [{peerId, source}]}.
std::string encodeSfuForwarding(const std::vector<TrackSummary>& videos);
// sfu-encodings: which of the client's simulcast encodings (RIDs) of `source` stay active.
std::string encodeSfuEncodings(std::string_view source, const std::vector<std::string>& active);
std::string encodePeerJoined(std::string_view roomId, std::string_view peerId,
                             std::string_view name, std::string_view mediaJson);
std::string encodePeerLeft(std::string_view roomId, std::string_view peerId);
// The answer to `preview`: the names of the people in a room, nothing else (no ids, no media).
std::string encodeRoomPreview(std::string_view roomId, const std::vector<std::string>& names);
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
