#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "media/SdpError.hpp"

namespace pulsemeet::media {

// A client's SDP offer, parsed into what the media server answers from. Only what the answer
// and the forwarding need is kept; every other line is skipped (after the limits were checked).
// The client always offers and the server always answers (docs/architecture.md, "Media: DTLS,
// SRTP, SDP"), so there is no offer builder.

enum class SdpDirection { sendrecv, sendonly, recvonly, inactive };

std::string_view toString(SdpDirection direction);

struct SdpCodec {
    std::uint8_t payloadType = 0;
    std::string name;  // as written: "opus", "VP8", "rtx", "H264"
    std::uint32_t clockRate = 0;
    std::uint32_t channels = 0;         // 0 when absent (video)
    std::string fmtp;                   // the a=fmtp parameters, verbatim; empty when absent
    std::vector<std::string> feedback;  // a=rtcp-fb values: "nack", "nack pli", "goog-remb"...

    // The `apt=` of an rtx codec's fmtp: the payload type it repairs.
    std::optional<std::uint8_t> repairedPayloadType() const;
    // A parameter of the fmtp ("packetization-mode" -> "1"); empty when absent.
    std::string_view fmtpParameter(std::string_view key) const;
};

struct SdpExtmap {
    int id = 0;
    std::string uri;
};

struct SdpSsrc {
    std::uint32_t ssrc = 0;
    std::string cname;
};

struct SdpRid {
    std::string id;
    bool send = true;  // `a=rid:<id> send`; false for `recv`
};

struct SdpFingerprint {
    std::string algorithm;  // lower case: "sha-256"
    std::string value;      // upper-case hex with colons, "AB:CD:..."
};

struct SdpMediaSection {
    std::string kind;  // "audio", "video", "application", or whatever was offered
    std::uint16_t port = 0;
    std::string protocol;              // "UDP/TLS/RTP/SAVPF"
    std::vector<std::string> formats;  // the m-line's format list, verbatim
    std::string mid;
    SdpDirection direction = SdpDirection::sendrecv;
    std::string iceUfrag;  // the section's own, or the session's when absent here
    std::string icePwd;
    std::optional<SdpFingerprint> fingerprint;  // likewise inherited from the session
    std::string setup;                          // "actpass", "active", "passive"
    bool rtcpMux = false;
    bool rtcpRsize = false;
    bool extmapAllowMixed = false;  // here or at session level
    std::vector<SdpCodec> codecs;   // in the m-line's order; only PTs with an a=rtpmap
    std::vector<SdpExtmap> extmaps;
    std::vector<SdpSsrc> ssrcs;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> fidGroups;  // (media, rtx)
    std::string msidStream;                                          // a=msid:<stream> <track>
    std::string msidTrack;
    std::vector<SdpRid> rids;
    std::vector<std::string> simulcastSend;  // the rids of `a=simulcast:send`, in order

    const SdpCodec* codec(std::uint8_t payloadType) const;
    bool isRtp() const { return protocol.find("RTP/") != std::string::npos; }
};

struct SdpOffer {
    std::vector<std::string> bundleMids;  // a=group:BUNDLE
    std::vector<SdpMediaSection> media;
};

// What a hostile offer may cost. Chromium's re-offer for 3 remote participants (8 m-lines) is
// about 23 KB and 750 lines; a section of Chromium's video offer lists 23 payload types.
struct SdpLimits {
    std::size_t maxBytes = 256 * 1024;
    std::size_t maxLines = 16384;
    std::size_t maxLineLength = 4096;
    std::size_t maxMediaSections = 64;
    std::size_t maxCodecsPerSection = 64;
    std::size_t maxFeedbackPerCodec = 16;
    std::size_t maxExtmapsPerSection = 32;
    std::size_t maxSsrcsPerSection = 64;
    std::size_t maxRidsPerSection = 8;
};

// Parses an offer; never throws. Checks the syntax of what it keeps and the limits, not whether
// the offer is one we can answer (buildSdpAnswer does that).
std::variant<SdpOffer, SdpError> parseSdpOffer(std::string_view text, const SdpLimits& limits = {});

}  // namespace pulsemeet::media
