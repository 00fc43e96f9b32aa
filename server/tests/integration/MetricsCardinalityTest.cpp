// /metrics must not grow with what clients send: every label value a client can influence maps
// onto a fixed set (issue 14: 3000 made-up HTTP methods grew /metrics to 12 MB). Each test
// floods the real server over real sockets with made-up values for one label and checks that
// no series appears and the exposition stays the same size, give or take its digits.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/object.hpp>

#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ChildProcess.hpp"
#include "ServerProcess.hpp"
#include "WsClient.hpp"

using namespace pulsemeet::testing;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr int kFlood = 300;
constexpr std::size_t kAllowedGrowthBytes = 1024;  // digits of counters and sums moving

// No per-IP or per-socket limit: the flood must reach the metrics, not a 429 or a 1008.
const Env kUnlimited{{"MAX_HTTP_PER_MINUTE", "0"}, {"MAX_WS_MESSAGES_PER_SEC", "0"}};

std::string exposition(std::uint16_t port) {
    return httpGet(port, "/metrics").body;
}

// Series identities (name{labels}) of an exposition, optionally only those of one family.
std::set<std::string> seriesOf(const std::string& text, const std::string& family = "") {
    std::set<std::string> series;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty() || line.front() == '#') continue;
        std::string identity = line.substr(0, line.rfind(' '));
        if (!family.empty() && !identity.starts_with(family + "{")) continue;
        series.insert(std::move(identity));
    }
    return series;
}

double sampleValue(const std::string& text, const std::string& series) {
    const auto at = text.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + series.size() + 2));
}

// One request with a method and target of our choosing over its own connection; the status.
int rawRequest(std::uint16_t port, const std::string& method, const std::string& target) {
    boost::asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    http::request<http::string_body> request;
    request.method_string(method);
    request.target(target);
    request.version(11);
    request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    request.keep_alive(false);
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> response;
    response.skip(method == "HEAD");  // a HEAD answer announces a body it does not carry
    http::read(stream, buffer, response);
    return static_cast<int>(response.get().result_int());
}

// Runs `send(0)` once so the series it creates exist, scrapes, runs `send(1..kFlood)`, scrapes
// again; returns (before, after).
std::pair<std::string, std::string> floodAfterWarmUp(std::uint16_t port,
                                                     const std::function<void(int)>& send) {
    send(0);
    exposition(port);  // the /metrics request's own series
    std::string before = exposition(port);
    for (int i = 1; i <= kFlood; ++i) send(i);
    return {std::move(before), exposition(port)};
}

void expectNoGrowth(const std::string& before, const std::string& after) {
    const auto seriesBefore = seriesOf(before);
    std::vector<std::string> added;
    for (const auto& series : seriesOf(after)) {
        if (!seriesBefore.contains(series)) added.push_back(series);
    }
    EXPECT_TRUE(added.empty()) << added.size()
                               << " new series after the flood, the first: " << added.front();
    EXPECT_LT(after.size(), before.size() + kAllowedGrowthBytes)
        << "/metrics grew from " << before.size() << " to " << after.size() << " bytes";
}

double sumOfSeries(const std::string& text, const std::string& family,
                   const std::string& labelMatch) {
    double sum = 0;
    for (const auto& series : seriesOf(text, family)) {
        if (series.find(labelMatch) != std::string::npos) sum += sampleValue(text, series);
    }
    return sum;
}

}  // namespace

TEST(MetricsCardinality, MadeUpHttpMethodsAreCountedAsOtherWithoutNewSeries) {
    ServerProcess server(kUnlimited);
    const auto [before, after] = floodAfterWarmUp(server.port(), [&](int i) {
        // Tokens Beast accepts as a method: a made-up word, a known one in the wrong case
        // (methods are case-sensitive), a WebDAV one we do not serve.
        const std::string method = i % 3 == 0   ? "BREW" + std::to_string(i)
                                   : i % 3 == 1 ? "get" + std::to_string(i)
                                                : "PROPFIND";
        EXPECT_GT(rawRequest(server.port(), method, "/"), 0);
    });
    expectNoGrowth(before, after);
    const std::string family = "pulsemeet_http_requests_total";
    EXPECT_EQ(sumOfSeries(after, family, "method=\"other\"") -
                  sumOfSeries(before, family, "method=\"other\""),
              kFlood);
}

TEST(MetricsCardinality, KnownHttpMethodsKeepTheirOwnLabel) {
    ServerProcess server(kUnlimited);
    for (const char* method :
         {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"}) {
        rawRequest(server.port(), method, "/healthz");
    }
    const auto text = exposition(server.port());
    for (const char* method :
         {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE"}) {
        EXPECT_EQ(sumOfSeries(text, "pulsemeet_http_requests_total",
                              std::string("method=\"") + method + "\""),
                  1)
            << method;
    }
}

TEST(MetricsCardinality, MadeUpPathsShareTheRouteLabelsOfTheirKind) {
    ServerProcess server(kUnlimited);
    const auto [before, after] = floodAfterWarmUp(server.port(), [&](int i) {
        const auto n = std::to_string(i);
        // Pages, assets, near misses of the known endpoints, queries, encodings, traversal.
        for (const std::string& target :
             {"/made-up-" + n, "/r/room-" + n, "/assets/app-" + n + ".js", "/metrics/" + n,
              "/healthz" + n, "/ws/" + n, "/readyz?x=" + n, "/%2e%2e/" + n, "//etc/" + n}) {
            EXPECT_GT(rawRequest(server.port(), "GET", target), 0) << target;
        }
    });
    expectNoGrowth(before, after);
}

TEST(MetricsCardinality, MadeUpMessageTypesAreUnknownTypeWithoutNewSeries) {
    ServerProcess server(kUnlimited);
    WsClient client(server.port());
    const auto [before, after] = floodAfterWarmUp(server.port(), [&](int i) {
        // Made-up types, and server-only ones a client may not send.
        const std::string type = i % 2 == 0   ? "made-up-" + std::to_string(i)
                                 : i % 4 == 1 ? "room-joined"
                                              : "pong";
        client.send(boost::json::object{{"type", type}});
        EXPECT_EQ(client.nextOfType("error").at("code").as_string(), "unknown-type");
    });
    expectNoGrowth(before, after);
    EXPECT_EQ(sampleValue(after, "pulsemeet_signaling_errors_total{code=\"unknown-type\"}") -
                  sampleValue(before, "pulsemeet_signaling_errors_total{code=\"unknown-type\"}"),
              kFlood);
}

// Error codes, close reasons and message types are fixed sets, all registered at start-up;
// hostile traffic that triggers each kind of error and close adds none.
TEST(MetricsCardinality, ErrorCodesCloseReasonsAndTypesAreFixedSetsFromTheStart) {
    ServerProcess server(Env{{"MAX_MESSAGE_BYTES", "1024"}, {"MAX_WS_MESSAGES_PER_SEC", "5"}});
    const auto atStart = exposition(server.port());
    EXPECT_EQ(seriesOf(atStart, "pulsemeet_signaling_errors_total").size(),
              15u);  // ErrorCode: the 13 of the protocol, peer-unreachable, media-unavailable
    EXPECT_EQ(seriesOf(atStart, "pulsemeet_websocket_closes_total").size(), 8u);
    // MessageType: 14 client -> server (chat both ways, preview, sfu-view, sfu-probe,
    // mesh-unreachable), 13 server -> client (room-preview, active-speaker, sfu-forwarding,
    // sfu-probe-answer).
    EXPECT_EQ(seriesOf(atStart, "pulsemeet_messages_received_total").size(), 28u);
    EXPECT_EQ(seriesOf(atStart, "pulsemeet_messages_sent_total").size(), 28u);

    {
        WsClient client(server.port());
        client.send("{not json");
        client.send(boost::json::object{{"type", "join"}, {"roomId", "a b"}});
        client.send(boost::json::object{{"type", "offer"}, {"targetId", "nobody"}});
        client.sendBinary("\x01\x02");
        for (int i = 0; i < 4; ++i) client.nextOfType("error");
    }
    {
        WsClient client(server.port());
        client.send(std::string(4096, 'x'));
        EXPECT_EQ(client.waitClosed(), 1009);
    }
    {
        WsClient client(server.port());
        client.send(std::string("{\"type\":\"ping\",\"x\":\"\xC3\x28\"}"));
        EXPECT_EQ(client.waitClosed(), 1007);
    }
    {
        WsClient client(server.port());
        for (int i = 0; i < 40; ++i) client.send(boost::json::object{{"type", "ping"}});
        EXPECT_EQ(client.waitClosed(), 1008);
    }
    // Closes are counted when the server's side of the socket ends, a moment after the client
    // saw the close frame.
    ASSERT_TRUE(eventually(
        [&] {
            const auto text = exposition(server.port());
            for (const char* reason : {"too_large", "invalid_utf8", "rate_limited"}) {
                const auto series =
                    std::string("pulsemeet_websocket_closes_total{reason=\"") + reason + "\"}";
                if (sampleValue(text, series) < 1) return false;
            }
            return true;
        },
        std::chrono::seconds(5)));
    const auto after = exposition(server.port());
    for (const char* family :
         {"pulsemeet_signaling_errors_total", "pulsemeet_websocket_closes_total",
          "pulsemeet_messages_received_total", "pulsemeet_messages_sent_total"}) {
        EXPECT_EQ(seriesOf(after, family), seriesOf(atStart, family)) << family;
    }
    EXPECT_EQ(sampleValue(after, "pulsemeet_signaling_errors_total{code=\"bad-json\"}"), 1);
}
