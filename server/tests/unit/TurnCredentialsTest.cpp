// TURN REST credentials (coturn use-auth-secret) and the ICE server list built from them.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "auth/IceServers.hpp"
#include "auth/TurnCredentials.hpp"

using namespace pulsemeet::auth;
using namespace std::chrono_literals;

namespace {
const auto kNow = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
}

TEST(TurnCredentials, PasswordIsBase64OfHmacSha1) {
    // RFC 2202 test case 2 (HMAC-SHA1 "Jefe"), base64 of its digest effcdf6a...9a7c79.
    EXPECT_EQ(turnRestPassword("Jefe", "what do ya want for nothing?"),
              "7/zfauXrL6LSdBbV8YTfnCWafHk=");
    // Computed independently with Python's hmac + base64.
    EXPECT_EQ(turnRestPassword("north-wind", "1700000000:alice"), "Oko4dt8u/EbTRjRUJWQDFm/zTCc=");
}

TEST(TurnCredentials, UsernameCarriesExpiryAndWho) {
    const auto credential = turnRestCredential("north-wind", "alice", kNow);
    EXPECT_EQ(credential.username, "1700000000:alice");
    EXPECT_EQ(credential.credential, "Oko4dt8u/EbTRjRUJWQDFm/zTCc=");
}

TEST(IceServers, RestModeGivesEachCallerItsOwnExpiringCredential) {
    IceServerSettings settings;
    settings.stunUrls = {"stun:stun.example:3478"};
    settings.turnEnabled = true;
    settings.turnUrls = {"turn:turn.example:3478"};
    settings.turnSecret = "north-wind";
    settings.turnTtl = 600s;
    const IceServers servers(settings);
    const auto list = boost::json::parse(servers.json("peer1", kNow)).as_array();
    ASSERT_EQ(list.size(), 2u);
    const auto& turn = list[1].as_object();
    EXPECT_EQ(turn.at("username").as_string(), "1700000600:peer1");
    EXPECT_EQ(turn.at("credential").as_string(),
              turnRestPassword("north-wind", "1700000600:peer1"));
    EXPECT_EQ(servers.json().find("north-wind"), std::string::npos) << "the secret never leaves";

    const auto anonymous = boost::json::parse(servers.json({}, kNow)).as_array();
    const std::string username(anonymous[1].at("username").as_string());
    EXPECT_TRUE(username.starts_with("1700000600:"));
    EXPECT_EQ(username.size(), std::string("1700000600:").size() + 16) << "random tag";
    EXPECT_NE(
        username,
        std::string(
            boost::json::parse(servers.json({}, kNow)).as_array()[1].at("username").as_string()));
    EXPECT_EQ(servers.transportPolicy(), "all");
}

TEST(IceServers, StaticModeAndRelayPolicy) {
    IceServerSettings settings;
    settings.turnEnabled = true;
    settings.turnUrls = {"turn:turn.example:3478"};
    settings.turnUsername = "user";
    settings.turnPassword = "pass";
    settings.relayOnly = true;
    const IceServers servers(settings);
    EXPECT_EQ(servers.json("peer1", kNow),
              R"([{"urls":["turn:turn.example:3478"],"username":"user","credential":"pass"}])");
    EXPECT_EQ(servers.transportPolicy(), "relay");
}

// A credential must not outlive the room token that let its holder in: with a token expiring
// before TURN_TTL_SECONDS is up, the TURN username carries the token's expiry.
TEST(IceServers, RestCredentialsNeverOutliveTheRoomToken) {
    IceServerSettings settings;
    settings.turnEnabled = true;
    settings.turnUrls = {"turn:turn.example:3478"};
    settings.turnSecret = "north-wind";
    settings.turnTtl = 3600s;
    const IceServers servers(settings);
    EXPECT_TRUE(servers.issuesCredentials());
    const std::int64_t tokenExpiry = 1700000000 + 120;
    const auto capped = boost::json::parse(servers.json("peer1", kNow, tokenExpiry)).as_array();
    EXPECT_EQ(capped[0].at("username").as_string(), "1700000120:peer1");
    EXPECT_EQ(capped[0].at("credential").as_string(),
              turnRestPassword("north-wind", "1700000120:peer1"));
    // A token that outlives TURN_TTL_SECONDS changes nothing; no token (0) neither.
    const auto later = boost::json::parse(servers.json("peer1", kNow, 1700009999)).as_array();
    EXPECT_EQ(later[0].at("username").as_string(), "1700003600:peer1");
    const auto none = boost::json::parse(servers.json("peer1", kNow, 0)).as_array();
    EXPECT_EQ(none[0].at("username").as_string(), "1700003600:peer1");
}

TEST(IceServers, OnlyRestModeIssuesCredentials) {
    IceServerSettings settings;
    EXPECT_FALSE(IceServers(settings).issuesCredentials());
    settings.turnEnabled = true;
    settings.turnUrls = {"turn:turn.example:3478"};
    settings.turnUsername = "u";
    settings.turnPassword = "p";
    EXPECT_FALSE(IceServers(settings).issuesCredentials()) << "static: the same pair every time";
}
