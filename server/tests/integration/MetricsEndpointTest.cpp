// Who gets /metrics, against the real binary (issue 14: it was public). The address rule itself
// is unit-tested over many addresses (unit/MetricsAccessTest.cpp); here: the token, the separate
// METRICS_LISTEN port, proxied requests, and a client with a public address, made real in a
// network namespace of the test's own.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <sched.h>
#include <cerrno>
#include <cstring>
#include <thread>

#include "ChildProcess.hpp"
#include "HttpExchange.hpp"
#include "ServerProcess.hpp"
#include "WsClient.hpp"

using namespace pulsemeet::testing;

namespace {

const std::string kToken = "scrape-token-0123456789";
const std::map<std::string, std::string> kBearer = {{"Authorization", "Bearer " + kToken}};

HttpResult getFrom(const std::string& address, std::uint16_t port, const std::string& target,
                   const std::map<std::string, std::string>& headers = {}) {
    boost::asio::io_context ioc;
    boost::beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect({boost::asio::ip::make_address(address), port});
    return exchangeGet(stream, port, target, headers);
}

// The port of the METRICS_LISTEN listener, from its start-up line.
std::uint16_t metricsPort(const ServerProcess& server) {
    for (const auto& line : server.lines()) {
        const auto at = line.find("\"port\":");
        if (line.find("\"msg\":\"metrics listening\"") != std::string::npos &&
            at != std::string::npos) {
            return static_cast<std::uint16_t>(std::stoi(line.substr(at + 7)));
        }
    }
    return 0;
}

}  // namespace

TEST(MetricsEndpoint, LoopbackGetsMetricsByDefault) {
    ServerProcess server;
    const auto metrics = httpGet(server.port(), "/metrics");
    EXPECT_EQ(metrics.status, 200);
    EXPECT_NE(metrics.body.find("pulsemeet_rooms"), std::string::npos);
}

TEST(MetricsEndpoint, ProxiedRequestsCountAsPublic) {
    // nginx or Caddy on the same machine connects from 127.0.0.1 for every client it relays.
    ServerProcess server;
    for (const auto& header :
         std::vector<std::pair<std::string, std::string>>{{"X-Forwarded-For", "203.0.113.9"},
                                                          {"X-Forwarded-For", "127.0.0.1"},
                                                          {"Forwarded", "for=10.0.0.1"},
                                                          {"X-Real-IP", "10.0.0.1"}}) {
        const auto result = httpGet(server.port(), "/metrics", {header});
        EXPECT_EQ(result.status, 403) << header.first;
        EXPECT_EQ(result.body.find("pulsemeet_"), std::string::npos);
    }
    EXPECT_TRUE(server.waitForLine("metrics refused"));
}

TEST(MetricsEndpoint, TokenIsAskedOfEveryScraperWhenSet) {
    ServerProcess server(Env{{"METRICS_TOKEN", kToken}});
    const auto missing = httpGet(server.port(), "/metrics");
    EXPECT_EQ(missing.status, 401);
    EXPECT_EQ(missing.headers.at("www-authenticate"), R"(Bearer realm="pulsemeet metrics")");
    EXPECT_EQ(missing.body.find("pulsemeet_"), std::string::npos);
    EXPECT_EQ(
        httpGet(server.port(), "/metrics", {{"Authorization", "Bearer wrong-token-0123456789"}})
            .status,
        401);
    EXPECT_EQ(httpGet(server.port(), "/metrics?token=" + kToken).status, 401)
        << "only the header: a token in a URL ends up in logs";
    const auto scraped = httpGet(server.port(), "/metrics", kBearer);
    EXPECT_EQ(scraped.status, 200);
    EXPECT_NE(scraped.body.find("pulsemeet_rooms"), std::string::npos);
    EXPECT_EQ(httpGet(server.port(), "/healthz").status, 200) << "probes need no token";
}

TEST(MetricsEndpoint, RefusedScrapesCountAgainstTheRateLimit) {
    ServerProcess server(Env{{"METRICS_TOKEN", kToken}, {"MAX_HTTP_PER_MINUTE", "3"}});
    for (int i = 0; i < 3; ++i) EXPECT_EQ(httpGet(server.port(), "/metrics").status, 401);
    EXPECT_EQ(httpGet(server.port(), "/metrics").status, 429) << "guessing the token is limited";
    EXPECT_EQ(httpGet(server.port(), "/metrics", kBearer).status, 200) << "real scrapes are exempt";
}

TEST(MetricsEndpoint, MetricsListenServesMetricsAndHealthzOnlyAndTheMainPortNoMetrics) {
    ServerProcess server(Env{{"METRICS_LISTEN", "127.0.0.1:0"}, {"METRICS_TOKEN", kToken}});
    const std::uint16_t port = metricsPort(server);
    ASSERT_NE(port, 0);
    ASSERT_NE(port, server.port());

    EXPECT_EQ(httpGet(server.port(), "/metrics").status, 404);
    EXPECT_EQ(httpGet(server.port(), "/metrics", kBearer).status, 404)
        << "the main port has no /metrics at all";
    EXPECT_EQ(httpGet(server.port(), "/healthz").status, 200);

    EXPECT_EQ(httpGet(port, "/metrics").status, 401);
    const auto scraped = httpGet(port, "/metrics", kBearer);
    EXPECT_EQ(scraped.status, 200);
    EXPECT_NE(scraped.body.find("pulsemeet_rooms"), std::string::npos);
    EXPECT_EQ(httpGet(port, "/healthz").status, 200);
    for (const char* other : {"/", "/readyz", "/ice-servers", "/r/room", "/ws"}) {
        EXPECT_EQ(httpGet(port, other).status, 404) << other;
    }
    EXPECT_EQ(WsClient::refusedStatus(port, {}), 404) << "no upgrades on the metrics port";
}

TEST(MetricsEndpoint, MetricsListenWithoutATokenKeepsTheAddressRule) {
    ServerProcess server(Env{{"METRICS_LISTEN", "127.0.0.1:0"}});
    const std::uint16_t port = metricsPort(server);
    ASSERT_NE(port, 0);
    EXPECT_EQ(httpGet(port, "/metrics").status, 200);
    EXPECT_EQ(httpGet(port, "/metrics", {{"X-Forwarded-For", "203.0.113.9"}}).status, 403);
    EXPECT_EQ(httpGet(server.port(), "/metrics").status, 404);
}

TEST(MetricsEndpoint, BadSettingsStopStartUpWithOneLine) {
    const auto listen = runToCompletion({{"METRICS_LISTEN", "localhost:9100"}}, {});
    EXPECT_EQ(listen.exitCode, 2);
    EXPECT_EQ(listen.output.rfind("pulsemeet: METRICS_LISTEN=localhost:9100 (environment)", 0), 0u)
        << listen.output;
    ServerProcess occupant;
    const auto taken =
        runToCompletion({{"METRICS_LISTEN", "127.0.0.1:" + std::to_string(occupant.port())}}, {});
    EXPECT_EQ(taken.exitCode, 1);
    EXPECT_NE(taken.output.find("METRICS_LISTEN: cannot listen on 127.0.0.1:" +
                                std::to_string(occupant.port())),
              std::string::npos)
        << taken.output;
    const auto token = runToCompletion({{"METRICS_TOKEN", "short"}}, {});
    EXPECT_EQ(token.exitCode, 2);
    EXPECT_EQ(token.output.rfind("pulsemeet: METRICS_TOKEN=short (environment)", 0), 0u)
        << token.output;
}

// A client with a public address, for real: this test's thread moves into a network namespace
// of its own (root only, as on the CI machines) whose loopback also carries 203.0.113.7
// (TEST-NET-3). Every process it starts, the server included, lives in that namespace; a
// connection from there to 203.0.113.7 reaches the server with that peer address.
TEST(MetricsEndpoint, APublicClientIsRefusedWithoutTheTokenAndServedWithIt) {
    std::thread inNamespace([] {
        ASSERT_EQ(::unshare(CLONE_NEWNET), 0)
            << "a network namespace needs root (CAP_SYS_ADMIN): " << std::strerror(errno);
        ASSERT_EQ(runProgram({"ip", "link", "set", "lo", "up"}).exitCode, 0);
        ASSERT_EQ(runProgram({"ip", "addr", "add", "203.0.113.7/32", "dev", "lo"}).exitCode, 0);
        const std::string publicAddress = "203.0.113.7";
        {
            ServerProcess server(Env{{"HOST", "0.0.0.0"}});
            const auto refused = getFrom(publicAddress, server.port(), "/metrics");
            EXPECT_EQ(refused.status, 403);
            EXPECT_EQ(refused.body.find("pulsemeet_"), std::string::npos);
            EXPECT_TRUE(server.waitForLine(R"("remote":"203.0.113.7")"));
            EXPECT_EQ(getFrom(publicAddress, server.port(), "/metrics", kBearer).status, 403)
                << "no token configured: a bearer header opens nothing";
            EXPECT_EQ(getFrom(publicAddress, server.port(), "/healthz").status, 200);
            EXPECT_EQ(getFrom("127.0.0.1", server.port(), "/metrics").status, 200)
                << "the same server, asked from loopback";
        }
        {
            ServerProcess server(Env{{"HOST", "0.0.0.0"}, {"METRICS_TOKEN", kToken}});
            EXPECT_EQ(getFrom(publicAddress, server.port(), "/metrics").status, 401);
            const auto scraped = getFrom(publicAddress, server.port(), "/metrics", kBearer);
            EXPECT_EQ(scraped.status, 200);
            EXPECT_NE(scraped.body.find("pulsemeet_rooms"), std::string::npos);
        }
    });
    inNamespace.join();
}
