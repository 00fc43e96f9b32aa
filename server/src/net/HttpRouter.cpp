#include "net/HttpRouter.hpp"

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/file_body.hpp>

#include "net/AddressKey.hpp"
#include "net/Cors.hpp"
#include "net/OriginPolicy.hpp"
#include "net/SecurityHeaders.hpp"

namespace pulsemeet::net {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr std::string_view kJson = "application/json";

RoutedResponse serveAsset(const Request& request, const ServerContext& context,
                          const StaticAsset& asset) {
    if (asset.file.empty()) {
        return simpleResponse(request, context, http::status::ok, asset.contentType,
                              asset.inlineBody);
    }
    beast::error_code ec;
    http::file_body::value_type body;
    body.open(asset.file.c_str(), beast::file_mode::scan, ec);
    if (ec) {
        return simpleResponse(request, context, http::status::not_found,
                              "text/plain; charset=utf-8", "not found\n");
    }
    const auto size = body.size();
    if (request.method() == http::verb::head) {
        http::response<http::empty_body> response{http::status::ok, request.version()};
        addSecurityHeaders(response, servesTls(context));
        response.set(http::field::content_type, asset.contentType);
        response.set(http::field::cache_control, asset.cacheControl);
        response.content_length(size);
        response.keep_alive(request.keep_alive());
        return {200, std::move(response)};
    }
    http::response<http::file_body> response{std::piecewise_construct,
                                             std::make_tuple(std::move(body)),
                                             std::make_tuple(http::status::ok, request.version())};
    addSecurityHeaders(response, servesTls(context));
    response.set(http::field::content_type, asset.contentType);
    response.set(http::field::cache_control, asset.cacheControl);
    response.content_length(size);
    response.keep_alive(request.keep_alive());
    return {200, std::move(response)};
}

}  // namespace

std::string_view requestPath(std::string_view target) {
    return target.substr(0, target.find_first_of("?#"));
}

bool servesTls(const ServerContext& context) {
    return !context.config.tlsCertFile.empty();
}

namespace {

// A small text/JSON response with the security headers; headers may still be added to it.
http::response<http::string_body> stringResponse(const Request& request,
                                                 const ServerContext& context, http::status status,
                                                 std::string_view contentType, std::string body) {
    http::response<http::string_body> response{status, request.version()};
    addSecurityHeaders(response, servesTls(context));
    response.set(http::field::content_type, contentType);
    response.set(http::field::cache_control, "no-store");
    response.keep_alive(request.keep_alive());
    const auto size = body.size();
    if (request.method() != http::verb::head) response.body() = std::move(body);
    response.prepare_payload();
    if (request.method() == http::verb::head) response.content_length(size);
    return response;
}

// Every /ice-servers answer, the refusals too, is readable by the pages ALLOWED_ORIGINS lists
// (a client from another origin must see why it was refused as well as the servers).
RoutedResponse iceServersAnswer(const Request& request, const ServerContext& context,
                                http::status status, std::string body, int retryAfter = 0) {
    auto response = stringResponse(request, context, status, kJson, std::move(body));
    addCorsHeaders(response, context.originPolicy, request[http::field::origin]);
    if (retryAfter > 0) response.set(http::field::retry_after, std::to_string(retryAfter));
    return {static_cast<unsigned>(status), std::move(response)};
}

// OPTIONS /ice-servers: a listed origin's preflight gets 204 and what it may send; any other
// origin 403 with no CORS headers, which the browser reports as a refusal to the page.
RoutedResponse iceServersPreflight(const Request& request, const ServerContext& context) {
    const auto origin = request[http::field::origin];
    const bool listed = context.originPolicy.allowsCrossOrigin(origin);
    const auto status = listed ? http::status::no_content : http::status::forbidden;
    http::response<http::string_body> response{status, request.version()};
    addSecurityHeaders(response, servesTls(context));
    response.set(http::field::cache_control, "no-store");
    response.keep_alive(request.keep_alive());
    addCorsHeaders(response, context.originPolicy, origin);
    if (listed) addCorsPreflightHeaders(response);
    if (!listed) {
        response.set(http::field::content_type, kJson);
        response.body() = R"({"error":"origin not allowed"})";
    }
    response.prepare_payload();
    return {static_cast<unsigned>(status), std::move(response)};
}

}  // namespace

RoutedResponse simpleResponse(const Request& request, const ServerContext& context,
                              http::status status, std::string_view contentType, std::string body) {
    return {static_cast<unsigned>(status),
            stringResponse(request, context, status, contentType, std::move(body))};
}

std::string_view routeLabel(std::string_view path) {
    for (std::string_view known : {"/healthz", "/readyz", "/metrics", "/ice-servers", "/ws"}) {
        if (path == known) return known;
    }
    return path.starts_with("/assets/") ? "asset" : "page";
}

std::string_view methodLabel(http::verb method) {
    switch (method) {
        case http::verb::get:
        case http::verb::head:
        case http::verb::post:
        case http::verb::put:
        case http::verb::delete_:
        case http::verb::options:
        case http::verb::patch:
        case http::verb::connect:
        case http::verb::trace:
            return http::to_string(method);
        default:
            return "other";
    }
}

RoutedResponse route(const Request& request, const ServerContext& context,
                     std::string_view remoteAddress) {
    const std::string_view path = requestPath(request.target());
    if (request.method() == http::verb::options && path == "/ice-servers") {
        return iceServersPreflight(request, context);
    }
    const bool readOnly =
        request.method() == http::verb::get || request.method() == http::verb::head;
    if (!readOnly) {
        return simpleResponse(request, context, http::status::method_not_allowed, kJson,
                              R"({"error":"method not allowed"})");
    }
    if (path == "/healthz")
        return simpleResponse(request, context, http::status::ok, kJson, R"({"status":"ok"})");
    if (path == "/readyz") {
        if (context.readiness.ready()) {
            return simpleResponse(request, context, http::status::ok, kJson,
                                  R"({"status":"ready"})");
        }
        return simpleResponse(request, context, http::status::service_unavailable, kJson,
                              context.readiness.draining() ? R"({"status":"draining"})"
                                                           : R"({"status":"redis-unavailable"})");
    }
    if (path == "/metrics") {
        return simpleResponse(request, context, http::status::ok,
                              "text/plain; version=0.0.4; charset=utf-8",
                              context.registry.exposition());
    }
    if (path == "/ice-servers") {
        // TURN credentials are worth guarding like the socket itself; this is also where a
        // browser learns why its upgrade was refused (it cannot see the 401 there).
        const auto decision = context.accessGate.check(
            {request[http::field::authorization], request.target(), std::string_view()});
        if (!decision.admission) {
            return iceServersAnswer(
                request, context, http::status::unauthorized,
                R"({"error":"missing or invalid token","code":")" + decision.refusal.code + "\"}");
        }
        // Each answer is a new TURN credential: without JWT_SECRET anyone may ask, so one
        // address gets a few a minute, not a relay account per request.
        if (context.iceServers.issuesCredentials()) {
            if (const int retryAfter =
                    context.turnCredentialLimiter.allow(addressKey(remoteAddress));
                retryAfter > 0) {
                return iceServersAnswer(
                    request, context, http::status::too_many_requests,
                    R"({"error":"too many TURN credentials requested","code":"rate-limited"})",
                    retryAfter);
            }
        }
        return iceServersAnswer(request, context, http::status::ok,
                                "{\"iceServers\":" +
                                    context.iceServers.json({}, auth::IceServers::Clock::now(),
                                                            decision.admission->expiresAt) +
                                    ",\"iceTransportPolicy\":\"" +
                                    std::string(context.iceServers.transportPolicy()) + "\"}");
    }
    if (path == "/ws") {
        return simpleResponse(request, context, http::status::upgrade_required, kJson,
                              R"({"error":"/ws expects a WebSocket upgrade"})");
    }
    if (const auto asset = context.staticFiles.resolve(request.target())) {
        return serveAsset(request, context, *asset);
    }
    return simpleResponse(request, context, http::status::not_found, "text/plain; charset=utf-8",
                          "not found\n");
}

}  // namespace pulsemeet::net
