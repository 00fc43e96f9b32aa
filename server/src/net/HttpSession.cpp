#include "net/HttpSession.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "auth/UpgradeAuth.hpp"
#include "net/AddressKey.hpp"
#include "net/HttpRouter.hpp"
#include "net/MetricsAccess.hpp"
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

// 401 with the machine-readable reason: a browser cannot read it from a failed WebSocket, but
// a client asking /ice-servers with the same token gets the same answer (docs/protocol.md).
RoutedResponse tokenRefusal(const ServerContext& context, std::string_view code) {
    Request stub;
    stub.version(11);
    stub.keep_alive(false);
    return simpleResponse(
        stub, context, http::status::unauthorized, kJson,
        std::string(R"({"error":"missing or invalid token","code":")") + std::string(code) + "\"}");
}

// RFC 9112 6.1: chunked is the only transfer coding we decode, and it must be the only one.
// Anything else (`chunked, identity`, `xchunked`, `identity`, a second header line) Beast reads
// as "no body", leaving the bytes after the header to be parsed as a second request: a proxy
// that framed it differently would smuggle that request past its own checks.
bool exactlyChunked(const Request& request) {
    const auto fields = request.equal_range(http::field::transfer_encoding);
    if (std::distance(fields.first, fields.second) != 1) return false;
    std::string_view value = fields.first->value();
    const auto first = value.find_first_not_of(" \t");
    const auto last = value.find_last_not_of(" \t");
    if (first == std::string_view::npos) return false;
    return beast::iequals(value.substr(first, last - first + 1), "chunked");
}

}  // namespace

template <typename Stream>
HttpSession<Stream>::HttpSession(Stream&& stream, const ServerContext& context, Endpoints endpoints)
    : stream_(std::move(stream)), context_(context), endpoints_(endpoints) {
    beast::error_code ec;
    const auto endpoint = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) peer_ = endpoint.address();
    remoteAddress_ = ec ? std::string("unknown") : peer_.to_string();
    slot_ = context_.connectionLimiter.acquire(remoteAddress_);
}

template <typename Stream>
void HttpSession<Stream>::run() {
    boost::asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
        if constexpr (kIsTls<Stream>) {
            // A client that opens a socket and says nothing is cut off like a slow request.
            beast::get_lowest_layer(self->stream_)
                .expires_after(self->context_.config.httpHeaderTimeout);
            self->stream_.async_handshake(boost::asio::ssl::stream_base::server,
                                          [self](beast::error_code ec) { self->onHandshake(ec); });
        } else {
            self->readRequest();
        }
    });
}

template <typename Stream>
void HttpSession<Stream>::onHandshake(beast::error_code ec) {
    if (ec) {
        // Scanners and plain-HTTP clients on a TLS port: not worth more than a debug line.
        context_.logger.debug("tls handshake failed",
                              {{"remote", remoteAddress_}, {"error", ec.message()}});
        beast::get_lowest_layer(stream_).close();
        return;
    }
    readRequest();
}

template <typename Stream>
void HttpSession<Stream>::readRequest() {
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(kBodyLimit);
    // The whole request (and the idle gap before it) must arrive within the deadline, so a
    // client dribbling headers (slowloris) cannot hold the socket.
    // Over the per-IP cap: only long enough to read the request it is refusing.
    beast::get_lowest_layer(stream_).expires_after(
        slot_.held() ? context_.config.httpHeaderTimeout
                     : std::min<std::chrono::steady_clock::duration>(
                           context_.config.httpHeaderTimeout, kRefusalTimeout));
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t bytes) {
                         self->onRead(ec, bytes);
                     });
}

template <typename Stream>
void HttpSession<Stream>::onRead(beast::error_code ec, std::size_t) {
    started_ = Clock::now();
    // stream_truncated: a TLS client that closed without close_notify, as browsers do.
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == boost::asio::error::connection_reset || ec == boost::asio::error::eof ||
        ec == boost::asio::ssl::error::stream_truncated) {
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

    if (auto refused = framingRefusal()) {
        context_.logger.warn("request framing refused", {{"remote", remoteAddress_}});
        respondWith(std::move(*refused));
        return;
    }
    const Request& request = parser_->get();
    const std::string_view path = requestPath(request.target());
    auto refusedEndpoint = endpointRefusal(path);
    if (!slot_.held()) {
        context_.logger.warn("connection over the per-IP cap refused",
                             {{"remote", remoteAddress_}, {"cap", context_.config.maxConnsPerIp}});
        respondWith(
            refusal(http::status::too_many_requests, "too many connections from this address"));
        return;
    }
    // A refused /metrics counts against the limit: only real scrapes are exempt.
    if (refusedEndpoint || !exemptFromRateLimit(path)) {
        if (const int retryAfter = context_.rateLimiter.allow(remoteAddress_); retryAfter > 0) {
            http::response<http::string_body> response{http::status::too_many_requests,
                                                       request.version()};
            addSecurityHeaders(response, servesTls(context_));
            response.set(http::field::retry_after, std::to_string(retryAfter));
            response.set(http::field::content_type, kJson);
            response.keep_alive(false);
            response.body() = R"({"error":"too many requests"})";
            response.prepare_payload();
            respond(429, std::move(response));
            return;
        }
    }
    if (refusedEndpoint) {
        respondWith(std::move(*refusedEndpoint));
        return;
    }
    if (websocket::is_upgrade(request)) {
        upgrade();
        return;
    }
    respondWith(route(request, context_, remoteAddress_));
}

template <typename Stream>
RoutedResponse HttpSession<Stream>::refusal(http::status status, std::string_view message) const {
    // A request that failed a check: answered, then the connection is closed.
    Request stub;
    stub.version(11);
    stub.keep_alive(false);
    return simpleResponse(stub, context_, status, kJson,
                          std::string(R"({"error":")") + std::string(message) + "\"}");
}

template <typename Stream>
std::optional<RoutedResponse> HttpSession<Stream>::framingRefusal() const {
    const Request& request = parser_->get();
    if (request.count(http::field::transfer_encoding) > 0) {
        // HTTP/1.0 has no transfer codings: a 1.0 message with one is framed wrongly (RFC 9112
        // 6.1), whatever it says.
        if (request.version() < 11) {
            return refusal(http::status::bad_request, "Transfer-Encoding in an HTTP/1.0 request");
        }
        if (!exactlyChunked(request)) {
            return refusal(http::status::not_implemented,
                           "Transfer-Encoding other than chunked is not supported");
        }
    }
    // HTTP/1.1 requires exactly one Host (RFC 9112 3.2); HTTP/1.0 clients may send none.
    const auto hosts = request.count(http::field::host);
    if (hosts > 1 || (hosts == 0 && request.version() >= 11)) {
        return refusal(http::status::bad_request, "an HTTP/1.1 request needs one Host header");
    }
    return std::nullopt;
}

template <typename Stream>
std::optional<RoutedResponse> HttpSession<Stream>::endpointRefusal(std::string_view path) const {
    const auto& config = context_.config;
    if (endpoints_ == Endpoints::metricsOnly && path != "/metrics" && path != "/healthz") {
        return refusal(http::status::not_found, "this port serves /metrics and /healthz only");
    }
    if (path != "/metrics") return std::nullopt;
    // With METRICS_LISTEN the main port has no /metrics at all, whoever asks.
    if (endpoints_ == Endpoints::all && config.metricsListen) {
        return refusal(http::status::not_found, "not found");
    }
    const Request& request = parser_->get();
    const bool proxied = request.count(http::field::forwarded) > 0 ||
                         request.count("X-Forwarded-For") > 0 || request.count("X-Real-IP") > 0;
    const auto verdict =
        metricsVerdict({peer_, request[http::field::authorization], proxied}, config.metricsToken);
    if (verdict == MetricsVerdict::allowed) return std::nullopt;
    context_.logger.warn("metrics refused", {{"remote", remoteAddress_},
                                             {"reason", verdict == MetricsVerdict::unauthorized
                                                            ? "missing or wrong METRICS_TOKEN"
                                                            : "not a private-network client"}});
    if (verdict == MetricsVerdict::forbidden) {
        return refusal(http::status::forbidden,
                       "metrics are served to private-network clients only");
    }
    http::response<http::string_body> response{http::status::unauthorized, 11};
    addSecurityHeaders(response, servesTls(context_));
    response.set(http::field::www_authenticate, R"(Bearer realm="pulsemeet metrics")");
    response.set(http::field::content_type, kJson);
    response.set(http::field::cache_control, "no-store");
    response.keep_alive(false);
    response.body() = R"({"error":"metrics need the METRICS_TOKEN bearer token"})";
    response.prepare_payload();
    return RoutedResponse{401, std::move(response)};
}

template <typename Stream>
void HttpSession<Stream>::upgrade() {
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
    auto decision = context_.accessGate.check(credentials);
    if (!decision.admission) {
        context_.logger.warn("websocket token refused", {{"remote", remoteAddress_},
                                                         {"code", decision.refusal.code},
                                                         {"reason", decision.refusal.reason}});
        respondWith(tokenRefusal(context_, decision.refusal.code));
        return;
    }
    decision.admission->clientAddress = addressKey(remoteAddress_);
    std::string subprotocol =
        auth::chosenSubprotocol(request[http::field::sec_websocket_protocol], decision.token);
    record(101);
    auto upgraded = [this] {
        if constexpr (kIsTls<Stream>) {
            return std::move(stream_);
        } else {
            return stream_.release_socket();
        }
    };
    auto session = std::make_shared<ws::WebSocketSession<UpgradedStream<Stream>>>(
        upgraded(), context_.webSocket, remoteAddress_, std::move(*decision.admission),
        std::move(subprotocol), std::make_shared<ConnectionSlot>(std::move(slot_)));
    session->run(parser_->release());
}

template <typename Stream>
void HttpSession<Stream>::respondWith(RoutedResponse routed) {
    respond(routed.status, std::move(routed.message));
}

template <typename Stream>
void HttpSession<Stream>::respond(unsigned status, http::message_generator response) {
    const bool keepAlive = response.keep_alive();
    record(status);
    beast::async_write(
        stream_, std::move(response),
        [self = this->shared_from_this(), keepAlive](beast::error_code ec, std::size_t bytes) {
            self->onWrite(keepAlive, ec, bytes);
        });
}

template <typename Stream>
void HttpSession<Stream>::onWrite(bool keepAlive, beast::error_code ec, std::size_t) {
    if (ec || !keepAlive) {
        shutdown();
        return;
    }
    readRequest();
}

template <typename Stream>
void HttpSession<Stream>::record(unsigned status) const {
    if (!parser_ || !parser_->is_header_done()) return;
    const auto& request = parser_->get();
    const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    // Labels from fixed sets only (a client picks the method and path freely); the status is
    // one this file or the router chose.
    const std::string method(methodLabel(request.method()));
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

template <typename Stream>
void HttpSession<Stream>::shutdown() {
    auto& lowest = beast::get_lowest_layer(stream_);
    if constexpr (kIsTls<Stream>) {
        // close_notify, then close; a peer that never answers gets a second at most.
        lowest.expires_after(std::chrono::seconds(1));
        stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
            beast::get_lowest_layer(self->stream_).close();
        });
    } else {
        beast::error_code ec;
        lowest.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
        lowest.close();
    }
}

template class HttpSession<PlainStream>;
template class HttpSession<TlsStream>;

}  // namespace pulsemeet::net
