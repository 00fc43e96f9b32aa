#include "auth/IceServers.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "auth/TurnCredentials.hpp"
#include "obs/JsonText.hpp"

namespace pulsemeet::auth {
namespace {

void appendUrls(std::string& out, const std::vector<std::string>& urls) {
    out += "{\"urls\":[";
    for (std::size_t i = 0; i < urls.size(); ++i) {
        if (i > 0) out += ',';
        obs::appendJsonString(out, urls[i]);
    }
    out += ']';
}

// 64 random bits as hex: tells anonymous callers' credentials apart in coturn's logs.
std::string randomTag() {
    std::array<unsigned char, 8> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw std::runtime_error("RAND_bytes failed");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string tag;
    for (const unsigned char byte : bytes) {
        tag += kHex[byte >> 4];
        tag += kHex[byte & 0x0F];
    }
    return tag;
}

}  // namespace

std::string IceServers::json(std::string_view who, Clock::time_point now,
                             std::int64_t notAfter) const {
    std::string out = "[";
    if (!settings_.stunUrls.empty()) {
        appendUrls(out, settings_.stunUrls);
        out += '}';
    }
    if (settings_.turnEnabled && !settings_.turnUrls.empty()) {
        if (out.size() > 1) out += ',';
        appendUrls(out, settings_.turnUrls);
        TurnCredential credential{settings_.turnUsername, settings_.turnPassword};
        if (!settings_.turnSecret.empty()) {
            const std::string tag = who.empty() ? randomTag() : std::string(who);
            auto expiry = now + settings_.turnTtl;
            if (notAfter > 0) {
                expiry = std::min(expiry, Clock::time_point(std::chrono::seconds(notAfter)));
            }
            credential = turnRestCredential(settings_.turnSecret, tag, expiry);
        }
        out += ",\"username\":";
        obs::appendJsonString(out, credential.username);
        out += ",\"credential\":";
        obs::appendJsonString(out, credential.credential);
        out += '}';
    }
    out += ']';
    return out;
}

}  // namespace pulsemeet::auth
