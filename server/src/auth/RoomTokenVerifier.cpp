#include "auth/RoomTokenVerifier.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <optional>

#include "auth/LibJwt.hpp"

namespace pulsemeet::auth {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxNameChars = 64;

std::string trimSpaces(std::string_view text) {
    const auto first = text.find_first_not_of(' ');
    if (first == std::string_view::npos) return {};
    return std::string(text.substr(first, text.find_last_not_of(' ') - first + 1));
}

// A display name the hub can use as it is: short, printable (UTF-8 already checked by the
// JSON parser).
bool acceptableName(std::string_view name) {
    std::size_t codePoints = 0;
    for (const char c : name) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7F) return false;
        if ((byte & 0xC0) != 0x80) ++codePoints;
    }
    return codePoints <= kMaxNameChars;
}

// A NumericDate claim (JSON number, possibly fractional) as whole seconds; nullopt when absent
// or not a number.
std::optional<std::int64_t> numericDate(const json::object& claims, std::string_view key) {
    const json::value* value = claims.if_contains(key);
    if (value == nullptr || !value->is_number()) return std::nullopt;
    json::error_code ec;
    const auto seconds = value->to_number<double>(ec);
    // Far beyond any real date (and beyond what int64 holds, where the cast is undefined).
    constexpr double kLimit = 1e15;
    if (ec || !(seconds > -kLimit && seconds < kLimit)) return std::nullopt;
    return static_cast<std::int64_t>(seconds);
}

}  // namespace

std::variant<RoomGrant, TokenRefusal> RoomTokenVerifier::verify(std::string_view token,
                                                                Clock::time_point now) const {
    if (token.empty()) return TokenRefusal::missing;
    const std::string text(token);

    // Read the header without a key first so only HS256 ever reaches signature checking:
    // "none" and every other algorithm (including RS256 key-confusion tricks) stop here.
    jwt_t* raw = nullptr;
    if (jwt_decode(&raw, text.c_str(), nullptr, 0) != 0) return TokenRefusal::malformed;
    const JwtPtr unverified(raw);
    // Decoded without a key, libjwt reports every algorithm as "none"; the header still says
    // what the token claims to be.
    const char* algorithm = jwt_get_header(unverified.get(), "alg");
    if (algorithm == nullptr || std::string_view(algorithm) != "HS256") {
        return TokenRefusal::wrongAlgorithm;
    }

    raw = nullptr;
    if (jwt_decode(&raw, text.c_str(), reinterpret_cast<const unsigned char*>(secret_.data()),
                   static_cast<int>(secret_.size())) != 0) {
        return TokenRefusal::badSignature;
    }
    const JwtPtr verified(raw);
    if (jwt_get_alg(verified.get()) != JWT_ALG_HS256) return TokenRefusal::wrongAlgorithm;

    const MallocString claimsText(jwt_get_grants_json(verified.get(), nullptr));
    if (!claimsText) return TokenRefusal::malformed;
    json::error_code ec;
    const json::value parsed = json::parse(claimsText.get(), ec);
    if (ec || !parsed.is_object()) return TokenRefusal::malformed;
    const json::object& claims = parsed.get_object();

    const auto nowSeconds =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    const auto expiry = numericDate(claims, "exp");
    if (!expiry) return TokenRefusal::badClaims;  // a token that never expires is not issued
    if (nowSeconds > *expiry + kLeeway.count()) return TokenRefusal::expired;
    if (claims.contains("nbf")) {
        const auto notBefore = numericDate(claims, "nbf");
        if (!notBefore) return TokenRefusal::badClaims;
        if (nowSeconds + kLeeway.count() < *notBefore) return TokenRefusal::notYetValid;
    }

    RoomGrant grant;
    grant.expiresAt = *expiry;
    const json::value* room = claims.if_contains("room");
    if (room == nullptr || !room->is_string() || room->get_string().empty()) {
        return TokenRefusal::badClaims;
    }
    grant.room = std::string(room->get_string());
    if (const json::value* name = claims.if_contains("name"); name != nullptr) {
        if (!name->is_string()) return TokenRefusal::badClaims;
        grant.name = trimSpaces(name->get_string());
        if (!acceptableName(grant.name)) return TokenRefusal::badClaims;
    }
    return grant;
}

}  // namespace pulsemeet::auth
