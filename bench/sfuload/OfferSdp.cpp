#include "OfferSdp.hpp"

#include <optional>
#include <sstream>

#include "SyntheticMedia.hpp"

namespace pulsemeet::bench::sfu {

std::string loadPeerSdp(const std::vector<SdpSection>& sections, const std::string& ufrag,
                        const std::string& password, const media::SdpFingerprint& fingerprint,
                        const std::string& setup, const std::string& candidate) {
    std::string sdp = "v=0\r\no=- 42 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE";
    for (const auto& s : sections) sdp += " " + s.mid;
    sdp += "\r\na=msid-semantic: WMS\r\n";
    for (const auto& s : sections) {
        const bool video = s.kind == "video";
        const std::string pt = std::to_string(
            s.payloadType >= 0 ? s.payloadType : (video ? kVp8PayloadType : kOpusPayloadType));
        sdp += "m=" + s.kind + " 9 UDP/TLS/RTP/SAVPF " + pt + "\r\n";
        sdp += "c=IN IP4 0.0.0.0\r\na=ice-ufrag:" + ufrag + "\r\na=ice-pwd:" + password +
               "\r\na=fingerprint:" + fingerprint.algorithm + " " + fingerprint.value +
               "\r\na=setup:" + setup + "\r\na=mid:" + s.mid + "\r\n";
        sdp += "a=extmap:" + std::to_string(kMidExtensionId) +
               " urn:ietf:params:rtp-hdrext:sdes:mid\r\n";
        if (!video)
            sdp += "a=extmap:" + std::to_string(kAudioLevelExtensionId) +
                   " urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n";
        sdp += "a=" + s.direction + "\r\na=rtcp-mux\r\na=rtcp-rsize\r\n";
        if (video) {
            sdp += "a=rtpmap:" + pt + " VP8/90000\r\n";
            for (const char* fb : {"ccm fir", "nack", "nack pli"})
                sdp += "a=rtcp-fb:" + pt + " " + fb + "\r\n";
        } else {
            sdp += "a=rtpmap:" + pt + " opus/48000/2\r\n";
        }
        if (s.ssrc != 0) sdp += "a=ssrc:" + std::to_string(s.ssrc) + " cname:load\r\n";
        if (!candidate.empty()) sdp += "a=candidate:" + candidate + "\r\n";
    }
    return sdp;
}

std::optional<CandidateAddress> firstIpv4Candidate(const std::string& sdp) {
    std::istringstream lines(sdp);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("a=candidate:", 0) != 0) continue;
        std::istringstream fields(line);
        std::string foundation, component, transport, priority, ip, port;
        fields >> foundation >> component >> transport >> priority >> ip >> port;
        if (ip.find(':') != std::string::npos || port.empty()) continue;
        return CandidateAddress{ip, static_cast<std::uint16_t>(std::stoi(port))};
    }
    return std::nullopt;
}

}  // namespace pulsemeet::bench::sfu
