#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "media/SdpOffer.hpp"

// The SDP a load peer sends: one BUNDLE group, rtcp-mux, the mid header extension (id 4) and on
// audio ssrc-audio-level (id 1), Opus
// 111 or VP8 96 with nack/pli (payload types as the other side numbered them, in an answer), an
// a=ssrc for what it sends. `setup` is "actpass" in an offer to pulsemeet, "active" where the
// load peer must be the DTLS client (its DTLS side is a client only).
namespace pulsemeet::bench::sfu {

struct SdpSection {
    std::string kind;  // "audio" | "video"
    std::string mid;
    std::string direction;  // "sendonly" | "recvonly"
    std::uint32_t ssrc = 0;
    int payloadType = -1;  // -1: Opus 111 / VP8 96
};

std::string loadPeerSdp(const std::vector<SdpSection>& sections, const std::string& ufrag,
                        const std::string& password, const media::SdpFingerprint& fingerprint,
                        const std::string& setup, const std::string& candidate = {});

// The first IPv4 host candidate of an SDP ("a=candidate:... udp <prio> <ip> <port> typ host").
struct CandidateAddress {
    std::string ip;
    std::uint16_t port = 0;
};
std::optional<CandidateAddress> firstIpv4Candidate(const std::string& sdp);

}  // namespace pulsemeet::bench::sfu
