// Issue 14 against the real binary: room-id guessing from one address
// (MAX_ROOMS_PER_IP_PER_MINUTE), TURN credentials for anyone
// (MAX_TURN_CREDENTIALS_PER_IP_PER_MINUTE, expiry capped by the room token), and display names
// carrying control or bidi-override characters. All clients are on 127.0.0.1, so they count as one
// address.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <string>

#include "ServerProcess.hpp"
#include "WsClient.hpp"
#include "auth/RoomTokenMinter.hpp"
#include "auth/TurnCredentials.hpp"

using namespace pulsemeet;
using namespace pulsemeet::testing;
using namespace std::chrono_literals;

namespace {

const std::string kSecret = "abuse-limits-jwt-secret";

std::string room(int i) {
    return "guess-" + std::to_string(i);
}

Env turnRest(Env extra = {}) {
    Env env{{"TURN_ENABLED", "true"},
            {"TURN_URLS", "turn:127.0.0.1:3478"},
            {"TURN_SECRET", "north-wind"},
            {"TURN_TTL_SECONDS", "3600"}};
    env.insert(extra.begin(), extra.end());
    return env;
}

// Unix seconds in a TURN REST username `<expiry>:<who>`.
long long usernameExpiry(const boost::json::value& iceServers) {
    for (const auto& server : iceServers.as_array()) {
        if (const auto* username = server.as_object().if_contains("username")) {
            const std::string text(username->as_string());
            return std::stoll(text.substr(0, text.find(':')));
        }
    }
    ADD_FAILURE() << "no TURN entry in " << boost::json::serialize(iceServers);
    return 0;
}

long long unixNow() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

// One address walking through room ids: 20 different rooms a minute, then rate-limited and
// closed with 1008 (as a message flood is). Rooms it already joined stay open to it.
TEST(RoomGuessing, TheTwentyFirstDifferentRoomFromOneAddressIsRefused) {
    ServerProcess server;  // the default, MAX_ROOMS_PER_IP_PER_MINUTE=20
    {
        WsClient walker(server.port());
        for (int i = 0; i < 20; ++i) {
            EXPECT_EQ(walker.join(room(i)).at("roomId").as_string(), room(i));
        }
        walker.send(boost::json::object{{"type", "join"}, {"roomId", room(20)}});
        const auto refused = walker.nextOfType("error");
        EXPECT_EQ(refused.at("code").as_string(), "rate-limited");
        EXPECT_EQ(walker.waitClosed(), 1008);
    }
    // A new socket from the same address: the rooms of the first 20 still let it in ...
    WsClient returning(server.port());
    EXPECT_EQ(returning.join(room(7)).at("type").as_string(), "room-joined");
    EXPECT_EQ(returning.join(room(19)).at("type").as_string(), "room-joined");
    // ... a new room does not.
    returning.send(boost::json::object{{"type", "join"}, {"roomId", room(21)}});
    EXPECT_EQ(returning.nextOfType("error").at("code").as_string(), "rate-limited");
    EXPECT_EQ(returning.waitClosed(), 1008);
}

TEST(RoomGuessing, ZeroTurnsTheLimitOff) {
    ServerProcess server(Env{{"MAX_ROOMS_PER_IP_PER_MINUTE", "0"}});
    WsClient walker(server.port());
    for (int i = 0; i < 30; ++i) {
        EXPECT_EQ(walker.join(room(i)).at("roomId").as_string(), room(i));
    }
}

// Without JWT_SECRET anyone may ask /ice-servers; with TURN_SECRET each answer is a new relay
// credential, so one address gets 10 a minute.
TEST(TurnCredentialLimit, TheEleventhCredentialInAMinuteIs429WithRetryAfter) {
    ServerProcess server(turnRest());
    for (int i = 0; i < 10; ++i) {
        const auto answer = httpGet(server.port(), "/ice-servers");
        ASSERT_EQ(answer.status, 200) << "request " << i + 1 << ": " << answer.body;
    }
    const auto refused = httpGet(server.port(), "/ice-servers");
    EXPECT_EQ(refused.status, 429);
    ASSERT_TRUE(refused.headers.contains("retry-after"));
    const int retryAfter = std::stoi(refused.headers.at("retry-after"));
    EXPECT_GE(retryAfter, 1);
    EXPECT_LE(retryAfter, 60);
    EXPECT_EQ(boost::json::parse(refused.body).at("code").as_string(), "rate-limited");
    EXPECT_EQ(refused.body.find("username"), std::string::npos) << "no credential in a refusal";
    // The rest of the server is not affected.
    EXPECT_EQ(httpGet(server.port(), "/healthz").status, 200);
}

TEST(TurnCredentialLimit, ListsWithoutPerRequestCredentialsAreNotCounted) {
    ServerProcess server(Env{{"STUN_URLS", "stun:stun.example:3478"}});
    for (int i = 0; i < 15; ++i) {
        ASSERT_EQ(httpGet(server.port(), "/ice-servers").status, 200) << "request " << i + 1;
    }
    ServerProcess unlimited(turnRest({{"MAX_TURN_CREDENTIALS_PER_IP_PER_MINUTE", "0"}}));
    for (int i = 0; i < 15; ++i) {
        ASSERT_EQ(httpGet(unlimited.port(), "/ice-servers").status, 200) << "request " << i + 1;
    }
}

// A room token that expires in 2 minutes: the TURN credentials it gets (from /ice-servers and in
// room-joined) expire with it, not TURN_TTL_SECONDS (an hour) later.
TEST(TurnCredentialLimit, CredentialsExpireNoLaterThanTheRoomToken) {
    ServerProcess server(turnRest({{"JWT_SECRET", kSecret}}));
    const auto issued = std::chrono::system_clock::now();
    const std::string shortToken = auth::mintRoomToken(kSecret, {"room", "", 120s}, issued);
    const long long tokenExpiry =
        std::chrono::duration_cast<std::chrono::seconds>((issued + 120s).time_since_epoch())
            .count();

    const auto answer = httpGet(server.port(), "/ice-servers?token=" + shortToken);
    ASSERT_EQ(answer.status, 200) << answer.body;
    const auto fromHttp = usernameExpiry(boost::json::parse(answer.body).at("iceServers"));
    EXPECT_LE(fromHttp, tokenExpiry);
    EXPECT_GE(fromHttp, tokenExpiry - 1);

    WsClient::Options options;
    options.target = "/ws?token=" + shortToken;
    WsClient client(server.port(), options);
    const auto joined = client.join("room");
    const auto fromJoin = usernameExpiry(joined.at("data").at("iceServers"));
    EXPECT_LE(fromJoin, tokenExpiry);
    EXPECT_GE(fromJoin, tokenExpiry - 1);

    // A token that outlives TURN_TTL_SECONDS leaves the usual hour.
    const std::string longToken =
        auth::mintRoomToken(kSecret, {"room", "", 24h}, std::chrono::system_clock::now());
    const auto hour = usernameExpiry(
        boost::json::parse(httpGet(server.port(), "/ice-servers?token=" + longToken).body)
            .at("iceServers"));
    EXPECT_NEAR(static_cast<double>(hour), static_cast<double>(unixNow() + 3600), 5.0);
}

// Control characters and bidi overrides in a name are dropped by the server before anyone sees
// it: "Mallory<RLO>gnp.exe" would otherwise draw as "Malloryexe.png".
TEST(DisplayNames, APeerJoinedNameArrivesWithoutControlOrBidiCharacters) {
    ServerProcess server;
    WsClient alice(server.port());
    alice.join("names", "Alice");
    WsClient mallory(server.port());
    mallory.join("names", "\xE2\x81\xA6Mallory\xC2\x85\x07\xE2\x80\xAEgnp.exe\xE2\x81\xA9 ");
    const auto announced = alice.nextOfType("peer-joined");
    EXPECT_EQ(announced.at("data").at("name").as_string(), "Mallorygnp.exe");

    WsClient carol(server.port());
    const auto joined = carol.join("names", "\xE2\x80\xAE\xC2\x9F");  // nothing left: "Guest 1"
    for (const auto& peer : joined.at("data").at("peers").as_array()) {
        const std::string name(peer.at("name").as_string());
        EXPECT_TRUE(name == "Alice" || name == "Mallorygnp.exe") << name;
    }
    EXPECT_EQ(alice.nextOfType("peer-joined").at("data").at("name").as_string(), "Guest 1");
}

// A room token's name claim is shown like a typed name: cleaned the same way.
TEST(DisplayNames, ATokenNameIsCleanedToo) {
    ServerProcess server(Env{{"JWT_SECRET", kSecret}});
    const auto now = std::chrono::system_clock::now();
    WsClient::Options first;
    first.target = "/ws?token=" + auth::mintRoomToken(kSecret, {"names", "Host", 3600s}, now);
    WsClient host(server.port(), first);
    host.join("names");
    WsClient::Options second;
    second.target = "/ws?token=" +
                    auth::mintRoomToken(kSecret, {"names", "Ada\xE2\x80\xAE\xC2\x85", 3600s}, now);
    WsClient ada(server.port(), second);
    ada.join("names", "ignored");
    EXPECT_EQ(host.nextOfType("peer-joined").at("data").at("name").as_string(), "Ada");
}
