#include "signaling/ResumeTokens.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <stdexcept>
#include <vector>

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

template <std::size_t Size>
std::array<unsigned char, Size> randomBytes() {
    std::array<unsigned char, Size> random{};
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
        throw std::runtime_error("RAND_bytes failed");
    }
    return random;
}

// 64 random bits as 16 hex digits: enough that two issues never collide.
std::string randomHex() {
    const auto bytes = randomBytes<8>();
    return hex(bytes.data(), bytes.size());
}

// Splits on dots. Room ids, peer ids, issuers, nonces and numbers never contain one.
std::vector<std::string_view> fields(std::string_view text) {
    std::vector<std::string_view> out;
    while (true) {
        const auto dot = text.find('.');
        out.push_back(text.substr(0, dot));
        if (dot == std::string_view::npos) return out;
        text.remove_prefix(dot + 1);
    }
}

}  // namespace

std::int64_t unixSeconds(ResumeTokens::Clock::time_point time) {
    return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

ResumeTokens::ResumeTokens(std::string secret, std::chrono::seconds lifetime, std::string issuer)
    : secret_(std::move(secret)),
      lifetime_(lifetime),
      issuer_(issuer.empty() ? randomHex() : std::move(issuer)) {
    if (secret_.empty()) {
        const auto random = randomBytes<32>();
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

IssuedResumeToken ResumeTokens::issue(std::string_view roomId, std::string_view peerId,
                                      std::int64_t notAfter, Clock::time_point now) const {
    IssuedResumeToken issued;
    issued.nonce = randomHex();
    issued.expiresAt = unixSeconds(now + lifetime_);
    if (notAfter > 0) issued.expiresAt = std::min(issued.expiresAt, notAfter);
    std::string payload;
    payload.append(roomId).append(".").append(peerId).append(".").append(issuer_);
    payload.append(".").append(issued.nonce).append(".").append(std::to_string(issued.expiresAt));
    issued.token = payload + "." + sign(payload);
    return issued;
}

std::optional<ResumeClaim> ResumeTokens::verify(std::string_view token,
                                                Clock::time_point now) const {
    // roomId.peerId.issuer.nonce.expiry.mac
    const auto macDot = token.rfind('.');
    if (macDot == std::string_view::npos) return std::nullopt;
    const std::string_view payload = token.substr(0, macDot);
    if (!auth::secretsEqual(token.substr(macDot + 1), sign(payload))) return std::nullopt;
    const auto parts = fields(payload);
    if (parts.size() != 5) return std::nullopt;
    std::int64_t expiry = 0;
    const auto expiryText = parts[4];
    const auto [ptr, ec] =
        std::from_chars(expiryText.data(), expiryText.data() + expiryText.size(), expiry);
    if (ec != std::errc{} || ptr != expiryText.data() + expiryText.size()) return std::nullopt;
    if (unixSeconds(now) >= expiry) return std::nullopt;
    return ResumeClaim{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]),
                       std::string(parts[3]), expiry};
}

}  // namespace pulsemeet::signaling
