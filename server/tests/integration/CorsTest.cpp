// Cross-origin reads of GET /ice-servers (issue 16): a client served from another origin that
// ALLOWED_ORIGINS lists (the original Next.js client, say) can read the TURN settings and the
// reason for a refusal; every other origin gets no CORS header, so its page cannot read them.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <chrono>
#include <map>
#include <string>

#include "HttpExchange.hpp"
#include "ServerProcess.hpp"

using namespace pulsemeet::testing;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr const char* kListed = "http://client.example:3000";

// One request with a method and headers of our choosing, on its own connection.
HttpResult request(std::uint16_t port, http::verb method, const std::string& target,
                   const std::map<std::string, std::string>& headers) {
    boost::asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    return exchange(stream, port, method, target, headers);
}

HttpResult preflight(std::uint16_t port, const std::string& origin,
                     const std::string& target = "/ice-servers") {
    return request(port, http::verb::options, target,
                   {{"Origin", origin},
                    {"Access-Control-Request-Method", "GET"},
                    {"Access-Control-Request-Headers", "authorization"}});
}

}  // namespace

TEST(Cors, AListedOriginReadsIceServersAfterItsPreflight) {
    ServerProcess server(Env{{"ALLOWED_ORIGINS", kListed}});
    auto pre = preflight(server.port(), kListed);
    EXPECT_EQ(pre.status, 204);
    EXPECT_EQ(pre.headers["access-control-allow-origin"], kListed);
    EXPECT_EQ(pre.headers["vary"], "Origin");
    EXPECT_NE(pre.headers["access-control-allow-headers"].find("Authorization"), std::string::npos);
    EXPECT_NE(pre.headers["access-control-allow-methods"].find("GET"), std::string::npos);

    auto get = httpGet(server.port(), "/ice-servers", {{"Origin", kListed}});
    EXPECT_EQ(get.status, 200);
    EXPECT_EQ(get.headers["access-control-allow-origin"], kListed);
    EXPECT_EQ(get.headers["vary"], "Origin");
    EXPECT_NE(get.body.find("iceServers"), std::string::npos);
}

// Attack: a page from an origin nobody listed tries to read TURN credentials.
TEST(Cors, AnOriginNotListedGetsNoCorsHeaders) {
    ServerProcess server(Env{{"ALLOWED_ORIGINS", kListed}});
    for (const std::string origin :
         {"http://evil.example", "http://client.example:3001", "https://client.example:3000",
          "null", "http://client.example:3000.evil.example"}) {
        const auto pre = preflight(server.port(), origin);
        EXPECT_EQ(pre.status, 403) << origin;
        EXPECT_EQ(pre.headers.count("access-control-allow-origin"), 0u) << origin;
        EXPECT_EQ(pre.headers.count("access-control-allow-headers"), 0u) << origin;
        const auto get = httpGet(server.port(), "/ice-servers", {{"Origin", origin}});
        EXPECT_EQ(get.headers.count("access-control-allow-origin"), 0u) << origin;
    }
}

// With no list, the same-host rule admits upgrades from the server's own pages, but that is no
// reason to let any other origin read across: no CORS at all.
TEST(Cors, WithoutAListNoOriginIsAnsweredAcross) {
    ServerProcess server;
    const std::string own = "http://127.0.0.1:" + std::to_string(server.port());
    for (const std::string& origin : {own, std::string(kListed)}) {
        EXPECT_EQ(preflight(server.port(), origin).status, 403) << origin;
        const auto get = httpGet(server.port(), "/ice-servers", {{"Origin", origin}});
        EXPECT_EQ(get.status, 200);
        EXPECT_EQ(get.headers.count("access-control-allow-origin"), 0u) << origin;
    }
}

// A client from a listed origin can also read why it was refused (the code tells it what to do).
TEST(Cors, ARefusalIsReadableByAListedOrigin) {
    ServerProcess server(Env{{"ALLOWED_ORIGINS", kListed},
                             {"JWT_SECRET", "a-secret-of-at-least-32-bytes-0123456789"}});
    auto refused = httpGet(server.port(), "/ice-servers", {{"Origin", kListed}});
    EXPECT_EQ(refused.status, 401);
    EXPECT_EQ(refused.headers["access-control-allow-origin"], kListed);
    EXPECT_NE(refused.body.find("\"code\""), std::string::npos);
}

// Only /ice-servers answers preflights; every other OPTIONS stays 405.
TEST(Cors, OtherPathsDoNotAnswerPreflights) {
    ServerProcess server(Env{{"ALLOWED_ORIGINS", kListed}});
    for (const char* target : {"/", "/metrics", "/ws", "/healthz", "/r/room"}) {
        const auto pre = preflight(server.port(), kListed, target);
        EXPECT_EQ(pre.status, 405) << target;
        EXPECT_EQ(pre.headers.count("access-control-allow-origin"), 0u) << target;
    }
}
