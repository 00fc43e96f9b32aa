// Which pages may open /ws, against the real binary (issue 14: with ALLOWED_ORIGINS set, an
// Origin naming the request's own Host was accepted too, so a DNS-rebinding page upgraded).
#include <gtest/gtest.h>

#include "ServerProcess.hpp"
#include "WsClient.hpp"

using namespace pulsemeet::testing;

namespace {

// The status of an upgrade with these Origin and Host headers (0: upgraded).
int upgradeStatus(std::uint16_t port, const std::string& origin, const std::string& host) {
    WsClient::Options options;
    options.headers = {{"Origin", origin}, {"Host", host}};
    return WsClient::refusedStatus(port, options);
}

}  // namespace

TEST(UpgradeOrigin, DnsRebindingUpgradeIsRefusedWhenAListIsSet) {
    ServerProcess server(Env{{"ALLOWED_ORIGINS", "https://meet.example"}});
    // evil.example was re-pointed at this server: the victim's browser names it in both.
    EXPECT_EQ(upgradeStatus(server.port(), "http://evil.example", "evil.example"), 403);
    EXPECT_EQ(upgradeStatus(server.port(), "https://evil.example", "evil.example"), 403);
    const std::string own = "127.0.0.1:" + std::to_string(server.port());
    EXPECT_EQ(upgradeStatus(server.port(), "http://" + own, own), 403)
        << "the list is the whole answer: the server's own address is not added to it";
    EXPECT_TRUE(server.waitForLine("websocket origin refused"));
}

TEST(UpgradeOrigin, ListedOriginIsComparedInSchemeHostAndPort) {
    ServerProcess server(Env{{"ALLOWED_ORIGINS", "https://meet.example,http://localhost:5173"}});
    const std::string host = "127.0.0.1:" + std::to_string(server.port());
    EXPECT_EQ(upgradeStatus(server.port(), "https://meet.example", host), 0);
    EXPECT_EQ(upgradeStatus(server.port(), "https://meet.example:443", host), 0);
    EXPECT_EQ(upgradeStatus(server.port(), "http://localhost:5173", host), 0);
    EXPECT_EQ(upgradeStatus(server.port(), "http://meet.example", "meet.example"), 403)
        << "wrong scheme";
    EXPECT_EQ(upgradeStatus(server.port(), "wss://meet.example", host), 403) << "wrong scheme";
    EXPECT_EQ(upgradeStatus(server.port(), "https://meet.example:8443", "meet.example:8443"), 403)
        << "wrong port";
    EXPECT_EQ(upgradeStatus(server.port(), "http://localhost:5174", host), 403) << "wrong port";
    EXPECT_EQ(upgradeStatus(server.port(), "null", host), 403);
}

TEST(UpgradeOrigin, PublicUrlIsAllowed) {
    ServerProcess server(Env{{"PUBLIC_URL", "https://meet.example.com"}});
    const std::string host = "127.0.0.1:" + std::to_string(server.port());
    EXPECT_EQ(upgradeStatus(server.port(), "https://meet.example.com", host), 0);
    EXPECT_EQ(upgradeStatus(server.port(), "http://meet.example.com", "meet.example.com"), 403);
    EXPECT_EQ(upgradeStatus(server.port(), "http://evil.example", "evil.example"), 403);
}

TEST(UpgradeOrigin, PublicUrlIsAddedToAllowedOrigins) {
    ServerProcess server(
        Env{{"ALLOWED_ORIGINS", "https://a.example"}, {"PUBLIC_URL", "https://meet.example.com/"}});
    const std::string host = "127.0.0.1:" + std::to_string(server.port());
    EXPECT_EQ(upgradeStatus(server.port(), "https://a.example", host), 0);
    EXPECT_EQ(upgradeStatus(server.port(), "https://meet.example.com", host), 0);
    EXPECT_EQ(upgradeStatus(server.port(), "https://b.example", host), 403);
}

TEST(UpgradeOrigin, EmptyListKeepsTheSameHostRule) {
    ServerProcess server;
    const std::string host = "127.0.0.1:" + std::to_string(server.port());
    EXPECT_EQ(upgradeStatus(server.port(), "http://" + host, host), 0);
    EXPECT_EQ(upgradeStatus(server.port(), "https://meet.example", "meet.example"), 0);
    EXPECT_EQ(upgradeStatus(server.port(), "https://evil.example", host), 403);
    EXPECT_EQ(upgradeStatus(server.port(), "http://127.0.0.1:1", host), 403) << "other port";
    // Tools that are not browsers send no Origin and are not what the check protects.
    EXPECT_EQ(WsClient::refusedStatus(server.port(), {}), 0);
}

TEST(UpgradeOrigin, StarAllowsAny) {
    ServerProcess server(Env{{"ALLOWED_ORIGINS", "*"}});
    EXPECT_EQ(upgradeStatus(server.port(), "https://anything.example", "anything.example"), 0);
}

TEST(UpgradeOrigin, ABadListStopsStartUp) {
    const auto result = runToCompletion({{"ALLOWED_ORIGINS", "meet.example"}}, {});
    EXPECT_EQ(result.exitCode, 2);
    EXPECT_EQ(result.output.rfind("pulsemeet: ALLOWED_ORIGINS=meet.example (environment)", 0), 0u)
        << result.output;
}
