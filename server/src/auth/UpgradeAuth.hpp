#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace pulsemeet::auth {

// Where a client may put its credential on the WebSocket upgrade (browsers cannot set
// Authorization on `new WebSocket`, so the query and subprotocol forms exist for them).
struct UpgradeCredentials {
    std::string_view authorization;  // the Authorization header
    std::string_view target;         // request target, for ?token=
    std::string_view subprotocols;   // Sec-WebSocket-Protocol
};

// The token the client presented, if any.
std::optional<std::string> presentedToken(const UpgradeCredentials& credentials);

// The subprotocol to echo back: browsers fail the handshake unless the server picks one of
// those offered. Prefers "pulsemeet"; empty when none was offered.
std::string chosenSubprotocol(std::string_view subprotocols, std::string_view token);

// Compares in constant time, so response timing does not leak how much of a secret matched.
bool secretsEqual(std::string_view a, std::string_view b);

// Value of `key` in a request target's query string, percent-decoded.
std::optional<std::string> queryParameter(std::string_view target, std::string_view key);

}  // namespace pulsemeet::auth
