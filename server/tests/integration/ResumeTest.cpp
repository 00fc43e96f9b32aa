// Seamless resume over real sockets: a dropped peer keeps its id and its place, gets what was sent
// to it in the gap, and the others only hear of it if it stays away past the grace period.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <csignal>
#include <memory>
#include <thread>

#include "RedisServer.hpp"
#include "ServerProcess.hpp"
#include "WsClient.hpp"
#include "auth/RoomTokenMinter.hpp"
#include "signaling/ResumeTokens.hpp"

using namespace pulsemeet::testing;
namespace json = boost::json;

namespace {

const std::string kSecret = "resume-test-secret-0123456789abcdef";
const std::string kSdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

std::string str(const json::value& value) {
    return std::string(value.as_string());
}

std::string tokenOf(json::object& roomJoined) {
    return str(roomJoined["data"].as_object()["resumeToken"]);
}

json::object resumeJoin(const std::string& roomId, const std::string& token) {
    return {
        {"type", "join"}, {"roomId", roomId}, {"data", {{"name", "Back"}, {"resumeToken", token}}}};
}

// A join from a client that counts the room messages it receives (data.received): `received`
// of the dropped connection's stream, when resuming with `token`.
json::object countingJoin(const std::string& roomId, std::uint64_t received,
                          const std::string& token = "") {
    json::object data{{"name", "Back"}, {"received", received}};
    if (!token.empty()) data["resumeToken"] = token;
    return {{"type", "join"}, {"roomId", roomId}, {"data", std::move(data)}};
}

// Joins as our web client does: it counts what it receives, so its place is held when its socket
// drops. Returns the room-joined message.
json::object joinCounting(WsClient& client, const std::string& roomId) {
    client.send(countingJoin(roomId, 0));
    return client.nextOfType("room-joined");
}

json::object offerTo(const std::string& target) {
    return {{"type", "offer"}, {"targetId", target}, {"data", {{"type", "offer"}, {"sdp", kSdp}}}};
}

// Fails when `client` receives a message of `type` within `window`.
void expectNoneOfType(WsClient& client, const std::string& type,
                      std::chrono::milliseconds window = 600ms) {
    const auto deadline = std::chrono::steady_clock::now() + window;
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return;
        const auto text = client.receive(left);
        if (!text) return;
        EXPECT_EQ(text->find("\"type\":\"" + type + "\""), std::string::npos) << *text;
    }
}

Env withGrace(const std::string& seconds) {
    return Env{{"RESUME_GRACE_SECONDS", seconds}, {"SESSION_SECRET", kSecret}};
}

const std::string kJwtSecret = "resume-test-jwt-secret";

// A room token for `room` expiring `ttl` after `now`.
std::string roomToken(
    const std::string& room, std::chrono::seconds ttl = 3600s,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) {
    return pulsemeet::auth::mintRoomToken(kJwtSecret, {room, "", ttl}, now);
}

WsClient::Options withRoomToken(const std::string& token) {
    WsClient::Options options;
    options.target = "/ws?token=" + token;
    return options;
}

// Polls `condition` until it holds or the deadline passes.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(20ms);
    }
    return condition();
}

}  // namespace

TEST(Resume, DroppedPeerResumesWithItsIdAndGetsWhatWasSentInTheGap) {
    ServerProcess server(withGrace("10"));
    WsClient alice(server.port());
    const std::string aliceId = str(alice.join("resume-room", "Alice")["peerId"]);
    auto bob = std::make_unique<WsClient>(server.port());
    bob->send(countingJoin("resume-room", 0));
    auto bobJoined = bob->nextOfType("room-joined");
    const std::string bobId = str(bobJoined["peerId"]);
    const std::string token = tokenOf(bobJoined);
    alice.nextOfType("peer-joined");

    bob.reset();  // the TCP connection just ends: no close frame, no leave
    // Alice can still address Bob: the messages are kept for him, not refused. Whether the
    // server still wrote the offer to the dead socket or already held it, Bob gets it: he
    // says he received nothing after room-joined.
    alice.send(offerTo(bobId));
    alice.send(json::object{{"type", "media-state"},
                            {"data", {{"audio", false}, {"video", true}, {"screen", false}}}});
    expectNoneOfType(alice, "peer-left");

    WsClient bobAgain(server.port());
    bobAgain.send(countingJoin("resume-room", 0, token));
    auto rejoined = bobAgain.nextOfType("room-joined");
    EXPECT_EQ(str(rejoined["peerId"]), bobId);
    const auto& peers = rejoined["data"].as_object()["peers"].as_array();
    ASSERT_EQ(peers.size(), 1u);
    EXPECT_EQ(str(peers[0].as_object().at("peerId")), aliceId);
    // In order, after room-joined.
    auto offer = bobAgain.next();
    EXPECT_EQ(str(offer["type"]), "offer") << json::serialize(offer);
    EXPECT_EQ(str(offer["peerId"]), aliceId);
    auto media = bobAgain.next();
    EXPECT_EQ(str(media["type"]), "media-state") << json::serialize(media);
    // The link works both ways again, and Alice saw neither a leave nor a join.
    bobAgain.send(offerTo(aliceId));
    EXPECT_EQ(str(alice.nextOfType("offer")["peerId"]), bobId);
    expectNoneOfType(alice, "peer-joined", 300ms);
}

TEST(Resume, WhatAHalfOpenSocketWasSentIsReplayedOnTheNewOne) {
    ServerProcess server(withGrace("10"));
    WsClient alice(server.port());
    const std::string aliceId = str(alice.join("half-open-room", "Alice")["peerId"]);
    WsClient oldSocket(server.port());  // stays open, and is never read again: the network died
    oldSocket.send(countingJoin("half-open-room", 0));
    auto joined = oldSocket.nextOfType("room-joined");
    const std::string bobId = str(joined["peerId"]);
    alice.nextOfType("peer-joined");
    alice.send(offerTo(bobId));
    alice.send(offerTo(bobId));

    WsClient bobAgain(server.port());
    bobAgain.send(countingJoin("half-open-room", 0, tokenOf(joined)));
    EXPECT_EQ(str(bobAgain.nextOfType("room-joined")["peerId"]), bobId);
    for (int i = 0; i < 2; ++i) {
        auto offer = bobAgain.next();
        EXPECT_EQ(str(offer["type"]), "offer") << json::serialize(offer);
        EXPECT_EQ(str(offer["peerId"]), aliceId);
    }
    expectNoneOfType(alice, "peer-left", 300ms);
}

TEST(Resume, PeerLeftOnlyAfterTheGracePeriod) {
    ServerProcess server(withGrace("1"));
    WsClient alice(server.port());
    alice.join("grace-room");
    auto bob = std::make_unique<WsClient>(server.port());
    const std::string bobId = str(joinCounting(*bob, "grace-room")["peerId"]);
    alice.nextOfType("peer-joined");

    const auto dropped = std::chrono::steady_clock::now();
    bob.reset();
    auto left = alice.nextOfType("peer-left", 10s);
    const auto waited = std::chrono::steady_clock::now() - dropped;
    EXPECT_EQ(str(left["peerId"]), bobId);
    EXPECT_GE(waited, 900ms) << "peer-left must wait for the grace period";
    // Once the place is gone, messages to it are refused again.
    alice.send(offerTo(bobId));
    EXPECT_EQ(str(alice.nextOfType("error")["code"]), "peer-not-found");
}

TEST(Resume, ACleanCloseIsAHangUpAndAnnouncedAtOnce) {
    ServerProcess server(withGrace("30"));
    WsClient alice(server.port());
    alice.join("hangup-room");
    WsClient bob(server.port());
    const std::string bobId = str(joinCounting(bob, "hangup-room")["peerId"]);
    alice.nextOfType("peer-joined");
    bob.closeNormally();
    EXPECT_EQ(str(alice.nextOfType("peer-left", 3s)["peerId"]), bobId);
}

// A client on the plain contract (join with roomId and name, nothing counted) that crashes or
// loses its tab without a close frame never comes back with its token: holding its place would
// leave a ghost on everyone's screen for the grace period, and its next connection would show up
// as a second person. It is announced gone as soon as its socket ends; our kind of client (it
// counts, data.received) is still held.
TEST(Resume, ADroppedClientThatDoesNotCountIsAnnouncedAtOnce) {
    ServerProcess server(withGrace("20"));
    WsClient alice(server.port());
    alice.join("ghost-room", "Alice");
    auto plain = std::make_unique<WsClient>(server.port());
    auto plainJoined = plain->join("ghost-room", "Plain");
    const std::string plainId = str(plainJoined["peerId"]);
    EXPECT_EQ(str(alice.nextOfType("peer-joined")["peerId"]), plainId);

    plain.reset();  // the TCP connection just ends: no close frame, no leave
    // Within 5 s while the grace period is 20 s: not held.
    EXPECT_EQ(str(alice.nextOfType("peer-left", 5s)["peerId"]), plainId);
    // Its token died with the place: coming back is one new person, not a second one.
    WsClient plainAgain(server.port());
    plainAgain.send(resumeJoin("ghost-room", tokenOf(plainJoined)));
    const std::string newId = str(plainAgain.nextOfType("room-joined")["peerId"]);
    EXPECT_NE(newId, plainId);
    EXPECT_EQ(str(alice.nextOfType("peer-joined")["peerId"]), newId);

    // Our kind of client, dropped the same way, is held and resumes under its id.
    auto bob = std::make_unique<WsClient>(server.port());
    auto bobJoined = joinCounting(*bob, "ghost-room");
    const std::string bobId = str(bobJoined["peerId"]);
    EXPECT_EQ(str(alice.nextOfType("peer-joined")["peerId"]), bobId);
    bob.reset();
    expectNoneOfType(alice, "peer-left");
    WsClient bobAgain(server.port());
    bobAgain.send(countingJoin("ghost-room", 0, tokenOf(bobJoined)));
    EXPECT_EQ(str(bobAgain.nextOfType("room-joined")["peerId"]), bobId);
    expectNoneOfType(alice, "peer-joined", 300ms);
}

TEST(Resume, ForgedExpiredOrForeignTokensGetANewId) {
    ServerProcess server(withGrace("10"));
    WsClient alice(server.port());
    alice.join("forge-room");
    auto bob = std::make_unique<WsClient>(server.port());
    auto bobJoined = joinCounting(*bob, "forge-room");
    const std::string bobId = str(bobJoined["peerId"]);
    const std::string token = tokenOf(bobJoined);
    alice.nextOfType("peer-joined");
    bob.reset();

    using pulsemeet::signaling::ResumeTokens;
    const auto now = ResumeTokens::Clock::now();
    const std::vector<std::pair<std::string, std::string>> refused = {
        // The right payload signed with another key.
        {"wrong key", ResumeTokens("not-the-secret", std::chrono::hours(1))
                          .issue("forge-room", bobId, 0, now)
                          .token},
        // The real token with its MAC altered in one place.
        {"altered mac", token.substr(0, token.size() - 1) + (token.back() == '0' ? "1" : "0")},
        // The real token with another peer id spliced into the signed payload.
        {"altered payload",
         "forge-room." + std::string(32, 'a') + token.substr(token.find('.', token.find('.') + 1))},
        // Correctly signed but expired.
        {"expired", ResumeTokens(kSecret, std::chrono::hours(1))
                        .issue("forge-room", bobId, 0, now - std::chrono::hours(2))
                        .token},
    };
    for (const auto& [what, forged] : refused) {
        WsClient intruder(server.port());
        intruder.send(resumeJoin("forge-room", forged));
        auto joined = intruder.nextOfType("room-joined");
        EXPECT_NE(str(joined["peerId"]), bobId) << what;
        EXPECT_NE(str(joined["peerId"]), std::string(32, 'a')) << what;
        // A newcomer, announced as such.
        EXPECT_EQ(str(alice.nextOfType("peer-joined")["peerId"]), str(joined["peerId"])) << what;
        intruder.closeNormally();
        alice.nextOfType("peer-left");
    }
    // A valid token only works for the room it was issued for.
    WsClient elsewhere(server.port());
    elsewhere.send(resumeJoin("other-room", token));
    EXPECT_NE(str(elsewhere.nextOfType("room-joined")["peerId"]), bobId);
    // And the real one still resumes.
    WsClient bobAgain(server.port());
    bobAgain.send(resumeJoin("forge-room", token));
    EXPECT_EQ(str(bobAgain.nextOfType("room-joined")["peerId"]), bobId);
}

TEST(Resume, ANewSocketTakesOverAPlaceWhoseOldSocketIsStillOpen) {
    ServerProcess server(withGrace("10"));
    WsClient alice(server.port());
    const std::string aliceId = str(alice.join("takeover-room")["peerId"]);
    WsClient oldSocket(server.port());
    auto joined = oldSocket.join("takeover-room");
    const std::string bobId = str(joined["peerId"]);
    alice.nextOfType("peer-joined");

    WsClient newSocket(server.port());
    newSocket.send(resumeJoin("takeover-room", tokenOf(joined)));
    EXPECT_EQ(str(newSocket.nextOfType("room-joined")["peerId"]), bobId);
    EXPECT_TRUE(oldSocket.waitClosed().has_value());
    alice.send(offerTo(bobId));
    EXPECT_EQ(str(newSocket.nextOfType("offer")["peerId"]), aliceId);
    expectNoneOfType(alice, "peer-left", 300ms);
}

TEST(Resume, SurvivesARestartWithTheSameSessionSecret) {
    std::string aliceToken;
    std::string bobToken;
    std::string aliceId;
    std::string bobId;
    {
        ServerProcess first(withGrace("10"));
        WsClient alice(first.port());
        auto a = alice.join("restart-room", "Alice");
        aliceId = str(a["peerId"]);
        aliceToken = tokenOf(a);
        WsClient bob(first.port());
        auto b = bob.join("restart-room", "Bob");
        bobId = str(b["peerId"]);
        bobToken = tokenOf(b);
        first.signal(SIGKILL);
        EXPECT_NE(first.waitForExit(5s), -1);
    }
    ServerProcess second(withGrace("10"));
    WsClient alice(second.port());
    alice.send(resumeJoin("restart-room", aliceToken));
    auto a = alice.nextOfType("room-joined");
    EXPECT_EQ(str(a["peerId"]), aliceId);
    WsClient bob(second.port());
    bob.send(resumeJoin("restart-room", bobToken));
    auto b = bob.nextOfType("room-joined");
    EXPECT_EQ(str(b["peerId"]), bobId);
    ASSERT_EQ(b["data"].as_object()["peers"].as_array().size(), 1u);
    // Alice and Bob were in the call together: neither is told of a join.
    expectNoneOfType(alice, "peer-joined");
    bob.send(offerTo(aliceId));
    EXPECT_EQ(str(alice.nextOfType("offer")["peerId"]), bobId);
    // Someone new is announced to both, and sees both.
    WsClient cleo(second.port());
    auto c = cleo.join("restart-room", "Cleo");
    EXPECT_EQ(c["data"].as_object()["peers"].as_array().size(), 2u);
    EXPECT_EQ(str(alice.nextOfType("peer-joined")["peerId"]), str(c["peerId"]));
    EXPECT_EQ(str(bob.nextOfType("peer-joined")["peerId"]), str(c["peerId"]));
}

// Attack: the restarted server has no memory of the tokens before it; a token from before the
// crash works once (its owner's resume), never a second time.
TEST(Resume, ATokenFromBeforeARestartWorksOnlyOnce) {
    std::string bobToken;
    std::string bobId;
    {
        ServerProcess first(withGrace("10"));
        WsClient bob(first.port());
        auto b = bob.join("restart-once-room", "Bob");
        bobId = str(b["peerId"]);
        bobToken = tokenOf(b);
        first.signal(SIGKILL);
        EXPECT_NE(first.waitForExit(5s), -1);
    }
    ServerProcess second(withGrace("10"));
    WsClient alice(second.port());
    alice.join("restart-once-room", "Alice");
    auto bob = std::make_unique<WsClient>(second.port());
    bob->send(countingJoin("restart-once-room", 0, bobToken));
    auto b = bob->nextOfType("room-joined");
    ASSERT_EQ(str(b["peerId"]), bobId);
    const std::string rotated = tokenOf(b);
    alice.nextOfType("peer-joined");
    bob.reset();  // dropped: held, with the rotated token
    WsClient thief(second.port());
    thief.send(resumeJoin("restart-once-room", bobToken));
    EXPECT_NE(str(thief.nextOfType("room-joined")["peerId"]), bobId);
    WsClient bobAgain(second.port());
    bobAgain.send(resumeJoin("restart-once-room", rotated));
    EXPECT_EQ(str(bobAgain.nextOfType("room-joined")["peerId"]), bobId);
}

// Attack: a token seen once is replayed after its owner resumed with it.
TEST(Resume, AnOldTokenIsRefusedOnceTheResumeRotatedIt) {
    ServerProcess server(withGrace("30"));
    WsClient alice(server.port());
    alice.join("rotate-room", "Alice");
    auto bob = std::make_unique<WsClient>(server.port());
    auto joined = joinCounting(*bob, "rotate-room");
    const std::string bobId = str(joined["peerId"]);
    const std::string first = tokenOf(joined);
    alice.nextOfType("peer-joined");
    bob.reset();

    WsClient bobAgain(server.port());
    bobAgain.send(resumeJoin("rotate-room", first));
    auto rejoined = bobAgain.nextOfType("room-joined");
    ASSERT_EQ(str(rejoined["peerId"]), bobId);
    const std::string second = tokenOf(rejoined);
    EXPECT_NE(second, first) << "a resume's room-joined carries a new token";

    WsClient thief(server.port());
    thief.send(resumeJoin("rotate-room", first));
    auto thiefJoined = thief.nextOfType("room-joined");
    EXPECT_NE(str(thiefJoined["peerId"]), bobId);
    // A newcomer, announced as such; Bob's socket was not taken over.
    EXPECT_EQ(str(alice.nextOfType("peer-joined")["peerId"]), str(thiefJoined["peerId"]));
    bobAgain.send(offerTo(str(thiefJoined["peerId"])));
    EXPECT_EQ(str(thief.nextOfType("offer")["peerId"]), bobId);
    EXPECT_NE(httpGet(server.port(), "/metrics").body.find("pulsemeet_resumes_refused_total 1"),
              std::string::npos);
}

// Attack: a token kept after its owner pressed Leave.
TEST(Resume, LeaveRevokesTheToken) {
    ServerProcess server(withGrace("30"));
    WsClient alice(server.port());
    alice.join("leave-room", "Alice");
    WsClient bob(server.port());
    auto joined = bob.join("leave-room", "Bob");
    const std::string bobId = str(joined["peerId"]);
    alice.nextOfType("peer-joined");
    bob.send(json::object{{"type", "leave"}});
    EXPECT_EQ(str(alice.nextOfType("peer-left")["peerId"]), bobId);
    WsClient thief(server.port());
    thief.send(resumeJoin("leave-room", tokenOf(joined)));
    EXPECT_NE(str(thief.nextOfType("room-joined")["peerId"]), bobId);
}

// Attack: a token kept after its owner closed the tab (close 1000).
TEST(Resume, AHangUpIsAnnouncedAtOnceAndRevokesTheToken) {
    ServerProcess server(withGrace("30"));
    WsClient alice(server.port());
    alice.join("hangup-token-room", "Alice");
    WsClient bob(server.port());
    auto joined = joinCounting(bob, "hangup-token-room");
    const std::string bobId = str(joined["peerId"]);
    alice.nextOfType("peer-joined");
    bob.closeNormally();
    // Within 3 s while the grace period is 30 s: no hold.
    EXPECT_EQ(str(alice.nextOfType("peer-left", 3s)["peerId"]), bobId);
    WsClient thief(server.port());
    thief.send(resumeJoin("hangup-token-room", tokenOf(joined)));
    auto thiefJoined = thief.nextOfType("room-joined");
    EXPECT_NE(str(thiefJoined["peerId"]), bobId);
    EXPECT_EQ(str(alice.nextOfType("peer-joined")["peerId"]), str(thiefJoined["peerId"]));
}

// Attack: a resume token used after the room token it was issued under expired, with a fresh
// room token to get through the upgrade.
TEST(Resume, ATokenDiesWithTheRoomTokenItWasIssuedUnder) {
    Env env = withGrace("60");
    env["JWT_SECRET"] = kJwtSecret;
    ServerProcess server(env);
    WsClient alice(server.port(), withRoomToken(roomToken("expiry-room")));
    alice.join("expiry-room", "Alice");
    const auto shortLived = std::chrono::system_clock::now() + 2s;
    auto bob =
        std::make_unique<WsClient>(server.port(), withRoomToken(roomToken("expiry-room", 2s)));
    auto joined = joinCounting(*bob, "expiry-room");
    const std::string bobId = str(joined["peerId"]);
    alice.nextOfType("peer-joined");
    bob.reset();  // dropped: the place is held for 60 s
    ASSERT_TRUE(eventually([&] { return std::chrono::system_clock::now() > shortLived + 1s; }));
    WsClient thief(server.port(), withRoomToken(roomToken("expiry-room")));
    thief.send(resumeJoin("expiry-room", tokenOf(joined)));
    EXPECT_NE(str(thief.nextOfType("room-joined")["peerId"]), bobId);
}

// Attack: a connection whose own room token expired (the upgrade allows 30 s of clock leeway)
// takes over a place.
TEST(Resume, AConnectionWithAnExpiredRoomTokenCannotResume) {
    Env env = withGrace("60");
    env["JWT_SECRET"] = kJwtSecret;
    ServerProcess server(env);
    auto bob = std::make_unique<WsClient>(server.port(), withRoomToken(roomToken("stale-room")));
    auto joined = joinCounting(*bob, "stale-room");
    const std::string bobId = str(joined["peerId"]);
    bob.reset();
    // Expired 10 s ago: still inside the upgrade's leeway.
    const auto now = std::chrono::system_clock::now();
    WsClient stale(server.port(), withRoomToken(roomToken("stale-room", 60s, now - 70s)));
    stale.send(resumeJoin("stale-room", tokenOf(joined)));
    EXPECT_NE(str(stale.nextOfType("room-joined")["peerId"]), bobId);
    // Refusing it spent nothing: Bob, with a valid room token, resumes.
    WsClient bobAgain(server.port(), withRoomToken(roomToken("stale-room")));
    bobAgain.send(resumeJoin("stale-room", tokenOf(joined)));
    EXPECT_EQ(str(bobAgain.nextOfType("room-joined")["peerId"]), bobId);
}

// Attack: a resume token for one room presented on a connection whose room token is for
// another.
TEST(Resume, ARoomTokenForAnotherRoomCannotResume) {
    Env env = withGrace("60");
    env["JWT_SECRET"] = kJwtSecret;
    ServerProcess server(env);
    auto bob = std::make_unique<WsClient>(server.port(), withRoomToken(roomToken("scoped-room")));
    auto joined = joinCounting(*bob, "scoped-room");
    const std::string bobId = str(joined["peerId"]);
    bob.reset();
    WsClient elsewhere(server.port(), withRoomToken(roomToken("other-room")));
    // Into the token's room: the room token does not allow it.
    elsewhere.send(resumeJoin("scoped-room", tokenOf(joined)));
    EXPECT_EQ(str(elsewhere.nextOfType("error")["code"]), "forbidden-room");
    // Into the room token's room: the resume token is not for it.
    elsewhere.send(resumeJoin("other-room", tokenOf(joined)));
    EXPECT_NE(str(elsewhere.nextOfType("room-joined")["peerId"]), bobId);
}

// Attack, across instances sharing Redis: a token rotated or revoked on one instance is used on
// another, including one that still holds the place with that very token.
TEST(Resume, ATokenSpentOnOneInstanceIsRefusedOnAnother) {
    RedisServer redis;
    Env env = withGrace("30");
    env["REDIS_ENABLED"] = "true";
    env["REDIS_ADDR"] = redis.addr();
    env["REDIS_CHANNEL"] = "pmresume";
    env["REDIS_HEARTBEAT_SECONDS"] = "2";
    ServerProcess first(env);
    ServerProcess second(env);
    for (const auto* server : {&first, &second}) {
        ASSERT_TRUE(eventually([&] { return httpGet(server->port(), "/readyz").status == 200; }));
    }
    WsClient alice(first.port());
    alice.join("cluster-resume-room", "Alice");
    auto bob = std::make_unique<WsClient>(first.port());
    auto joined = joinCounting(*bob, "cluster-resume-room");
    const std::string bobId = str(joined["peerId"]);
    bob.reset();  // held on the first instance

    // Rotated on the first instance...
    auto bobAgain = std::make_unique<WsClient>(first.port());
    bobAgain->send(countingJoin("cluster-resume-room", 0, tokenOf(joined)));
    auto rejoined = bobAgain->nextOfType("room-joined");
    ASSERT_EQ(str(rejoined["peerId"]), bobId);
    // ... refused on the second.
    WsClient thief(second.port());
    thief.send(resumeJoin("cluster-resume-room", tokenOf(joined)));
    const std::string thiefJoinedId = str(thief.nextOfType("room-joined")["peerId"]);
    EXPECT_NE(thiefJoinedId, bobId);

    // Bob moves to the second instance while the first still holds his place (with the token
    // he moves with): the first must not take that token again.
    // The thief's arrival reached Bob: his client counted it (1 since his room-joined).
    EXPECT_EQ(str(bobAgain->nextOfType("peer-joined")["peerId"]), thiefJoinedId);
    bobAgain.reset();
    WsClient bobMoved(second.port());
    bobMoved.send(countingJoin("cluster-resume-room", 1, tokenOf(rejoined)));
    auto moved = bobMoved.nextOfType("room-joined");
    ASSERT_EQ(str(moved["peerId"]), bobId);
    WsClient thief2(first.port());
    thief2.send(resumeJoin("cluster-resume-room", tokenOf(rejoined)));
    EXPECT_NE(str(thief2.nextOfType("room-joined")["peerId"]), bobId);

    // Bob hangs up on the second instance: his last token is dead on the first too.
    bobMoved.closeNormally();
    ASSERT_TRUE(eventually([&] {
        const auto reply = redis.command({"GET", "pmresume:resume:" + bobId});
        return reply->type == REDIS_REPLY_STRING && std::string(reply->str, reply->len) == "-";
    })) << "the hang-up leaves a tombstone";
    WsClient thief3(first.port());
    thief3.send(resumeJoin("cluster-resume-room", tokenOf(moved)));
    EXPECT_NE(str(thief3.nextOfType("room-joined")["peerId"]), bobId);
}
