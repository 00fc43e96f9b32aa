#pragma once

#include <boost/beast/http/fields.hpp>

#include <string_view>

namespace pulsemeet::net {

class OriginPolicy;

// Cross-origin reads of `GET /ice-servers` (CORS), for clients served from another origin that
// ALLOWED_ORIGINS (or PUBLIC_URL) lists, such as the original Next.js client: without them a
// browser hides the answer and such a client never learns the TURN settings. Origins the
// operator did not list get no CORS headers at all, so the browser keeps the answer from them.

// Adds Access-Control-Allow-Origin (echoing `origin`) and Vary: Origin when `origin` is listed.
void addCorsHeaders(boost::beast::http::fields& headers, const OriginPolicy& policy,
                    std::string_view origin);

// The preflight's own headers (methods, the Authorization header, how long to cache it), on top
// of addCorsHeaders; the caller answers 204 when the origin is listed, 403 otherwise.
void addCorsPreflightHeaders(boost::beast::http::fields& headers);

}  // namespace pulsemeet::net
