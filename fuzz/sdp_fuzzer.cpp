// libFuzzer target: a client's SDP offer through the parser and, when it parses, through the
// answer builder, as the media server would handle an offer from the signaling channel.
// Invariants checked beyond "no crash, no sanitizer report": the answer stays within a bound
// linear in the offer (a small offer cannot make the server write a huge answer: each offered
// codec yields at most a few lines, each section a fixed set), and our own parser reads the
// answer back (no line the builder echoes from the offer breaks the answer's syntax).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>
#include <variant>

#include "media/SdpAnswer.hpp"
#include "media/SdpOffer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace pulsemeet::media;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto parsed = parseSdpOffer(text);
    const auto* offer = std::get_if<SdpOffer>(&parsed);
    if (!offer) return 0;

    SdpAnswerParameters parameters;
    parameters.iceUfrag = "fuzz";
    parameters.icePwd = "fuzzfuzzfuzzfuzzfuzzfu";
    parameters.fingerprintSha256 = "AB";
    for (int i = 1; i < 32; ++i) parameters.fingerprintSha256 += ":AB";
    parameters.candidateAddress = "127.0.0.1";
    parameters.candidatePort = 10000;
    parameters.transportCc = size % 2 == 0;
    std::uint32_t ssrc = 1;
    for (const auto& section : offer->media) {
        if (section.direction == SdpDirection::recvonly) {
            parameters.forwardedTracks.push_back(
                {section.mid, {"stream", "track", ssrc, ssrc + 1, "cname"}});
            ssrc += 2;
        }
    }
    const auto built = buildSdpAnswer(*offer, parameters);
    const auto* answer = std::get_if<SdpAnswer>(&built);
    if (!answer) return 0;

    // Per section at most ~1 KiB of fixed lines (ICE, fingerprint, candidate, ssrc); per
    // offered byte at most a few answer bytes.
    const std::size_t bound = 8 * size + offer->media.size() * 2048 + 512;
    if (answer->sdp.size() > bound) std::abort();

    SdpLimits unlimited;
    unlimited.maxBytes = std::numeric_limits<std::size_t>::max();
    unlimited.maxLines = std::numeric_limits<std::size_t>::max();
    if (!std::holds_alternative<SdpOffer>(parseSdpOffer(answer->sdp, unlimited))) std::abort();
    return 0;
}
