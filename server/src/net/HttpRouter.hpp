#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/message_generator.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string_view>

#include "net/ServerContext.hpp"

namespace pulsemeet::net {

using Request = boost::beast::http::request<boost::beast::http::string_body>;

// A response ready to write, with its status kept for the access log and metrics.
struct RoutedResponse {
    unsigned status;
    boost::beast::http::message_generator message;
};

// Answers every plain HTTP request (everything but the /ws upgrade) from the client at
// `remoteAddress` (the TCP peer address).
RoutedResponse route(const Request& request, const ServerContext& context,
                     std::string_view remoteAddress);

// A bounded label for metrics: the known endpoints, "asset" or "page".
std::string_view routeLabel(std::string_view path);

// A bounded label for metrics: the standard methods (RFC 9110, and PATCH), else "other". A
// client may send any token as its method; labelled as sent, each would be a new series.
std::string_view methodLabel(boost::beast::http::verb method);

// A small text/JSON response with the security headers, for the router and the upgrade checks.
RoutedResponse simpleResponse(const Request& request, const ServerContext& context,
                              boost::beast::http::status status, std::string_view contentType,
                              std::string body);

// True when the server speaks TLS itself (TLS_CERT_FILE/TLS_KEY_FILE): HSTS goes on responses.
bool servesTls(const ServerContext& context);

// The request target's path without query or fragment.
std::string_view requestPath(std::string_view target);

}  // namespace pulsemeet::net
