// Room tokens at the upgrade, room scoping and name override, TURN REST credentials per join,
// and the `pulsemeet token` command, all against the real binary.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "ServerProcess.hpp"
#include "WsClient.hpp"
#include "auth/RoomTokenMinter.hpp"
#include "auth/TurnCredentials.hpp"

using namespace pulsemeet;
using namespace pulsemeet::testing;
using namespace std::chrono_literals;

namespace {

const std::string kSecret = "integration-jwt-secret";

std::string token(const std::string& room, const std::string& name = "",
                  std::chrono::seconds ttl = 3600s,
                  std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) {
    return auth::mintRoomToken(kSecret, {room, name, ttl}, now);
}

WsClient::Options withQueryToken(const std::string& value) {
    WsClient::Options options;
    options.target = "/ws?token=" + value;
    return options;
}

// The three parts of a JWT.
struct JwtParts {
    std::string header, payload, signature;
};
JwtParts split(const std::string& jwt) {
    const auto first = jwt.find('.');
    const auto second = jwt.find('.', first + 1);
    return {jwt.substr(0, first), jwt.substr(first + 1, second - first - 1),
            jwt.substr(second + 1)};
}

}  // namespace

TEST(RoomTokens, TokenForRoomAJoinsAAndIsRefusedB) {
    ServerProcess server(Env{{"JWT_SECRET", kSecret}});
    WsClient ada(server.port(), withQueryToken(token("room-a", "Ada")));
    const auto joined = ada.join("room-a", "Mallory");
    EXPECT_EQ(joined.at("type").as_string(), "room-joined");

    ada.send(boost::json::object{{"type", "join"}, {"roomId", "room-b"}});
    const auto refused = ada.nextOfType("error");
    EXPECT_EQ(refused.at("code").as_string(), "forbidden-room");

    // The name claim wins over the name the client asked for.
    WsClient bob(server.port(), withQueryToken(token("*")));
    const auto bobJoined = bob.join("room-a", "Bob");
    const auto& peers = bobJoined.at("data").at("peers").as_array();
    ASSERT_EQ(peers.size(), 1u);
    EXPECT_EQ(peers[0].at("name").as_string(), "Ada");
    // A "*" token may join any room.
    bob.send(boost::json::object{{"type", "join"}, {"roomId", "room-b"}});
    EXPECT_EQ(bob.nextOfType("room-joined").at("roomId").as_string(), "room-b");
}

TEST(RoomTokens, ExpiredTamperedAndAlgNoneAreRefusedAtTheUpgrade) {
    ServerProcess server(Env{{"JWT_SECRET", kSecret}});
    const auto now = std::chrono::system_clock::now();
    EXPECT_EQ(WsClient::refusedStatus(server.port(), {}), 401) << "no token";

    const std::string expired = token("room-a", "", 3600s, now - 2h);
    EXPECT_EQ(WsClient::refusedStatus(server.port(), withQueryToken(expired)), 401);

    // Widen the claims to any room and keep the original signature.
    const auto valid = split(token("room-a"));
    const auto widened = split(auth::mintRoomToken("someone-elses-secret", {"*", "", 3600s}, now));
    const std::string tampered = valid.header + "." + widened.payload + "." + valid.signature;
    EXPECT_EQ(WsClient::refusedStatus(server.port(), withQueryToken(tampered)), 401);

    // {"alg":"none","typ":"JWT"} over a valid payload, with and without the old signature.
    const std::string noneHeader = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
    EXPECT_EQ(WsClient::refusedStatus(server.port(),
                                      withQueryToken(noneHeader + "." + valid.payload + ".")),
              401);
    EXPECT_EQ(WsClient::refusedStatus(
                  server.port(),
                  withQueryToken(noneHeader + "." + valid.payload + "." + valid.signature)),
              401);

    // The same token is accepted in each of the three places.
    const std::string good = token("room-a");
    EXPECT_EQ(WsClient::refusedStatus(server.port(), withQueryToken(good)), 0);
    WsClient::Options header;
    header.headers = {{"Authorization", "Bearer " + good}};
    EXPECT_EQ(WsClient::refusedStatus(server.port(), header), 0);
    WsClient::Options subprotocol;
    subprotocol.headers = {{"Sec-WebSocket-Protocol", "pulsemeet, bearer." + good}};
    WsClient viaProtocol(server.port(), subprotocol);
    EXPECT_EQ(viaProtocol.acceptedSubprotocol(), "pulsemeet");
}

TEST(RoomTokens, IceServersTellsWhyATokenIsRefused) {
    ServerProcess server(Env{{"JWT_SECRET", kSecret}});
    const auto expired =
        httpGet(server.port(), "/ice-servers?token=" +
                                   token("room-a", "", 60s, std::chrono::system_clock::now() - 1h));
    EXPECT_EQ(expired.status, 401);
    EXPECT_NE(expired.body.find(R"("code":"token-expired")"), std::string::npos) << expired.body;
    const auto missing = httpGet(server.port(), "/ice-servers");
    EXPECT_EQ(missing.status, 401);
    EXPECT_NE(missing.body.find(R"("code":"token-missing")"), std::string::npos);
    const auto forged = httpGet(server.port(), "/ice-servers?token=a.b.c");
    EXPECT_NE(forged.body.find(R"("code":"token-invalid")"), std::string::npos);
    EXPECT_EQ(httpGet(server.port(), "/ice-servers?token=" + token("room-a")).status, 200);
    EXPECT_EQ(
        httpGet(server.port(), "/ice-servers", {{"Authorization", "Bearer " + token("room-a")}})
            .status,
        200);
}

TEST(TurnRest, EachJoinGetsItsOwnExpiringCredentialAndThePolicy) {
    ServerProcess server(Env{{"STUN_URLS", ""},
                             {"TURN_ENABLED", "true"},
                             {"TURN_URLS", "turn:127.0.0.1:3478"},
                             {"TURN_SECRET", "north-wind"},
                             {"TURN_TTL_SECONDS", "600"},
                             {"ICE_TRANSPORT_POLICY", "relay"}});
    WsClient alice(server.port());
    const auto before = std::chrono::system_clock::now();
    const auto joined = alice.join("turn-room");
    const auto& data = joined.at("data").as_object();
    EXPECT_EQ(data.at("iceTransportPolicy").as_string(), "relay");
    const auto& turn = data.at("iceServers").as_array().at(0).as_object();
    const std::string username(turn.at("username").as_string());
    const std::string peerId(joined.at("peerId").as_string());
    ASSERT_TRUE(username.ends_with(":" + peerId)) << username;
    const long expiry = std::stol(username.substr(0, username.find(':')));
    const long expected =
        std::chrono::duration_cast<std::chrono::seconds>((before + 600s).time_since_epoch())
            .count();
    EXPECT_NEAR(expiry, expected, 5);
    EXPECT_EQ(turn.at("credential").as_string(), auth::turnRestPassword("north-wind", username));

    const auto first = httpGet(server.port(), "/ice-servers");
    const auto second = httpGet(server.port(), "/ice-servers");
    EXPECT_EQ(first.status, 200);
    EXPECT_NE(first.body, second.body) << "credentials are per request";
    EXPECT_NE(first.body.find(R"("iceTransportPolicy":"relay")"), std::string::npos);
    EXPECT_EQ(first.body.find("north-wind"), std::string::npos) << "the secret never leaves";
}

TEST(TokenCommand, MintsATokenTheServerAccepts) {
    ServerProcess server(Env{{"JWT_SECRET", kSecret}});
    const auto minted = runToCompletion(
        {{"JWT_SECRET", kSecret}}, {"token", "--room", "cli-room", "--name", "Cli", "--ttl", "1h"});
    ASSERT_EQ(minted.exitCode, 0) << minted.output;
    std::string jwt = minted.output;
    while (!jwt.empty() && (jwt.back() == '\n' || jwt.back() == '\r')) jwt.pop_back();
    WsClient cli(server.port(), withQueryToken(jwt));
    EXPECT_EQ(cli.join("cli-room").at("type").as_string(), "room-joined");

    const auto noSecret = runToCompletion({}, {"token", "--room", "cli-room"});
    EXPECT_EQ(noSecret.exitCode, 2);
    EXPECT_NE(noSecret.output.find("JWT_SECRET"), std::string::npos);
}
