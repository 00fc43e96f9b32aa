#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "auth/RoomTokenVerifier.hpp"
#include "auth/UpgradeAuth.hpp"
#include "signaling/Hub.hpp"

namespace pulsemeet::net {

// Who may open /ws (and fetch /ice-servers, which hands out TURN credentials): nobody is
// asked for anything, or the static SIGNALING_TOKEN, or an HS256 room token (JWT_SECRET).
class AccessGate {
  public:
    struct Refusal {
        std::string code;    // machine-readable: token-missing, token-invalid, token-expired, ...
        std::string reason;  // for the log: which check failed
    };
    struct Decision {
        std::optional<signaling::Admission> admission;  // set when allowed
        Refusal refusal;                                // set when not
        std::string token;  // the credential presented (to skip it when echoing a subprotocol)
    };

    AccessGate(std::string signalingToken, std::string jwtSecret);

    Decision check(const auth::UpgradeCredentials& credentials,
                   auth::RoomTokenVerifier::Clock::time_point now =
                       auth::RoomTokenVerifier::Clock::now()) const;

  private:
    std::string signalingToken_;
    std::optional<auth::RoomTokenVerifier> roomTokens_;
};

}  // namespace pulsemeet::net
