#pragma once

// The smallest offers a browser makes to the media server, for the media integration tests: one
// BUNDLE group; per section VP8 with its rtx and nack/pli/fir/remb feedback, or Opus; the mid
// header extension (and optionally the audio level); the ssrc lines of what the section sends.
// Also the port of the answer's host candidate (the media worker the room was placed on).
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "media/IceLiteServer.hpp"
#include "media/SdpOffer.hpp"

namespace pulsemeet::media::mediatest {

struct OfferSection {
    std::string kind;       // "audio" | "video"
    std::string mid;        // also what the mid extension carries
    std::string direction;  // "sendonly" | "recvonly"
    std::uint32_t ssrc = 0;
    std::uint32_t rtxSsrc = 0;
    int videoPt = 96;  // VP8; its rtx is videoPt + 1
    int midId = 4;
    int audioLevelId = 0;  // RFC 6464 extension id on audio sections; 0: not offered
};

inline std::string chromeLikeOffer(const IceCredentials& ice, const SdpFingerprint& fingerprint,
                                   const std::vector<OfferSection>& sections) {
    std::string sdp = "v=0\r\no=- 42 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE";
    for (const auto& s : sections) sdp += " " + s.mid;
    sdp += "\r\na=msid-semantic: WMS\r\n";
    for (const auto& s : sections) {
        const bool video = s.kind == "video";
        const auto pt = std::to_string(s.videoPt);
        const auto rtx = std::to_string(s.videoPt + 1);
        sdp += "m=" + s.kind + " 9 UDP/TLS/RTP/SAVPF " + (video ? pt + " " + rtx : "111") + "\r\n";
        sdp += "c=IN IP4 0.0.0.0\r\na=ice-ufrag:" + ice.ufrag + "\r\na=ice-pwd:" + ice.password +
               "\r\na=fingerprint:" + fingerprint.algorithm + " " + fingerprint.value +
               "\r\na=setup:actpass\r\na=mid:" + s.mid + "\r\n";
        sdp += "a=extmap:" + std::to_string(s.midId) + " urn:ietf:params:rtp-hdrext:sdes:mid\r\n";
        if (!video && s.audioLevelId != 0)
            sdp += "a=extmap:" + std::to_string(s.audioLevelId) +
                   " urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n";
        sdp += "a=" + s.direction + "\r\na=rtcp-mux\r\na=rtcp-rsize\r\n";
        if (video) {
            sdp += "a=rtpmap:" + pt + " VP8/90000\r\n";
            for (const char* fb : {"goog-remb", "ccm fir", "nack", "nack pli"})
                sdp += "a=rtcp-fb:" + pt + " " + fb + "\r\n";
            sdp += "a=rtpmap:" + rtx + " rtx/90000\r\na=fmtp:" + rtx + " apt=" + pt + "\r\n";
        } else {
            sdp += "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n";
        }
        if (s.ssrc != 0 && s.rtxSsrc != 0)
            sdp += "a=ssrc-group:FID " + std::to_string(s.ssrc) + " " + std::to_string(s.rtxSsrc) +
                   "\r\n";
        if (s.ssrc != 0) sdp += "a=ssrc:" + std::to_string(s.ssrc) + " cname:test\r\n";
        if (s.rtxSsrc != 0) sdp += "a=ssrc:" + std::to_string(s.rtxSsrc) + " cname:test\r\n";
    }
    return sdp;
}

// The port of the answer's first host candidate (`a=candidate:1 1 udp <priority> <address>
// <port> typ host`).
inline std::uint16_t candidatePort(const std::string& sdp) {
    const auto at = sdp.find("a=candidate:");
    if (at == std::string::npos) throw std::runtime_error("no candidate in the answer");
    const auto line = sdp.substr(at, sdp.find("\r\n", at) - at);
    std::vector<std::string> words;
    std::size_t from = 0;
    while (from < line.size()) {
        const auto space = line.find(' ', from);
        words.push_back(line.substr(from, space - from));
        if (space == std::string::npos) break;
        from = space + 1;
    }
    return static_cast<std::uint16_t>(std::stoi(words.at(5)));
}

}  // namespace pulsemeet::media::mediatest
