#pragma once

#include <jwt.h>

#include <cstdlib>
#include <memory>

namespace pulsemeet::auth {

// Owners for what libjwt hands out, so no path forgets jwt_free() or free().
struct JwtDeleter {
    void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

struct MallocDeleter {
    void operator()(char* text) const { std::free(text); }
};
using MallocString = std::unique_ptr<char, MallocDeleter>;

}  // namespace pulsemeet::auth
