#include "net/Cors.hpp"

#include "net/OriginPolicy.hpp"

namespace pulsemeet::net {

namespace http = boost::beast::http;

void addCorsHeaders(http::fields& headers, const OriginPolicy& policy, std::string_view origin) {
    // The answer differs by Origin, so caches must keep one per origin, listed or not.
    headers.set(http::field::vary, "Origin");
    if (!policy.allowsCrossOrigin(origin)) return;
    headers.set(http::field::access_control_allow_origin, origin);
}

void addCorsPreflightHeaders(http::fields& headers) {
    headers.set(http::field::access_control_allow_methods, "GET, HEAD");
    // The room token travels as `Authorization: Bearer`, which is not a simple header.
    headers.set(http::field::access_control_allow_headers, "Authorization");
    headers.set(http::field::access_control_max_age, "600");
}

}  // namespace pulsemeet::net
