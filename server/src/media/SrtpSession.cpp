#include "media/SrtpSession.hpp"

#include <srtp2/srtp.h>

#include <algorithm>
#include <climits>
#include <vector>

namespace pulsemeet::media {

namespace {

static_assert(SrtpSession::kMaxProtectOverhead >= SRTP_MAX_TRAILER_LEN + 4);

constexpr unsigned long kReplayWindow = 1024;

// libsrtp keeps process-wide tables (crypto kernel) that srtp_init fills once. A function-local
// static does that exactly once, thread-safely, on the first session made; it is the only static
// here and never changes after its initialisation.
bool libsrtpInitialised() {
    static const bool initialised = srtp_init() == srtp_err_status_ok;
    return initialised;
}

void setCryptoPolicy(SrtpProfile profile, srtp_policy_t& policy) {
    switch (profile) {
        case SrtpProfile::aeadAes128Gcm:
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
            break;
        case SrtpProfile::aeadAes256Gcm:
            srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtp);
            srtp_crypto_policy_set_aes_gcm_256_16_auth(&policy.rtcp);
            break;
        case SrtpProfile::aes128CmHmacSha1_80:
            srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
            srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
            break;
    }
}

SrtpResult fromStatus(srtp_err_status_t status, int length) {
    switch (status) {
        case srtp_err_status_ok:
            return {SrtpStatus::ok, static_cast<std::size_t>(length)};
        case srtp_err_status_auth_fail:
            return {SrtpStatus::authenticationFailed};
        case srtp_err_status_replay_fail:
        case srtp_err_status_replay_old:
            return {SrtpStatus::replayed};
        default:
            return {SrtpStatus::failed};
    }
}

// libsrtp reads a header before anything else; shorter input is refused here.
constexpr std::size_t kMinRtpLength = 12;
constexpr std::size_t kMinRtcpLength = 8;

// libsrtp protects in place: the packet is copied to the output first, unless it is there.
void copyUnlessInPlace(std::span<const std::uint8_t> packet, std::span<std::uint8_t> out) {
    if (packet.data() != out.data()) std::copy(packet.begin(), packet.end(), out.begin());
}

}  // namespace

void SrtpSession::Free::operator()(srtp_ctx_t_* session) const {
    srtp_dealloc(session);
}

SrtpSession::SrtpSession(std::unique_ptr<srtp_ctx_t_, Free> session, SrtpProfile profile,
                         Direction direction)
    : session_(std::move(session)), profile_(profile), direction_(direction) {}

SrtpSession::SrtpSession(SrtpAesGcm gcm, SrtpProfile profile, Direction direction)
    : gcm_(std::move(gcm)), profile_(profile), direction_(direction) {}

SrtpSession::SrtpSession(SrtpSession&&) noexcept = default;
SrtpSession& SrtpSession::operator=(SrtpSession&&) noexcept = default;
SrtpSession::~SrtpSession() = default;

std::optional<SrtpSession> SrtpSession::create(SrtpProfile profile,
                                               std::span<const std::uint8_t> keyAndSalt,
                                               Direction direction) {
    if (profile == SrtpProfile::aeadAes128Gcm || profile == SrtpProfile::aeadAes256Gcm) {
        auto gcm =
            SrtpAesGcm::create(profile, keyAndSalt,
                               direction == Direction::inbound ? SrtpAesGcm::Direction::inbound
                                                               : SrtpAesGcm::Direction::outbound);
        if (!gcm) return std::nullopt;
        return SrtpSession(std::move(*gcm), profile, direction);
    }
    const auto lengths = srtpKeyLengths(profile);
    if (!libsrtpInitialised() || keyAndSalt.size() != lengths.key + lengths.salt) {
        return std::nullopt;
    }
    srtp_policy_t policy{};
    setCryptoPolicy(profile, policy);
    policy.ssrc.type = direction == Direction::inbound ? ssrc_any_inbound : ssrc_any_outbound;
    // libsrtp takes a non-const pointer but copies the key into its own context.
    std::vector<unsigned char> key(keyAndSalt.begin(), keyAndSalt.end());
    policy.key = key.data();
    policy.window_size = kReplayWindow;
    policy.allow_repeat_tx = 1;
    policy.next = nullptr;
    srtp_t session = nullptr;
    const auto status = srtp_create(&session, &policy);
    std::fill(key.begin(), key.end(), 0);
    if (status != srtp_err_status_ok) {
        if (session) srtp_dealloc(session);
        return std::nullopt;
    }
    return SrtpSession(std::unique_ptr<srtp_ctx_t_, Free>(session), profile, direction);
}

SrtpResult SrtpSession::protectRtp(std::span<std::uint8_t> buffer, std::size_t length) {
    if (length > buffer.size()) return {SrtpStatus::bufferTooSmall};
    return protectRtp(std::span<const std::uint8_t>(buffer).first(length), buffer);
}

SrtpResult SrtpSession::protectRtcp(std::span<std::uint8_t> buffer, std::size_t length) {
    if (length > buffer.size()) return {SrtpStatus::bufferTooSmall};
    return protectRtcp(std::span<const std::uint8_t>(buffer).first(length), buffer);
}

SrtpResult SrtpSession::protectRtp(std::span<const std::uint8_t> packet,
                                   std::span<std::uint8_t> out) {
    return protectRtp(SplitRtpPacket{packet, {}}, out);
}

SrtpResult SrtpSession::protectRtp(SplitRtpPacket packet, std::span<std::uint8_t> out) {
    const auto length = packet.size();
    if (length < kMinRtpLength || length > INT_MAX - kMaxProtectOverhead ||
        out.size() < length + kMaxProtectOverhead) {
        return {SrtpStatus::bufferTooSmall};
    }
    if (gcm_) return gcm_->protectRtp(packet, out);
    copyUnlessInPlace(packet.front, out);
    std::copy(packet.rest.begin(), packet.rest.end(),
              out.begin() + static_cast<std::ptrdiff_t>(packet.front.size()));
    int size = static_cast<int>(length);
    const auto status = srtp_protect(session_.get(), out.data(), &size);  // sets size
    return fromStatus(status, size);
}

SrtpResult SrtpSession::protectRtcp(std::span<const std::uint8_t> packet,
                                    std::span<std::uint8_t> out) {
    const auto length = packet.size();
    if (length < kMinRtcpLength || length > INT_MAX - kMaxProtectOverhead ||
        out.size() < length + kMaxProtectOverhead) {
        return {SrtpStatus::bufferTooSmall};
    }
    if (gcm_) return gcm_->protectRtcp(packet, out);
    copyUnlessInPlace(packet, out);
    int size = static_cast<int>(length);
    const auto status = srtp_protect_rtcp(session_.get(), out.data(), &size);  // sets size
    return fromStatus(status, size);
}

SrtpResult SrtpSession::unprotectRtp(std::span<std::uint8_t> packet) {
    if (packet.size() < kMinRtpLength || packet.size() > INT_MAX)
        return {SrtpStatus::bufferTooSmall};
    if (gcm_) return gcm_->unprotectRtp(packet);
    int size = static_cast<int>(packet.size());
    const auto status = srtp_unprotect(session_.get(), packet.data(), &size);  // sets size
    return fromStatus(status, size);
}

SrtpResult SrtpSession::unprotectRtcp(std::span<std::uint8_t> packet) {
    if (packet.size() < kMinRtcpLength || packet.size() > INT_MAX) {
        return {SrtpStatus::bufferTooSmall};
    }
    if (gcm_) return gcm_->unprotectRtcp(packet);
    int size = static_cast<int>(packet.size());
    const auto status = srtp_unprotect_rtcp(session_.get(), packet.data(), &size);  // sets size
    return fromStatus(status, size);
}

}  // namespace pulsemeet::media
