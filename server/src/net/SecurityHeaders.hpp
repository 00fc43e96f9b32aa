#pragma once

#include <boost/beast/http/fields.hpp>

namespace pulsemeet::net {

// Headers every response carries: a CSP that allows only our own scripts and sockets, and the
// camera/microphone/screen permissions for our own origin only.
void addSecurityHeaders(boost::beast::http::fields& headers);

}  // namespace pulsemeet::net
