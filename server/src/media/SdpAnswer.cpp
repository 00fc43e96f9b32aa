#include "media/SdpAnswer.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace pulsemeet::media {

namespace {

constexpr std::string_view kMid = "urn:ietf:params:rtp-hdrext:sdes:mid";
constexpr std::string_view kAbsSendTime =
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
constexpr std::string_view kAudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
constexpr std::string_view kRid = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
constexpr std::string_view kRepairedRid = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
constexpr std::string_view kTransportCc =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

// The digests a client may name in a=fingerprint that DtlsTransport can check.
constexpr std::array<std::string_view, 5> kFingerprintAlgorithms = {"sha-1", "sha-224", "sha-256",
                                                                    "sha-384", "sha-512"};

// Host candidate priority for component 1 (RFC 8445 §5.1.2.1: type preference 126, local
// preference 65535).
constexpr std::uint32_t kHostPriority = (126u << 24) | (65535u << 8) | (256u - 1u);
// The TCP host candidate's (RFC 6544 §4.2: local preference (2^13 * direction-pref) +
// other-pref, passive direction-pref 2 for host candidates; other-pref 8191 as for the only
// address). Below the UDP candidate's, so a client that can use UDP prefers it.
constexpr std::uint32_t kTcpPassiveHostPriority =
    (126u << 24) | (((1u << 13) * 2u + 8191u) << 8) | (256u - 1u);

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               const auto lower = [](char c) {
                   return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
               };
               return lower(x) == lower(y);
           });
}

bool sends(SdpDirection direction) {
    return direction == SdpDirection::sendrecv || direction == SdpDirection::sendonly;
}

// Only the payload types the m-line lists count; an a=rtpmap for another one is ignored.
bool listed(const SdpMediaSection& section, const SdpCodec& codec) {
    const auto pt = std::to_string(codec.payloadType);
    return std::find(section.formats.begin(), section.formats.end(), pt) != section.formats.end();
}

bool isMediaCodec(const SdpMediaSection& section, const SdpCodec& codec) {
    if (!listed(section, codec)) return false;
    if (section.kind == "audio") {
        return equalsIgnoreCase(codec.name, "opus") && codec.clockRate == 48000;
    }
    if (section.kind != "video" || codec.clockRate != 90000) return false;
    if (equalsIgnoreCase(codec.name, "VP8")) return true;
    // packetization-mode=1 (non-interleaved, FU-A): what Chrome sends for anything above one
    // small NAL unit; mode 0 would need single-NAL packets only.
    return equalsIgnoreCase(codec.name, "H264") && codec.fmtpParameter("packetization-mode") == "1";
}

// The offered codecs we take, in the offer's order: the media codecs, then each rtx whose
// apt is one of them. Only the feedback we implement is kept.
std::vector<SdpCodec> acceptedCodecs(const SdpMediaSection& section, bool transportCc) {
    std::vector<SdpCodec> accepted;
    for (const auto& codec : section.codecs) {
        if (isMediaCodec(section, codec)) accepted.push_back(codec);
    }
    for (const auto& codec : section.codecs) {
        if (section.kind != "video" || !equalsIgnoreCase(codec.name, "rtx") ||
            !listed(section, codec)) {
            continue;
        }
        const auto apt = codec.repairedPayloadType();
        const bool repairsAccepted =
            apt && std::any_of(accepted.begin(), accepted.end(),
                               [&](const SdpCodec& c) { return c.payloadType == *apt; });
        if (repairsAccepted) accepted.push_back(codec);
    }
    for (auto& codec : accepted) {
        std::erase_if(codec.feedback, [&](const std::string& type) {
            if (type == "transport-cc") return !transportCc;
            if (section.kind != "video") return true;
            return type != "nack" && type != "nack pli" && type != "ccm fir" && type != "goog-remb";
        });
        // Each once: repeated (or `*`-expanded) lines in the offer must not multiply the answer.
        std::vector<std::string> unique;
        for (auto& type : codec.feedback) {
            if (std::find(unique.begin(), unique.end(), type) == unique.end()) {
                unique.push_back(std::move(type));
            }
        }
        codec.feedback = std::move(unique);
    }
    return accepted;
}

std::vector<SdpExtmap> acceptedExtmaps(const SdpMediaSection& section, bool transportCc) {
    std::vector<SdpExtmap> accepted;
    const bool video = section.kind == "video";
    for (const auto& extmap : section.extmaps) {
        const std::string_view uri = extmap.uri;
        const bool take =
            uri == kMid || uri == kAbsSendTime || (uri == kAudioLevel && !video) ||
            ((uri == kRid || uri == kRepairedRid) && video && sends(section.direction)) ||
            (uri == kTransportCc && transportCc);
        if (take) accepted.push_back(extmap);
    }
    return accepted;
}

// The simulcast layers the client sends: rids declared `send` and listed in a=simulcast:send.
std::vector<std::string> receiveRids(const SdpMediaSection& section) {
    std::vector<std::string> rids;
    if (!sends(section.direction)) return rids;
    for (const auto& rid : section.simulcastSend) {
        const bool declared = std::any_of(section.rids.begin(), section.rids.end(),
                                          [&](const SdpRid& r) { return r.send && r.id == rid; });
        if (declared && std::find(rids.begin(), rids.end(), rid) == rids.end()) {
            rids.push_back(rid);
        }
    }
    return rids;
}

const SdpForwardedTrack* forwardedTrack(const SdpAnswerParameters& parameters,
                                        std::string_view mid) {
    for (const auto& [trackMid, track] : parameters.forwardedTracks) {
        if (trackMid == mid) return &track;
    }
    return nullptr;
}

std::optional<SdpError> checkTransport(const SdpMediaSection& section) {
    const auto where = "section " + section.mid + ": ";
    if (section.iceUfrag.empty() || section.icePwd.empty()) {
        return SdpError{SdpErrorCode::missingIceCredentials, where + "no ice-ufrag/ice-pwd"};
    }
    if (!section.fingerprint ||
        std::find(kFingerprintAlgorithms.begin(), kFingerprintAlgorithms.end(),
                  section.fingerprint->algorithm) == kFingerprintAlgorithms.end()) {
        return SdpError{SdpErrorCode::missingFingerprint, where + "no usable a=fingerprint"};
    }
    // We are the DTLS server; the client must be able to be the client.
    if (section.setup != "actpass" && section.setup != "active") {
        return SdpError{SdpErrorCode::badSetup, where + "a=setup must be actpass or active"};
    }
    if (!section.rtcpMux) return SdpError{SdpErrorCode::noRtcpMux, where + "no a=rtcp-mux"};
    return std::nullopt;
}

class Writer {
  public:
    void line(std::string_view text) {
        sdp_.append(text);
        sdp_.append("\r\n");
    }
    template <typename... Parts>
    void line(std::string_view first, const Parts&... parts) {
        sdp_.append(first);
        (sdp_.append(parts), ...);
        sdp_.append("\r\n");
    }
    std::string take() { return std::move(sdp_); }

  private:
    std::string sdp_;
};

std::string join(const std::vector<std::string>& items, std::string_view separator) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out.append(separator);
        out.append(item);
    }
    return out;
}

void writeAccepted(Writer& out, const SdpMediaSection& offered, const SdpNegotiatedSection& section,
                   const SdpAnswerParameters& parameters, const SdpForwardedTrack* track) {
    const auto port = std::to_string(parameters.candidatePort);
    const bool ipv6 = parameters.candidateAddress.find(':') != std::string::npos;
    std::string formats;
    for (const auto& codec : section.codecs) {
        formats += ' ' + std::to_string(codec.payloadType);
    }
    out.line("m=", offered.kind, " ", port, " UDP/TLS/RTP/SAVPF", formats);
    out.line("c=IN ", ipv6 ? "IP6 " : "IP4 ", parameters.candidateAddress);
    out.line("a=mid:", section.mid);
    out.line("a=ice-ufrag:", parameters.iceUfrag);
    out.line("a=ice-pwd:", parameters.icePwd);
    out.line("a=fingerprint:sha-256 ", parameters.fingerprintSha256);
    out.line("a=setup:passive");
    out.line("a=", toString(section.direction));
    if (track) out.line("a=msid:", track->streamId, " ", track->trackId);
    out.line("a=rtcp-mux");
    out.line("a=rtcp-rsize");
    for (const auto& extmap : section.extmaps) {
        out.line("a=extmap:", std::to_string(extmap.id), " ", extmap.uri);
    }
    for (const auto& codec : section.codecs) {
        const auto pt = std::to_string(codec.payloadType);
        out.line("a=rtpmap:", pt, " ", codec.name, "/", std::to_string(codec.clockRate),
                 codec.channels ? "/" + std::to_string(codec.channels) : std::string());
        for (const auto& type : codec.feedback) out.line("a=rtcp-fb:", pt, " ", type);
        if (!codec.fmtp.empty()) out.line("a=fmtp:", pt, " ", codec.fmtp);
    }
    if (!section.receiveRids.empty()) {
        for (const auto& rid : section.receiveRids) out.line("a=rid:", rid, " recv");
        out.line("a=simulcast:recv ", join(section.receiveRids, ";"));
    }
    if (track) {
        const bool withRtx =
            track->rtxSsrc &&
            std::any_of(section.codecs.begin(), section.codecs.end(),
                        [](const SdpCodec& c) { return equalsIgnoreCase(c.name, "rtx"); });
        const auto ssrc = std::to_string(track->ssrc);
        if (withRtx) {
            out.line("a=ssrc-group:FID ", ssrc, " ", std::to_string(*track->rtxSsrc));
        }
        out.line("a=ssrc:", ssrc, " cname:", track->cname);
        out.line("a=ssrc:", ssrc, " msid:", track->streamId, " ", track->trackId);
        if (withRtx) {
            const auto rtx = std::to_string(*track->rtxSsrc);
            out.line("a=ssrc:", rtx, " cname:", track->cname);
            out.line("a=ssrc:", rtx, " msid:", track->streamId, " ", track->trackId);
        }
    }
    out.line("a=candidate:1 1 udp ", std::to_string(kHostPriority), " ",
             parameters.candidateAddress, " ", port, " typ host");
    if (parameters.tcpCandidatePort) {
        out.line("a=candidate:2 1 tcp ", std::to_string(kTcpPassiveHostPriority), " ",
                 parameters.candidateAddress, " ", std::to_string(*parameters.tcpCandidatePort),
                 " typ host tcptype passive");
    }
    out.line("a=end-of-candidates");
}

void writeRejected(Writer& out, const SdpMediaSection& offered) {
    std::string formats;
    for (const auto& format : offered.formats) formats += ' ' + format;
    if (formats.empty()) formats = " 0";
    out.line("m=", offered.kind, " 0 ", offered.protocol, formats);
    out.line("c=IN IP4 0.0.0.0");
    if (!offered.mid.empty()) out.line("a=mid:", offered.mid);
}

}  // namespace

std::variant<SdpAnswer, SdpError> buildSdpAnswer(const SdpOffer& offer,
                                                 const SdpAnswerParameters& parameters) {
    SdpAnswer answer;
    std::vector<std::string> bundle;
    bool allowMixed = false;
    for (const auto& offered : offer.media) {
        if (offered.mid.empty()) {
            return SdpError{SdpErrorCode::missingMid, "a media section has no a=mid"};
        }
        const bool duplicate =
            std::any_of(answer.sections.begin(), answer.sections.end(),
                        [&](const SdpNegotiatedSection& s) { return s.mid == offered.mid; });
        if (duplicate)
            return SdpError{SdpErrorCode::duplicateMid, "a=mid:" + offered.mid + " twice"};

        SdpNegotiatedSection section;
        section.mid = offered.mid;
        section.kind = offered.kind;
        const bool bundled = std::find(offer.bundleMids.begin(), offer.bundleMids.end(),
                                       offered.mid) != offer.bundleMids.end();
        const bool candidate = (offered.kind == "audio" || offered.kind == "video") &&
                               offered.protocol == "UDP/TLS/RTP/SAVPF" && offered.port != 0 &&
                               bundled;
        if (candidate) {
            section.codecs =
                acceptedCodecs(offered, parameters.transportCc && sends(offered.direction));
            section.accepted = !section.codecs.empty();
        }
        if (section.accepted) {
            if (auto failure = checkTransport(offered)) return *std::move(failure);
            if (answer.remoteIceUfrag.empty()) {
                answer.remoteIceUfrag = offered.iceUfrag;
                answer.remoteIcePwd = offered.icePwd;
                answer.remoteFingerprint = *offered.fingerprint;
            }
            section.extmaps =
                acceptedExtmaps(offered, parameters.transportCc && sends(offered.direction));
            section.receiveRids = receiveRids(offered);
            const auto* track = forwardedTrack(parameters, offered.mid);
            switch (offered.direction) {
                case SdpDirection::sendrecv:
                case SdpDirection::sendonly:
                    section.direction = SdpDirection::recvonly;
                    break;
                case SdpDirection::recvonly:
                    section.direction = track ? SdpDirection::sendonly : SdpDirection::inactive;
                    break;
                case SdpDirection::inactive:
                    section.direction = SdpDirection::inactive;
                    break;
            }
            bundle.push_back(offered.mid);
            allowMixed = allowMixed || offered.extmapAllowMixed;
        } else {
            section.codecs.clear();
        }
        answer.sections.push_back(std::move(section));
    }
    if (bundle.empty()) {
        return SdpError{SdpErrorCode::nothingToAnswer, "no audio or video section we can accept"};
    }

    Writer out;
    out.line("v=0");
    out.line("o=- ", std::to_string(parameters.sessionId), " ",
             std::to_string(parameters.sessionVersion), " IN IP4 0.0.0.0");
    out.line("s=-");
    out.line("t=0 0");
    out.line("a=ice-lite");
    out.line("a=group:BUNDLE ", join(bundle, " "));
    if (allowMixed) out.line("a=extmap-allow-mixed");
    out.line("a=msid-semantic: WMS *");
    for (std::size_t i = 0; i < offer.media.size(); ++i) {
        const auto& section = answer.sections[i];
        if (!section.accepted) {
            writeRejected(out, offer.media[i]);
            continue;
        }
        const auto* track = section.direction == SdpDirection::sendonly
                                ? forwardedTrack(parameters, section.mid)
                                : nullptr;
        writeAccepted(out, offer.media[i], section, parameters, track);
    }
    answer.sdp = out.take();
    return answer;
}

}  // namespace pulsemeet::media
