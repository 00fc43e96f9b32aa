#include "net/HttpSession.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "auth/UpgradeAuth.hpp"
#include "net/HttpRouter.hpp"
#include "net/SecurityHeaders.hpp"
#include "ws/WebSocketSession.hpp"

namespace pulsemeet::net {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

namespace {

constexpr std::uint32_t kHeaderLimit = 16 * 1024;
constexpr std::uint64_t kBodyLimit = 16 * 1024;
constexpr std::string_view kJson = "application/json";
constexpr auto kRefusalTimeout = std::chrono::seconds(2);

bool exemptFromRateLimit(std::string_view path) {
    return path == "/healthz" || path == "/readyz" || path == "/metrics";
}

// A request that failed a check: answered, then the connection is closed.
RoutedResponse refusal(http::status status, std::string_view message) {
    Request stub;
    stub.version(11);
    stub.keep_alive(false);
    return simpleResponse(stub, status, kJson,
                          std::string(R"({"error":")") + std::string(message) + "\"}");
}

}  // namespace

HttpSession::HttpSession(boost::asio::ip::tcp::socket&& socket, const ServerContext& context)
    : stream_(std::move(socket)), context_(context) {
    beast::error_code ec;
    const auto endpoint = stream_.socket().remote_endpoint(ec);
    remoteAddress_ = ec ? std::string("unknown") : endpoint.address().to_string();
    slot_ = context_.connectionLimiter.acquire(remoteAddress_);
}

void HttpSession::run() {
    boost::asio::dispatch(stream_.get_executor(),
                          [self = shared_from_this()] { self->readRequest(); });
}

void HttpSession::readRequest() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(kBodyLimit);
    // The whole request (and the idle gap before it) must arrive within the deadline, so a
    // client dribbling headers (slowloris) cannot hold the socket.
    // Over the per-IP cap: only long enough to read the request it is refusing.
    stream_.expires_after(slot_.held() ? context_.config.httpHeaderTimeout
                                       : std::min<std::chrono::steady_clock::duration>(
                                             context_.config.httpHeaderTimeout, kRefusalTimeout));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                         self->onRead(ec, bytes);
                     });
}

void HttpSession::onRead(beast::error_code ec, std::size_t) {
    started_ = Clock::now();
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == boost::asio::error::connection_reset || ec == boost::asio::error::eof) {
        shutdown();
        return;
    }
    if (ec == http::error::header_limit) {
        respondWith(
            refusal(http::status::request_header_fields_too_large, "request headers too large"));
        return;
    }
    if (ec == http::error::body_limit) {
        respondWith(refusal(http::status::payload_too_large, "request body too large"));
        return;
    }
    if (ec) {
        respondWith(refusal(http::status::bad_request, "malformed request"));
        return;
    }

    const Request& request = parser_->get();
    const std::string_view path = requestPath(request.target());
    if (!slot_.held()) {
        context_.logger.warn("connection over the per-IP cap refused",
                             {{"remote", remoteAddress_}, {"cap", context_.config.maxConnsPerIp}});
        respondWith(
            refusal(http::status::too_many_requests, "too many connections from this address"));
        return;
    }
    if (!exemptFromRateLimit(path)) {
        if (const int retryAfter = context_.rateLimiter.allow(remoteAddress_); retryAfter > 0) {
            http::response<http::string_body> response{http::status::too_many_requests,
                                                       request.version()};
            addSecurityHeaders(response);
            response.set(http::field::retry_after, std::to_string(retryAfter));
            response.set(http::field::content_type, kJson);
            response.keep_alive(false);
            response.body() = R"({"error":"too many requests"})";
            response.prepare_payload();
            respond(429, std::move(response));
            return;
        }
    }
    if (websocket::is_upgrade(request)) {
        upgrade();
        return;
    }
    respondWith(route(request, context_));
}

void HttpSession::upgrade() {
    const Request& request = parser_->get();
    if (requestPath(request.target()) != "/ws") {
        respondWith(refusal(http::status::not_found, "WebSocket upgrades are served at /ws"));
        return;
    }
    if (context_.readiness.draining()) {
        respondWith(refusal(http::status::service_unavailable, "server is restarting"));
        return;
    }
    if (!context_.originPolicy.allows(request[http::field::origin], request[http::field::host])) {
        context_.logger.warn("websocket origin refused",
                             {{"remote", remoteAddress_},
                              {"origin", std::string_view(request[http::field::origin])}});
        respondWith(refusal(http::status::forbidden, "origin not allowed"));
        return;
    }
    const auth::UpgradeCredentials credentials{request[http::field::authorization],
                                               request.target(),
                                               request[http::field::sec_websocket_protocol]};
    const auto token = auth::presentedToken(credentials);
    const std::string& expected = context_.config.signalingToken;
    if (!expected.empty() && (!token || !auth::secretsEqual(*token, expected))) {
        context_.logger.warn("websocket token refused", {{"remote", remoteAddress_}});
        respondWith(refusal(http::status::unauthorized, "missing or invalid token"));
        return;
    }
    std::string subprotocol = auth::chosenSubprotocol(request[http::field::sec_websocket_protocol],
                                                      token.value_or(std::string()));
    record(101);
    auto session = std::make_shared<ws::WebSocketSession>(std::move(stream_), context_.webSocket,
                                                          remoteAddress_, signaling::Admission{},
                                                          std::move(subprotocol), std::move(slot_));
    session->run(parser_->release());
}

void HttpSession::respondWith(RoutedResponse routed) {
    respond(routed.status, std::move(routed.message));
}

void HttpSession::respond(unsigned status, http::message_generator response) {
    const bool keepAlive = response.keep_alive();
    record(status);
    beast::async_write(
        stream_, std::move(response),
        [self = shared_from_this(), keepAlive](beast::error_code ec, std::size_t bytes) {
            self->onWrite(keepAlive, ec, bytes);
        });
}

void HttpSession::onWrite(bool keepAlive, beast::error_code ec, std::size_t) {
    if (ec || !keepAlive) {
        shutdown();
        return;
    }
    readRequest();
}

void HttpSession::record(unsigned status) const {
    if (!parser_ || !parser_->is_header_done()) return;
    const auto& request = parser_->get();
    const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    const std::string method(request.method_string());
    const std::string route(routeLabel(requestPath(request.target())));
    context_.registry
        .counter("pulsemeet_http_requests_total", "HTTP requests, by method, route and status",
                 {{"method", method}, {"route", route}, {"status", std::to_string(status)}})
        .inc();
    context_.registry
        .histogram("pulsemeet_http_request_duration_seconds",
                   "Time from request read to response queued, by route",
                   {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1}, {{"route", route}})
        .observe(seconds);
    if (!context_.logger.enabled(obs::LogLevel::info)) return;
    context_.logger.info("http request", {{"method", std::string_view(request.method_string())},
                                          {"path", requestPath(request.target())},
                                          {"status", status},
                                          {"remote", remoteAddress_},
                                          {"duration_ms", seconds * 1000.0}});
}

void HttpSession::shutdown() {
    beast::error_code ec;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
    stream_.close();
}

}  // namespace pulsemeet::net
