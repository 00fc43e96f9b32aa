#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace pulsemeet::auth {

// A TURN username/password pair in the "TURN REST API" scheme that coturn checks with
// `use-auth-secret`: the username carries its own expiry, and the password is an HMAC of it, so
// coturn can verify a credential without ever having been told about it.
struct TurnCredential {
    std::string username;    // "<unix-expiry>:<who>"
    std::string credential;  // base64(HMAC-SHA1(secret, username))
};

// base64(HMAC-SHA1(secret, username)): the password coturn expects for `username`.
std::string turnRestPassword(std::string_view secret, std::string_view username);

// Credentials for `who` (a peer id or a random tag), valid until `expiry`.
TurnCredential turnRestCredential(std::string_view secret, std::string_view who,
                                  std::chrono::system_clock::time_point expiry);

}  // namespace pulsemeet::auth
