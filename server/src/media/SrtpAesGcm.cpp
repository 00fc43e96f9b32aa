#include "media/SrtpAesGcm.hpp"

#include <openssl/crypto.h>

#include <algorithm>

#include "media/BigEndian.hpp"
#include "media/SrtpKeyDerivation.hpp"

namespace pulsemeet::media {

namespace {

constexpr std::size_t kRtpFixedHeader = 12;
constexpr std::size_t kRtcpHeader = 8;  // V/P/RC, PT, length, sender SSRC
constexpr std::uint32_t kEncryptedFlag = 0x80000000;
constexpr std::uint32_t kMaxSrtcpIndex = 0x7FFFFFFF;

// The RTP header's length (fixed part, CSRCs, extension), or 0 when the packet is shorter.
std::size_t rtpHeaderLength(std::span<const std::uint8_t> packet) {
    if (packet.size() < kRtpFixedHeader) return 0;
    std::size_t length = kRtpFixedHeader + 4 * std::size_t{packet[0] & 0x0FU};
    if (packet[0] & 0x10U) {
        if (packet.size() < length + 4) return 0;
        length += 4 + 4 * std::size_t{readU16(packet, length + 2)};
    }
    return packet.size() < length ? 0 : length;
}

// The session keys live on only in the ciphers' key schedules: their copies are wiped on return.
struct WipedOnExit {
    std::optional<std::vector<std::uint8_t>>& key;
    ~WipedOnExit() {
        if (key) OPENSSL_cleanse(key->data(), key->size());
    }
};

void xorInto(std::span<std::uint8_t> iv, std::span<const std::uint8_t> salt) {
    for (std::size_t i = 0; i < iv.size(); ++i) iv[i] ^= salt[i];
}

// The header goes to the output as it is (it is the authenticated data there); in place it is
// already there.
void copyUnlessInPlace(std::span<const std::uint8_t> header, std::span<std::uint8_t> out) {
    if (header.data() != out.data()) std::copy(header.begin(), header.end(), out.begin());
}

}  // namespace

SrtpAesGcm::SrtpAesGcm(AesGcmCipher rtp, AesGcmCipher rtcp, Iv rtpSalt, Iv rtcpSalt,
                       Direction direction)
    : rtp_(std::move(rtp)),
      rtcp_(std::move(rtcp)),
      rtpSalt_(rtpSalt),
      rtcpSalt_(rtcpSalt),
      direction_(direction) {}

std::optional<SrtpAesGcm> SrtpAesGcm::create(SrtpProfile profile,
                                             std::span<const std::uint8_t> keyAndSalt,
                                             Direction direction) {
    if (profile != SrtpProfile::aeadAes128Gcm && profile != SrtpProfile::aeadAes256Gcm)
        return std::nullopt;
    const auto lengths = srtpKeyLengths(profile);
    if (keyAndSalt.size() != lengths.key + lengths.salt) return std::nullopt;
    const auto masterKey = keyAndSalt.first(lengths.key);
    const auto masterSalt = keyAndSalt.subspan(lengths.key);
    auto rtpKey = deriveSrtpKey(masterKey, masterSalt, SrtpKeyLabel::rtpEncryption, lengths.key);
    const auto rtpSalt = deriveSrtpKey(masterKey, masterSalt, SrtpKeyLabel::rtpSalt, 12);
    auto rtcpKey = deriveSrtpKey(masterKey, masterSalt, SrtpKeyLabel::rtcpEncryption, lengths.key);
    const WipedOnExit wipeRtpKey{rtpKey};
    const WipedOnExit wipeRtcpKey{rtcpKey};
    const auto rtcpSalt = deriveSrtpKey(masterKey, masterSalt, SrtpKeyLabel::rtcpSalt, 12);
    if (!rtpKey || !rtpSalt || !rtcpKey || !rtcpSalt) return std::nullopt;
    const auto cipherDirection = direction == Direction::outbound ? AesGcmCipher::Direction::seal
                                                                  : AesGcmCipher::Direction::open;
    auto rtp = AesGcmCipher::create(*rtpKey, cipherDirection);
    auto rtcp = AesGcmCipher::create(*rtcpKey, cipherDirection);
    if (!rtp || !rtcp) return std::nullopt;
    Iv rtpIv{};
    Iv rtcpIv{};
    std::copy(rtpSalt->begin(), rtpSalt->end(), rtpIv.begin());
    std::copy(rtcpSalt->begin(), rtcpSalt->end(), rtcpIv.begin());
    return SrtpAesGcm(std::move(*rtp), std::move(*rtcp), rtpIv, rtcpIv, direction);
}

SrtpResult SrtpAesGcm::protectRtp(std::span<std::uint8_t> buffer, std::size_t length) {
    if (length > buffer.size()) return {SrtpStatus::bufferTooSmall};
    return protectRtp(std::span<const std::uint8_t>(buffer).first(length), buffer);
}

SrtpResult SrtpAesGcm::protectRtp(std::span<const std::uint8_t> packet,
                                  std::span<std::uint8_t> out) {
    return protectRtp(SplitRtpPacket{packet, {}}, out);
}

SrtpResult SrtpAesGcm::protectRtp(SplitRtpPacket packet, std::span<std::uint8_t> out) {
    if (direction_ != Direction::outbound) return {SrtpStatus::failed};
    const auto length = packet.size();
    if (length < kRtpFixedHeader || out.size() < length + kTagLength)
        return {SrtpStatus::bufferTooSmall};
    const auto front = packet.front;
    const auto header = rtpHeaderLength(front);
    if (header == 0) return {SrtpStatus::failed};  // includes a header not all in the front
    const auto ssrc = readU32(front, 8);
    auto& stream = sentRtpStreams_.findOrAdd(ssrc);
    const auto index = estimateSrtpIndex(stream.highest, readU16(front, 2));
    // A repeat is a retransmission on the original SSRC (libsrtp's allow_repeat_tx); one older
    // than a receiver's replay window is refused, as libsrtp's sender does.
    if (index + SrtpReplayWindow::kSize <= stream.highest) return {SrtpStatus::replayed};
    Iv iv{};
    writeU32(iv, 2, ssrc);
    writeU32(iv, 6, static_cast<std::uint32_t>(index >> 16));
    writeU16(iv, 10, static_cast<std::uint16_t>(index));
    xorInto(iv, rtpSalt_);
    copyUnlessInPlace(front.first(header), out);
    if (!rtp_.seal(iv, out.first(header), {}, {front.subspan(header), packet.rest},
                   out.subspan(header, length - header), out.subspan(length).first<kTagLength>()))
        return {SrtpStatus::failed};
    stream.highest = std::max(stream.highest, index);
    return {SrtpStatus::ok, length + kTagLength};
}

SrtpResult SrtpAesGcm::unprotectRtp(std::span<std::uint8_t> packet) {
    if (direction_ != Direction::inbound) return {SrtpStatus::failed};
    if (packet.size() < kRtpFixedHeader + kTagLength) return {SrtpStatus::bufferTooSmall};
    const auto sealed = packet.first(packet.size() - kTagLength);
    const auto header = rtpHeaderLength(sealed);
    if (header == 0) return {SrtpStatus::failed};
    const auto ssrc = readU32(packet, 8);
    auto* const known = rtpStreams_.find(ssrc);
    const SrtpReplayWindow fresh;
    const auto& window = known ? *known : fresh;
    const auto index = estimateSrtpIndex(window.highest(), readU16(packet, 2));
    if (window.check(index) != SrtpReplayWindow::Verdict::fresh) return {SrtpStatus::replayed};
    Iv iv{};
    writeU32(iv, 2, ssrc);
    writeU32(iv, 6, static_cast<std::uint32_t>(index >> 16));
    writeU16(iv, 10, static_cast<std::uint16_t>(index));
    xorInto(iv, rtpSalt_);
    if (!rtp_.open(iv, sealed.first(header), {}, sealed.subspan(header), packet.last<kTagLength>()))
        return {SrtpStatus::authenticationFailed};
    // Only an authenticated packet makes its SSRC known: forged ones leave no state behind.
    (known ? *known : rtpStreams_.findOrAdd(ssrc)).accept(index);
    return {SrtpStatus::ok, sealed.size()};
}

SrtpResult SrtpAesGcm::protectRtcp(std::span<std::uint8_t> buffer, std::size_t length) {
    if (length > buffer.size()) return {SrtpStatus::bufferTooSmall};
    return protectRtcp(std::span<const std::uint8_t>(buffer).first(length), buffer);
}

SrtpResult SrtpAesGcm::protectRtcp(std::span<const std::uint8_t> packet,
                                   std::span<std::uint8_t> out) {
    if (direction_ != Direction::outbound) return {SrtpStatus::failed};
    const auto length = packet.size();
    if (length < kRtcpHeader || out.size() < length + kTagLength + kSrtcpTrailerLength)
        return {SrtpStatus::bufferTooSmall};
    const auto ssrc = readU32(packet, 4);
    auto& stream = rtcpStreams_.findOrAdd(ssrc);
    if (stream.lastSent == kMaxSrtcpIndex) return {SrtpStatus::failed};  // re-key needed
    const auto index = ++stream.lastSent;
    const auto trailer = out.subspan(length + kTagLength).first<kSrtcpTrailerLength>();
    writeU32(trailer, 0, kEncryptedFlag | index);
    Iv iv{};
    writeU32(iv, 2, ssrc);
    writeU32(iv, 8, index);
    xorInto(iv, rtcpSalt_);
    copyUnlessInPlace(packet.first(kRtcpHeader), out);
    if (!rtcp_.seal(iv, out.first(kRtcpHeader), trailer, {packet.subspan(kRtcpHeader), {}},
                    out.subspan(kRtcpHeader, length - kRtcpHeader),
                    out.subspan(length).first<kTagLength>()))
        return {SrtpStatus::failed};
    return {SrtpStatus::ok, length + kTagLength + kSrtcpTrailerLength};
}

SrtpResult SrtpAesGcm::unprotectRtcp(std::span<std::uint8_t> packet) {
    if (direction_ != Direction::inbound) return {SrtpStatus::failed};
    if (packet.size() < kRtcpHeader + kTagLength + kSrtcpTrailerLength)
        return {SrtpStatus::bufferTooSmall};
    const auto trailer = packet.last<kSrtcpTrailerLength>();
    const auto tag = packet.last(kSrtcpTrailerLength + kTagLength).first<kTagLength>();
    const auto sealed = packet.first(packet.size() - kTagLength - kSrtcpTrailerLength);
    const auto flagAndIndex = readU32(trailer, 0);
    const std::uint32_t index = flagAndIndex & kMaxSrtcpIndex;
    const bool encrypted = (flagAndIndex & kEncryptedFlag) != 0;
    const auto ssrc = readU32(packet, 4);
    auto* const known = rtcpStreams_.find(ssrc);
    const SrtpReplayWindow fresh;
    const auto& window = known ? known->window : fresh;
    if (window.check(index) != SrtpReplayWindow::Verdict::fresh) return {SrtpStatus::replayed};
    Iv iv{};
    writeU32(iv, 2, ssrc);
    writeU32(iv, 8, index);
    xorInto(iv, rtcpSalt_);
    // Unencrypted SRTCP (E = 0, RFC 7714 §9.2): the whole packet is authenticated data.
    const bool opened = encrypted ? rtcp_.open(iv, sealed.first(kRtcpHeader), trailer,
                                               sealed.subspan(kRtcpHeader), tag)
                                  : rtcp_.open(iv, sealed, trailer, {}, tag);
    if (!opened) return {SrtpStatus::authenticationFailed};
    (known ? *known : rtcpStreams_.findOrAdd(ssrc)).window.accept(index);
    return {SrtpStatus::ok, sealed.size()};
}

}  // namespace pulsemeet::media
