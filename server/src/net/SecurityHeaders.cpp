#include "net/SecurityHeaders.hpp"

namespace pulsemeet::net {

void addSecurityHeaders(boost::beast::http::fields& headers, bool overTls) {
    namespace http = boost::beast::http;
    headers.set(http::field::server, "pulsemeet");
    headers.set("Content-Security-Policy",
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data: blob:; media-src 'self' blob: mediastream:; "
                "connect-src 'self'; font-src 'self' data:; object-src 'none'; "
                "base-uri 'self'; frame-ancestors 'none'; form-action 'self'");
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("Referrer-Policy", "no-referrer");
    headers.set("X-Frame-Options", "DENY");
    headers.set("Permissions-Policy", "camera=(self), microphone=(self), display-capture=(self)");
    if (overTls) headers.set(http::field::strict_transport_security, "max-age=31536000");
}

}  // namespace pulsemeet::net
