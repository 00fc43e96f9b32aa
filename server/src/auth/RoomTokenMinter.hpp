#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace pulsemeet::auth {

// What `pulsemeet token` puts into a room token.
struct RoomTokenRequest {
    std::string room = "*";  // "*": any room
    std::string name;        // empty: no name claim, the client picks its own
    std::chrono::seconds ttl{3600};
};

// An HS256 JWT with claims room, name (when set), iat and exp = now + ttl.
std::string mintRoomToken(std::string_view secret, const RoomTokenRequest& request,
                          std::chrono::system_clock::time_point now);

}  // namespace pulsemeet::auth
