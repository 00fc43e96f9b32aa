// libFuzzer target: bytes from a socket through the HTTP request path, as HttpSession does it:
// Beast's request parser with the session's header and body limits, then for a complete request
// either the upgrade checks (origin, token, subprotocol) or the router, and the response
// serialised to bytes. Static files come from a small client tree in a temporary directory, so
// path tricks meet real files.
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/message_generator.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <unistd.h>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>

#include "auth/IceServers.hpp"
#include "auth/UpgradeAuth.hpp"
#include "net/AccessGate.hpp"
#include "net/ConnectionLimiter.hpp"
#include "net/HttpRateLimiter.hpp"
#include "net/HttpRouter.hpp"
#include "net/OriginPolicy.hpp"
#include "net/Readiness.hpp"
#include "net/ServerContext.hpp"
#include "net/StaticFiles.hpp"
#include "obs/Logger.hpp"
#include "obs/Metrics.hpp"
#include "signaling/Hub.hpp"
#include "signaling/SignalingMetrics.hpp"
#include "ws/WebSocketContext.hpp"
#include "ws/WebSocketMetrics.hpp"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using namespace pulsemeet;

std::filesystem::path makeClientTree() {
    const auto root = std::filesystem::temp_directory_path() /
                      ("pulsemeet-http-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(root / "assets");
    std::ofstream(root / "index.html") << "<!doctype html><title>PulseMeet</title>";
    std::ofstream(root / "assets" / "index-abc123.js") << "console.log('x')";
    return root;
}

// Everything the router reads, built once per fuzzing process like Application builds it.
struct Fixture {
    config::Config config = [] {
        config::Config c;
        c.signalingToken = "secret-token";
        c.allowedOrigins = {"https://meet.example"};
        return c;
    }();
    obs::Logger logger{config::LogLevel::off, config::LogFormat::json};
    obs::Registry registry;
    signaling::SignalingMetrics signalingMetrics{registry};
    ws::WebSocketMetrics webSocketMetrics{registry};
    auth::IceServers iceServers{[this] {
        auth::IceServerSettings settings;
        settings.stunUrls = config.stunUrls;
        settings.turnEnabled = true;
        settings.turnUrls = {"turn:turn.example:3478"};
        settings.turnSecret = "turn-secret";  // REST credentials in /ice-servers responses
        return settings;
    }()};
    signaling::Hub hub{signaling::HubOptions{}, signalingMetrics, logger};
    net::HttpRateLimiter rateLimiter{0};
    net::ConnectionLimiter connectionLimiter{0};
    net::OriginPolicy originPolicy{config.allowedOrigins};
    std::filesystem::path root = makeClientTree();
    net::StaticFiles staticFiles{root};
    net::Readiness readiness;
    ws::WebSocketContext webSocket{ws::WebSocketSettings{}, hub, signalingMetrics, webSocketMetrics,
                                   logger};
    // Both ways a deployment guards /ws: a static token, and HS256 room tokens (the router's
    // /ice-servers uses the room-token gate, so hostile JWTs reach the verifier from both paths).
    net::AccessGate staticTokenGate{config.signalingToken, {}};
    net::AccessGate roomTokenGate{{}, "jwt-secret"};
    net::HttpRateLimiter turnCredentialLimiter{0};
    net::ServerContext context{
        config,      logger,     registry,  rateLimiter, turnCredentialLimiter, originPolicy,
        staticFiles, iceServers, readiness, webSocket,   roomTokenGate,         connectionLimiter};

    ~Fixture() {
        std::error_code ignored;
        std::filesystem::remove_all(root, ignored);
    }
};

void serialise(http::message_generator response) {
    beast::error_code ec;
    while (!response.is_done()) {
        const auto buffers = response.prepare(ec);
        if (ec) return;
        response.consume(beast::buffer_bytes(buffers));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Fixture fixture;  // libFuzzer's process lifetime; read-only after construction
    http::request_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(16 * 1024);
    parser.eager(true);
    beast::error_code ec;
    std::size_t offset = 0;
    while (offset < size && !parser.is_done()) {
        const std::size_t used = parser.put(boost::asio::buffer(data + offset, size - offset), ec);
        if (ec == http::error::need_more) break;
        if (ec) return 0;
        if (used == 0) break;
        offset += used;
    }
    if (!parser.is_done()) {
        parser.put_eof(ec);
        if (ec || !parser.is_done()) return 0;
    }
    const net::Request& request = parser.get();
    if (beast::websocket::is_upgrade(request)) {
        fixture.originPolicy.allows(request[http::field::origin], request[http::field::host]);
        const auth::UpgradeCredentials credentials{request[http::field::authorization],
                                                   request.target(),
                                                   request[http::field::sec_websocket_protocol]};
        for (const net::AccessGate* gate : {&fixture.staticTokenGate, &fixture.roomTokenGate}) {
            const auto decision = gate->check(credentials);
            auth::chosenSubprotocol(request[http::field::sec_websocket_protocol], decision.token);
        }
        return 0;
    }
    serialise(net::route(request, fixture.context, "203.0.113.7").message);
    return 0;
}
