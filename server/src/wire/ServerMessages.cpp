#include "wire/ServerMessages.hpp"

#include <algorithm>
#include <chrono>

#include "obs/JsonText.hpp"

namespace pulsemeet::wire {

namespace {

void appendTimestamp(std::string& out) {
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    out += ",\"timestamp\":";
    out += std::to_string(millis);
    out += '}';
}

void appendField(std::string& out, std::string_view key, std::string_view value) {
    if (value.empty()) return;
    out += ",\"";
    out += key;
    out += "\":";
    obs::appendJsonString(out, value);
}

void appendTracks(std::string& out, const std::vector<TrackSummary>& tracks, bool withMid) {
    out += ",\"tracks\":[";
    bool first = true;
    for (const auto& track : tracks) {
        if (!first) out += ',';
        first = false;
        out += '{';
        if (withMid) {
            out += "\"mid\":";
            obs::appendJsonString(out, track.mid);
            out += ',';
        }
        out += "\"peerId\":";
        obs::appendJsonString(out, track.peerId);
        out += ",\"source\":";
        obs::appendJsonString(out, track.source);
        out += '}';
    }
    out += ']';
}

std::string beginEnvelope(MessageType type) {
    std::string out;
    out.reserve(160);
    out += "{\"type\":\"";
    out += toString(type);
    out += '"';
    return out;
}

}  // namespace

std::string encodeRoomJoined(std::string_view roomId, std::string_view selfId,
                             const std::vector<PeerSummary>& peers, std::string_view resumeToken,
                             std::string_view iceServersJson, std::string_view iceTransportPolicy,
                             std::string_view selfName, std::string_view mode) {
    std::string out = beginEnvelope(MessageType::roomJoined);
    appendField(out, "roomId", roomId);
    appendField(out, "peerId", selfId);
    out += ",\"data\":{\"peers\":[";
    bool first = true;
    for (const auto& peer : peers) {
        if (!first) out += ',';
        first = false;
        out += "{\"peerId\":";
        obs::appendJsonString(out, peer.peerId);
        out += ",\"name\":";
        obs::appendJsonString(out, peer.name);
        out += ",\"media\":";
        out += peer.mediaJson;
        out += '}';
    }
    out += "],\"resumeToken\":";
    obs::appendJsonString(out, resumeToken);
    out += ",\"iceServers\":";
    out += iceServersJson.empty() ? std::string_view("[]") : iceServersJson;
    out += ",\"iceTransportPolicy\":";
    obs::appendJsonString(out, iceTransportPolicy);
    // The name everyone else sees for you (a token's, or "Guest N" when you sent none).
    out += ",\"name\":";
    obs::appendJsonString(out, selfName);
    out += ",\"mode\":";
    obs::appendJsonString(out, mode);
    out += '}';
    appendTimestamp(out);
    return out;
}

std::string encodeRoomMode(std::string_view roomId, std::string_view mode) {
    std::string out = beginEnvelope(MessageType::roomMode);
    appendField(out, "roomId", roomId);
    appendField(out, "mode", mode);
    appendTimestamp(out);
    return out;
}

std::string encodeChat(std::string_view roomId, std::string_view fromId, std::string_view text) {
    std::string out = beginEnvelope(MessageType::chat);
    out.reserve(out.size() + text.size() + 120);
    appendField(out, "roomId", roomId);
    appendField(out, "from", fromId);
    appendField(out, "text", text);
    appendTimestamp(out);
    return out;
}

std::string encodeSfuAnswer(std::string_view sdp, const std::vector<TrackSummary>& tracks) {
    std::string out = beginEnvelope(MessageType::sfuAnswer);
    out.reserve(out.size() + sdp.size() + 80 * tracks.size() + 64);
    appendField(out, "sdp", sdp);
    appendTracks(out, tracks, true);
    appendTimestamp(out);
    return out;
}

std::string encodeSfuProbeAnswer(std::string_view sdp) {
    std::string out = beginEnvelope(MessageType::sfuProbeAnswer);
    out.reserve(out.size() + sdp.size() + 64);
    appendField(out, "sdp", sdp);
    appendTimestamp(out);
    return out;
}

std::string encodeSfuTracks(const std::vector<TrackSummary>& tracks) {
    std::string out = beginEnvelope(MessageType::sfuTracks);
    appendTracks(out, tracks, false);
    appendTimestamp(out);
    return out;
}

std::string encodeSfuClosed(std::string_view reason) {
    std::string out = beginEnvelope(MessageType::sfuClosed);
    out += ",\"reason\":";
    obs::appendJsonString(out, reason);
    appendTimestamp(out);
    return out;
}

std::string encodeActiveSpeaker(std::string_view peerId, double level) {
    std::string out = beginEnvelope(MessageType::activeSpeaker);
    out += ",\"peerId\":";
    obs::appendJsonString(out, peerId);
    // Three decimals are plenty for a level meter, and keep the text short.
    const auto thousandths = static_cast<long>(std::clamp(level, 0.0, 1.0) * 1000.0 + 0.5);
    out += ",\"level\":" + std::to_string(thousandths / 1000) + "." +
           std::to_string(1000 + thousandths % 1000).substr(1);
    appendTimestamp(out);
    return out;
}

std::string encodeSfuForwarding(const std::vector<TrackSummary>& videos) {
    std::string out = beginEnvelope(MessageType::sfuForwarding);
    out += ",\"video\":[";
    bool first = true;
    for (const auto& video : videos) {
        if (!first) out += ',';
        first = false;
        out += "{\"peerId\":";
        obs::appendJsonString(out, video.peerId);
        out += ",\"source\":";
        obs::appendJsonString(out, video.source);
        out += '}';
    }
    out += ']';
    appendTimestamp(out);
    return out;
}

std::string encodeSfuEncodings(std::string_view source, const std::vector<std::string>& active) {
    std::string out = beginEnvelope(MessageType::sfuEncodings);
    appendField(out, "source", source);
    out += ",\"active\":[";
    for (std::size_t i = 0; i < active.size(); ++i) {
        if (i > 0) out += ',';
        obs::appendJsonString(out, active[i]);
    }
    out += ']';
    appendTimestamp(out);
    return out;
}

std::string encodePeerJoined(std::string_view roomId, std::string_view peerId,
                             std::string_view name, std::string_view mediaJson) {
    std::string out = beginEnvelope(MessageType::peerJoined);
    appendField(out, "roomId", roomId);
    appendField(out, "peerId", peerId);
    out += ",\"data\":{\"name\":";
    obs::appendJsonString(out, name);
    out += ",\"media\":";
    out += mediaJson;
    out += '}';
    appendTimestamp(out);
    return out;
}

std::string encodePeerLeft(std::string_view roomId, std::string_view peerId) {
    std::string out = beginEnvelope(MessageType::peerLeft);
    appendField(out, "roomId", roomId);
    appendField(out, "peerId", peerId);
    appendTimestamp(out);
    return out;
}

std::string encodeRoomPreview(std::string_view roomId, const std::vector<std::string>& names) {
    std::string out = beginEnvelope(MessageType::roomPreview);
    appendField(out, "roomId", roomId);
    out += ",\"data\":{\"names\":[";
    bool first = true;
    for (const auto& name : names) {
        if (!first) out += ',';
        first = false;
        obs::appendJsonString(out, name);
    }
    out += "]}";
    appendTimestamp(out);
    return out;
}

std::string encodeRelay(MessageType type, std::string_view roomId, std::string_view fromId,
                        std::string_view targetId, std::string_view dataJson) {
    std::string out = beginEnvelope(type);
    out.reserve(out.size() + dataJson.size() + 160);
    appendField(out, "roomId", roomId);
    appendField(out, "peerId", fromId);
    appendField(out, "targetId", targetId);
    if (!dataJson.empty()) {
        out += ",\"data\":";
        out += dataJson;
    }
    appendTimestamp(out);
    return out;
}

std::string encodePong() {
    std::string out = beginEnvelope(MessageType::pong);
    appendTimestamp(out);
    return out;
}

std::string encodeError(const SignalError& error) {
    return encodeError(error, {});
}

std::string encodeError(const SignalError& error, std::string_view targetId) {
    std::string out = beginEnvelope(MessageType::error);
    if (!targetId.empty()) appendField(out, "targetId", targetId);
    appendField(out, "code", toString(error.code));
    appendField(out, "error", error.text);
    appendTimestamp(out);
    return out;
}

}  // namespace pulsemeet::wire
