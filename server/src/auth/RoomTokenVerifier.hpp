#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <variant>

#include "auth/RoomGrant.hpp"

namespace pulsemeet::auth {

// Checks HS256 room tokens (JWT) signed with JWT_SECRET: signature with libjwt, then the
// claims: exp required, nbf optional (both with leeway for clock skew), room required, name
// optional.
class RoomTokenVerifier {
  public:
    using Clock = std::chrono::system_clock;
    static constexpr std::chrono::seconds kLeeway{30};

    explicit RoomTokenVerifier(std::string secret) : secret_(std::move(secret)) {}

    std::variant<RoomGrant, TokenRefusal> verify(std::string_view token,
                                                 Clock::time_point now = Clock::now()) const;

  private:
    std::string secret_;
};

}  // namespace pulsemeet::auth
