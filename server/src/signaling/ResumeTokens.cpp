#include "signaling/ResumeTokens.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <charconv>
#include <stdexcept>

#include "auth/UpgradeAuth.hpp"

namespace pulsemeet::signaling {
namespace {

std::string hex(const unsigned char* bytes, std::size_t size) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(size * 2, '0');
    for (std::size_t i = 0; i < size; ++i) {
        out[2 * i] = kHex[bytes[i] >> 4];
        out[2 * i + 1] = kHex[bytes[i] & 0x0F];
    }
    return out;
}

}  // namespace

ResumeTokens::ResumeTokens(std::string secret, std::chrono::seconds lifetime)
    : secret_(std::move(secret)), lifetime_(lifetime) {
    if (secret_.empty()) {
        std::array<unsigned char, 32> random{};
        if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
            throw std::runtime_error("RAND_bytes failed");
        }
        secret_.assign(reinterpret_cast<const char*>(random.data()), random.size());
    }
}

std::string ResumeTokens::sign(std::string_view payload) const {
    std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
         reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac.data(),
         &length);
    return hex(mac.data(), length);
}

std::string ResumeTokens::issue(std::string_view roomId, std::string_view peerId,
                                Clock::time_point now) const {
    const auto expiry =
        std::chrono::duration_cast<std::chrono::seconds>((now + lifetime_).time_since_epoch())
            .count();
    std::string payload;
    payload.append(roomId).append(".").append(peerId).append(".").append(std::to_string(expiry));
    return payload + "." + sign(payload);
}

std::optional<ResumeClaim> ResumeTokens::verify(std::string_view token,
                                                Clock::time_point now) const {
    // roomId.peerId.expiry.mac: room ids and peer ids never contain dots.
    const auto macDot = token.rfind('.');
    if (macDot == std::string_view::npos) return std::nullopt;
    const std::string_view payload = token.substr(0, macDot);
    if (!auth::secretsEqual(token.substr(macDot + 1), sign(payload))) return std::nullopt;
    const auto firstDot = payload.find('.');
    const auto secondDot = payload.find('.', firstDot + 1);
    if (firstDot == std::string_view::npos || secondDot == std::string_view::npos) {
        return std::nullopt;
    }
    long long expiry = 0;
    const auto expiryText = payload.substr(secondDot + 1);
    const auto [ptr, ec] =
        std::from_chars(expiryText.data(), expiryText.data() + expiryText.size(), expiry);
    if (ec != std::errc{} || ptr != expiryText.data() + expiryText.size()) return std::nullopt;
    const auto nowSeconds =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    if (nowSeconds > expiry) return std::nullopt;
    return ResumeClaim{std::string(payload.substr(0, firstDot)),
                       std::string(payload.substr(firstDot + 1, secondDot - firstDot - 1))};
}

}  // namespace pulsemeet::signaling
