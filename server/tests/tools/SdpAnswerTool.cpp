// Reads a client's SDP offer on stdin and writes the media server's answer on stdout, with a
// fresh DTLS certificate and every recvonly section given a forwarded track (with RTX where the
// section has it). For the browser check (tests/fixtures/sdp/chrome-sdp.mjs), which hands
// Chromium's offers to this tool and the answers back to Chromium.
#include <iostream>
#include <iterator>
#include <string>
#include <variant>

#include "media/DtlsCertificate.hpp"
#include "media/SdpAnswer.hpp"
#include "media/SdpOffer.hpp"

int main() {
    using namespace pulsemeet::media;
    const std::string text((std::istreambuf_iterator<char>(std::cin)),
                           std::istreambuf_iterator<char>());
    auto parsed = parseSdpOffer(text);
    if (const auto* error = std::get_if<SdpError>(&parsed)) {
        std::cerr << toString(error->code) << ": " << error->message << "\n";
        return 1;
    }
    const auto& offer = std::get<SdpOffer>(parsed);
    SdpAnswerParameters parameters;
    parameters.iceUfrag = "pmsfu";
    parameters.icePwd = "pulsemeetmediaserver0123";
    parameters.fingerprintSha256 = DtlsCertificate::generate().fingerprintSha256();
    parameters.candidateAddress = "127.0.0.1";
    parameters.candidatePort = 10000;
    std::uint32_t ssrc = 100000;
    for (const auto& section : offer.media) {
        if (section.direction != SdpDirection::recvonly) continue;
        const auto stream = "remote-" + section.mid;
        parameters.forwardedTracks.push_back(
            {section.mid, {stream, stream + "-" + section.kind, ssrc, ssrc + 1, "pulsemeet"}});
        ssrc += 2;
    }
    auto answer = buildSdpAnswer(offer, parameters);
    if (const auto* error = std::get_if<SdpError>(&answer)) {
        std::cerr << toString(error->code) << ": " << error->message << "\n";
        return 1;
    }
    std::cout << std::get<SdpAnswer>(answer).sdp;
    return 0;
}
