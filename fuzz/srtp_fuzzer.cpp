// libFuzzer target: the SRTP/SRTCP unprotect path (SrtpAesGcm behind SrtpSession), which parses
// network bytes before and after authenticating them. The input is a sequence of chunks (a length
// byte, then that many bytes); its first byte picks the key size. Each chunk goes, on fresh-keyed
// sessions kept across the input's chunks (so the ROC estimation and replay windows see a
// stream):
//   - as it is, to the inbound session, as SRTP and as SRTCP (what anyone can send);
//   - as a plain packet protected by the matching outbound session, then unprotected again (so
//     the code after authentication runs on attacker-shaped headers), and once more with one
//     byte flipped.
// Invariants beyond "no crash, no sanitizer report": what is protected unprotects to the same
// bytes unless it is a replay; a flipped byte is never accepted; a result is never longer than
// its input.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <span>
#include <vector>

#include "media/SrtpSession.hpp"

namespace {

using namespace pulsemeet::media;

void require(bool condition) {
    if (!condition) std::abort();  // a broken invariant: a finding
}

std::vector<std::uint8_t> keyFor(SrtpProfile profile) {
    const auto [key, salt] = srtpKeyLengths(profile);
    std::vector<std::uint8_t> bytes(key + salt);
    std::iota(bytes.begin(), bytes.end(), std::uint8_t{7});
    return bytes;
}

SrtpSession session(SrtpProfile profile, SrtpSession::Direction direction) {
    auto made = SrtpSession::create(profile, keyFor(profile), direction);
    require(made.has_value());
    return std::move(*made);
}

void asReceived(SrtpSession& inbound, std::span<const std::uint8_t> chunk, bool rtcp) {
    std::vector<std::uint8_t> packet(chunk.begin(), chunk.end());
    const auto result = rtcp ? inbound.unprotectRtcp(packet) : inbound.unprotectRtp(packet);
    require(result.status != SrtpStatus::ok || result.length <= chunk.size());
}

void roundTrip(SrtpSession& outbound, SrtpSession& inbound, std::span<const std::uint8_t> chunk,
               bool rtcp, std::uint8_t flipAt) {
    std::vector<std::uint8_t> buffer(chunk.size() + SrtpSession::kMaxProtectOverhead);
    std::copy(chunk.begin(), chunk.end(), buffer.begin());
    const auto sealed = rtcp ? outbound.protectRtcp(buffer, chunk.size())
                             : outbound.protectRtp(buffer, chunk.size());
    if (sealed.status != SrtpStatus::ok) return;
    buffer.resize(sealed.length);
    auto tampered = buffer;
    tampered[flipAt % tampered.size()] ^= 0x20;
    const auto forged = rtcp ? inbound.unprotectRtcp(tampered) : inbound.unprotectRtp(tampered);
    require(forged.status != SrtpStatus::ok);
    const auto opened = rtcp ? inbound.unprotectRtcp(buffer) : inbound.unprotectRtp(buffer);
    if (opened.status == SrtpStatus::replayed) return;  // the input repeated a sequence number
    require(opened.status == SrtpStatus::ok);
    require(opened.length == chunk.size());
    require(std::equal(chunk.begin(), chunk.end(), buffer.begin()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::span<const std::uint8_t> input(data, size);
    const auto profile = input[0] & 1 ? SrtpProfile::aeadAes256Gcm : SrtpProfile::aeadAes128Gcm;
    auto received = session(profile, SrtpSession::Direction::inbound);
    auto outbound = session(profile, SrtpSession::Direction::outbound);
    auto inbound = session(profile, SrtpSession::Direction::inbound);
    std::size_t at = 1;
    while (at < input.size()) {
        const std::size_t length = std::min<std::size_t>(input[at], input.size() - at - 1);
        const auto chunk = input.subspan(at + 1, length);
        at += 1 + length;
        const bool rtcp = length > 1 && chunk[1] >= 192 && chunk[1] <= 223;  // RFC 5761 demux
        asReceived(received, chunk, rtcp);
        asReceived(received, chunk, !rtcp);
        roundTrip(outbound, inbound, chunk, rtcp, length > 0 ? chunk[length - 1] : 0);
    }
    return 0;
}
