#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pulsemeet::auth {

// What a valid room token lets its holder do.
struct RoomGrant {
    std::string room;            // the one room it may join; "*" for any
    std::string name;            // display name the holder must use; empty: the client chooses
    std::int64_t expiresAt = 0;  // Unix seconds
};

// Why a room token was refused. Each has a machine-readable code the client can act on.
enum class TokenRefusal {
    missing,         // no token presented
    malformed,       // not three base64url parts of JSON
    wrongAlgorithm,  // anything but HS256, including "none"
    badSignature,    // not signed with our secret (or altered since)
    expired,         // exp (plus leeway) has passed
    notYetValid,     // nbf (minus leeway) is still ahead
    badClaims,       // exp missing, room missing or not a string, name not a short string
};

// "token-missing", "token-invalid" (malformed, algorithm, signature, claims), "token-expired",
// "token-not-yet-valid": what the client is told. The finer reason goes to the log only, so a
// forger learns nothing about which check failed.
std::string_view refusalCode(TokenRefusal refusal);
// A short English reason for logs.
std::string_view refusalReason(TokenRefusal refusal);

}  // namespace pulsemeet::auth
