// Seamless resume over real sockets: a dropped peer keeps its id and its place, gets what was sent
// to it in the gap, and the others only hear of it if it stays away past the grace period.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <csignal>
#include <memory>

#include "ServerProcess.hpp"
#include "WsClient.hpp"
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
    const std::string bobId = str(bob->join("grace-room")["peerId"]);
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
    const std::string bobId = str(bob.join("hangup-room")["peerId"]);
    alice.nextOfType("peer-joined");
    bob.closeNormally();
    EXPECT_EQ(str(alice.nextOfType("peer-left", 3s)["peerId"]), bobId);
}

TEST(Resume, ForgedExpiredOrForeignTokensGetANewId) {
    ServerProcess server(withGrace("10"));
    WsClient alice(server.port());
    alice.join("forge-room");
    auto bob = std::make_unique<WsClient>(server.port());
    auto bobJoined = bob->join("forge-room");
    const std::string bobId = str(bobJoined["peerId"]);
    const std::string token = tokenOf(bobJoined);
    alice.nextOfType("peer-joined");
    bob.reset();

    using pulsemeet::signaling::ResumeTokens;
    const auto now = ResumeTokens::Clock::now();
    const std::vector<std::pair<std::string, std::string>> refused = {
        // The right payload signed with another key.
        {"wrong key",
         ResumeTokens("not-the-secret", std::chrono::hours(1)).issue("forge-room", bobId, now)},
        // The real token with its MAC altered in one place.
        {"altered mac", token.substr(0, token.size() - 1) + (token.back() == '0' ? "1" : "0")},
        // The real token with another peer id spliced into the signed payload.
        {"altered payload",
         "forge-room." + std::string(32, 'a') + token.substr(token.find('.', token.find('.') + 1))},
        // Correctly signed but expired.
        {"expired", ResumeTokens(kSecret, std::chrono::hours(1))
                        .issue("forge-room", bobId, now - std::chrono::hours(2))},
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
