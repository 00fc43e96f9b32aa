#include "auth/RoomTokenMinter.hpp"

#include <stdexcept>

#include "auth/LibJwt.hpp"

namespace pulsemeet::auth {

std::string mintRoomToken(std::string_view secret, const RoomTokenRequest& request,
                          std::chrono::system_clock::time_point now) {
    jwt_t* raw = nullptr;
    if (jwt_new(&raw) != 0) throw std::runtime_error("jwt_new failed");
    const JwtPtr jwt(raw);
    const auto issuedAt =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    const std::string key(secret);
    bool ok =
        jwt_add_grant(jwt.get(), "room", request.room.c_str()) == 0 &&
        jwt_add_grant_int(jwt.get(), "iat", static_cast<long>(issuedAt)) == 0 &&
        jwt_add_grant_int(jwt.get(), "exp", static_cast<long>(issuedAt + request.ttl.count())) ==
            0 &&
        jwt_set_alg(jwt.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(key.data()),
                    static_cast<int>(key.size())) == 0;
    if (ok && !request.name.empty())
        ok = jwt_add_grant(jwt.get(), "name", request.name.c_str()) == 0;
    if (!ok) throw std::runtime_error("could not build the token");
    const MallocString encoded(jwt_encode_str(jwt.get()));
    if (!encoded) throw std::runtime_error("jwt_encode_str failed");
    return std::string(encoded.get());
}

}  // namespace pulsemeet::auth
