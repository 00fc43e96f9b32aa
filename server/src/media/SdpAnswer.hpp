#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "media/SdpError.hpp"
#include "media/SdpOffer.hpp"

namespace pulsemeet::media {

// A track the server forwards to this client on one of the client's `recvonly` sections.
struct SdpForwardedTrack {
    std::string streamId;  // a=msid:<streamId> <trackId>: how the client groups and names it
    std::string trackId;
    std::uint32_t ssrc = 0;                // the SSRC the server writes for this subscriber
    std::optional<std::uint32_t> rtxSsrc;  // declared (ssrc-group:FID) when the section has rtx
    std::string cname;
};

// What the server puts in every answer: its ICE-lite credentials and one host candidate, the
// fingerprint of its DTLS certificate, and which forwarded track goes to which recvonly mid.
struct SdpAnswerParameters {
    std::string iceUfrag;
    std::string icePwd;
    std::string fingerprintSha256;  // "AB:CD:...", DtlsCertificate::fingerprintSha256()
    std::string candidateAddress;   // IPv4 or IPv6 literal
    std::uint16_t candidatePort = 0;
    // A second host candidate, `tcp ... tcptype passive` on this port (RFC 6544), for clients
    // whose UDP is blocked; its priority is below the UDP one's. nullopt: none.
    std::optional<std::uint16_t> tcpCandidatePort;
    std::uint64_t sessionId = 1;
    std::uint32_t sessionVersion = 1;  // one more for every answer on the same connection
    bool transportCc = false;          // negotiate transport-wide congestion control feedback
    std::vector<std::pair<std::string, SdpForwardedTrack>> forwardedTracks;  // by mid
};

// One section of the answer as the forwarding needs it.
struct SdpNegotiatedSection {
    std::string mid;
    std::string kind;
    bool accepted = false;                            // false: answered with port 0
    SdpDirection direction = SdpDirection::inactive;  // the server's side
    std::vector<SdpCodec> codecs;                     // accepted, rtx included, offer's PTs
    std::vector<SdpExtmap> extmaps;                   // accepted, offer's ids
    std::vector<std::string> receiveRids;             // simulcast layers the client sends
};

struct SdpAnswer {
    std::string sdp;
    std::vector<SdpNegotiatedSection> sections;  // in the offer's order
    SdpFingerprint remoteFingerprint;            // for DtlsTransport
    std::string remoteIceUfrag;                  // for the ICE-lite responder
    std::string remoteIcePwd;
};

// The answer to a client's offer (docs/architecture.md, "Media: DTLS, SRTP, SDP"): ICE-lite,
// one BUNDLE group, `setup:passive`, audio as Opus, video as VP8 and H.264
// (packetization-mode=1) with their rtx, the offer's payload types and extmap ids. Never throws;
// an offer we cannot answer is an SdpError.
std::variant<SdpAnswer, SdpError> buildSdpAnswer(const SdpOffer& offer,
                                                 const SdpAnswerParameters& parameters);

}  // namespace pulsemeet::media
