// The real binary over real sockets: the wire protocol end to end.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "ServerProcess.hpp"
#include "WsClient.hpp"

using namespace pulsemeet::testing;
namespace json = boost::json;

namespace {

std::string str(const json::value& value) {
    return std::string(value.as_string());
}

const std::string kSdpOffer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

json::object offerTo(const std::string& target, const std::string& type = "offer") {
    return {{"type", type}, {"targetId", target}, {"data", {{"type", type}, {"sdp", kSdpOffer}}}};
}

json::object candidateTo(const std::string& target) {
    return {{"type", "ice-candidate"},
            {"targetId", target},
            {"data",
             {{"candidate", "candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host"},
              {"sdpMid", "0"},
              {"sdpMLineIndex", 0}}}};
}

// Sends one raw text frame and returns the error code the server answers with.
std::string errorCodeFor(WsClient& client, const std::string& text) {
    client.send(text);
    auto reply = client.nextOfType("error");
    EXPECT_TRUE(reply.contains("error")) << json::serialize(reply);
    EXPECT_TRUE(reply.contains("timestamp"));
    return str(reply["code"]);
}

class Signaling : public ::testing::Test {
  protected:
    ServerProcess server{Env{{"MAX_PEERS_PER_ROOM", "3"}}};
};

}  // namespace

TEST_F(Signaling, TwoPeersExchangeOfferAnswerAndCandidatesWithStampedIds) {
    WsClient alice(server.port());
    auto aliceJoined = alice.join("room-1", "Alice");
    const std::string aliceId = str(aliceJoined["peerId"]);
    EXPECT_EQ(aliceId.size(), 32u);
    EXPECT_TRUE(aliceJoined["data"].as_object()["peers"].as_array().empty());
    EXPECT_FALSE(str(aliceJoined["data"].as_object()["resumeToken"]).empty());
    EXPECT_TRUE(aliceJoined["data"].as_object()["iceServers"].is_array());
    EXPECT_TRUE(aliceJoined["timestamp"].is_int64());

    WsClient bob(server.port());
    auto bobJoined = bob.join("room-1", "  Bob  ");
    const std::string bobId = str(bobJoined["peerId"]);
    auto peers = bobJoined["data"].as_object()["peers"].as_array();
    ASSERT_EQ(peers.size(), 1u);
    EXPECT_EQ(str(peers[0].as_object()["peerId"]), aliceId);
    EXPECT_EQ(str(peers[0].as_object()["name"]), "Alice");
    EXPECT_TRUE(peers[0].as_object()["media"].as_object()["audio"].as_bool());

    auto joined = alice.nextOfType("peer-joined");
    EXPECT_EQ(str(joined["peerId"]), bobId);
    EXPECT_EQ(str(joined["data"].as_object()["name"]), "Bob");

    // The existing peer offers; a forged peerId is overwritten with the real sender.
    auto offer = offerTo(bobId);
    offer["peerId"] = "forged";
    alice.send(offer);
    auto relayed = bob.nextOfType("offer");
    EXPECT_EQ(str(relayed["peerId"]), aliceId);
    EXPECT_EQ(str(relayed["data"].as_object()["sdp"]), kSdpOffer);
    EXPECT_EQ(str(relayed["data"].as_object()["type"]), "offer");

    bob.send(offerTo(aliceId, "answer"));
    auto answer = alice.nextOfType("answer");
    EXPECT_EQ(str(answer["peerId"]), bobId);

    bob.send(candidateTo(aliceId));
    auto candidate = alice.nextOfType("ice-candidate");
    EXPECT_EQ(str(candidate["peerId"]), bobId);
    EXPECT_EQ(candidate["data"].as_object()["sdpMLineIndex"].as_int64(), 0);
    alice.send(candidateTo(bobId));
    EXPECT_EQ(str(bob.nextOfType("ice-candidate")["peerId"]), aliceId);
}

TEST_F(Signaling, NamelessJoinersAreGuestOneTwoPerRoomAndKeepTheirNameOnARepeatedJoin) {
    WsClient first(server.port());
    auto firstJoined = first.join("room-guests", "");
    EXPECT_EQ(str(firstJoined["data"].as_object()["name"]), "Guest 1");
    const std::string firstId = str(firstJoined["peerId"]);

    WsClient named(server.port());
    EXPECT_EQ(str(named.join("room-guests", "Ada")["data"].as_object()["name"]), "Ada");

    WsClient second(server.port());
    auto secondJoined = second.join("room-guests", "   ");  // nothing left after trimming
    EXPECT_EQ(str(secondJoined["data"].as_object()["name"]), "Guest 2");
    auto listed = secondJoined["data"].as_object()["peers"].as_array();
    ASSERT_EQ(listed.size(), 2u);
    bool sawGuestOne = false;
    for (const auto& peer : listed)
        sawGuestOne |= str(peer.as_object().at("peerId")) == firstId &&
                       str(peer.as_object().at("name")) == "Guest 1";
    EXPECT_TRUE(sawGuestOne);
    EXPECT_EQ(str(first.nextOfType("peer-joined")["data"].as_object()["name"]), "Ada");
    EXPECT_EQ(str(first.nextOfType("peer-joined")["data"].as_object()["name"]), "Guest 2");

    // Numbers are per room: another room starts at 1 again.
    WsClient elsewhere(server.port());
    EXPECT_EQ(str(elsewhere.join("room-other", "")["data"].as_object()["name"]), "Guest 1");

    // Joining the same room again without a name keeps the number.
    EXPECT_EQ(str(first.join("room-guests", "")["data"].as_object()["name"]), "Guest 1");
}

TEST_F(Signaling, ThreePeersRelayOnlyToTheTargetAndSeeLeaves) {
    WsClient a(server.port()), b(server.port()), c(server.port());
    const auto aId = str(a.join("trio")["peerId"]);
    const auto bId = str(b.join("trio")["peerId"]);
    auto cJoined = c.join("trio");
    const auto cId = str(cJoined["peerId"]);
    EXPECT_EQ(cJoined.at("data").as_object().at("peers").as_array().size(), 2u);
    EXPECT_EQ(str(a.nextOfType("peer-joined")["peerId"]), bId);
    EXPECT_EQ(str(a.nextOfType("peer-joined")["peerId"]), cId);
    EXPECT_EQ(str(b.nextOfType("peer-joined")["peerId"]), cId);

    a.send(offerTo(cId));
    EXPECT_EQ(str(c.nextOfType("offer")["peerId"]), aId);
    EXPECT_FALSE(b.receive(300ms).has_value()) << "b must not see a's offer to c";

    // media-state goes to everyone else, and is remembered for later joiners.
    b.send(json::object{{"type", "media-state"},
                        {"data", {{"audio", false}, {"video", true}, {"screen", false}}}});
    EXPECT_FALSE(a.nextOfType("media-state")["data"].as_object()["audio"].as_bool());
    EXPECT_EQ(str(c.nextOfType("media-state")["peerId"]), bId);

    c.closeNormally();
    EXPECT_EQ(str(a.nextOfType("peer-left")["peerId"]), cId);
    EXPECT_EQ(str(b.nextOfType("peer-left")["peerId"]), cId);

    WsClient late(server.port());
    auto lateJoined = late.join("trio");
    for (const auto& peer : lateJoined["data"].as_object()["peers"].as_array()) {
        const auto& entry = peer.as_object();
        if (str(entry.at("peerId")) == bId) {
            EXPECT_FALSE(entry.at("media").as_object().at("audio").as_bool());
        }
    }
}

TEST_F(Signaling, RoomFullKeepsTheSocketOpenAndEmptyRoomsAreRemoved) {
    WsClient a(server.port()), b(server.port()), c(server.port()), d(server.port());
    a.join("full-room");
    b.join("full-room");
    c.join("full-room");
    d.send(json::object{{"type", "join"}, {"roomId", "full-room"}});
    EXPECT_EQ(str(d.nextOfType("error")["code"]), "room-full");
    // Still connected: it can join another room.
    EXPECT_EQ(str(d.join("other-room")["type"]), "room-joined");

    c.send(json::object{{"type", "leave"}});
    EXPECT_EQ(str(a.nextOfType("peer-left")["peerId"]), str(b.nextOfType("peer-left")["peerId"]));
    d.send(json::object{{"type", "join"}, {"roomId", "full-room"}});
    EXPECT_EQ(str(d.nextOfType("room-joined")["roomId"]), "full-room");
}

TEST_F(Signaling, SecondJoinMovesBetweenRooms) {
    WsClient a(server.port()), b(server.port()), mover(server.port());
    a.join("room-a");
    b.join("room-b");
    const auto moverId = str(mover.join("room-a")["peerId"]);
    EXPECT_EQ(str(a.nextOfType("peer-joined")["peerId"]), moverId);
    auto moved = mover.join("room-b");
    EXPECT_EQ(str(moved["peerId"]), moverId) << "the id stays with the connection";
    EXPECT_EQ(moved["data"].as_object()["peers"].as_array().size(), 1u);
    EXPECT_EQ(str(a.nextOfType("peer-left")["peerId"]), moverId);
    EXPECT_EQ(str(b.nextOfType("peer-joined")["peerId"]), moverId);
}

TEST_F(Signaling, EveryMalformedMessageGetsItsCodeAndTheSocketStaysOpen) {
    WsClient client(server.port());
    EXPECT_EQ(errorCodeFor(client, "{not json"), "bad-json");
    EXPECT_EQ(errorCodeFor(client, "[1,2]"), "bad-json");
    EXPECT_EQ(errorCodeFor(client, R"({"roomId":"abc"})"), "bad-message");
    EXPECT_EQ(errorCodeFor(client, R"({"type":"dance"})"), "unknown-type");
    EXPECT_EQ(errorCodeFor(client, R"({"type":"room-joined"})"), "unknown-type");
    EXPECT_EQ(errorCodeFor(client, R"({"type":"join","roomId":"a b"})"), "invalid-room-id");
    EXPECT_EQ(errorCodeFor(client, R"({"type":"join","roomId":"ab"})"), "invalid-room-id");
    EXPECT_EQ(errorCodeFor(client, R"({"type":"join","roomId":"abc","data":{"name":")" +
                                       std::string(65, 'x') + R"("}})"),
              "invalid-name");
    EXPECT_EQ(errorCodeFor(client, R"({"type":"leave"})"), "not-in-room");
    EXPECT_EQ(errorCodeFor(client, json::serialize(offerTo("someone"))), "not-in-room");
    const auto selfId = str(client.join("valid-room")["peerId"]);
    auto wrongType = offerTo("x");
    wrongType["data"].as_object()["type"] = "answer";
    EXPECT_EQ(errorCodeFor(client, json::serialize(wrongType)), "invalid-sdp");
    auto noSdp = offerTo("x");
    noSdp["data"].as_object()["sdp"] = "hello";
    EXPECT_EQ(errorCodeFor(client, json::serialize(noSdp)), "invalid-sdp");
    EXPECT_EQ(errorCodeFor(client, R"({"type":"offer","data":{"type":"offer","sdp":"v=0"}})"),
              "bad-message");
    auto badCandidate = candidateTo("x");
    badCandidate["data"].as_object()["candidate"] = 42;
    EXPECT_EQ(errorCodeFor(client, json::serialize(badCandidate)), "invalid-candidate");
    EXPECT_EQ(errorCodeFor(client, json::serialize(offerTo("0123456789abcdef0123456789abcdef"))),
              "peer-not-found");
    EXPECT_EQ(errorCodeFor(client, json::serialize(offerTo(selfId))), "bad-message");
    EXPECT_EQ(errorCodeFor(client, R"({"type":"media-state","data":{"audio":"yes"}})"),
              "bad-message");
    EXPECT_EQ(errorCodeFor(client, std::string(200, '[') + std::string(200, ']')), "bad-json");

    client.sendBinary("\x01\x02\x03");
    EXPECT_EQ(str(client.nextOfType("error")["code"]), "bad-message");

    client.send(R"({"type":"ping"})");
    EXPECT_EQ(str(client.nextOfType("pong")["type"]), "pong");
    EXPECT_FALSE(client.closed());
}

TEST(SignalingLimits, OversizedFrameGetsMessageTooLargeThenClose1009) {
    ServerProcess server(Env{{"MAX_MESSAGE_BYTES", "4096"}});
    WsClient client(server.port());
    client.send(std::string(R"({"type":"ping","pad":")") + std::string(5000, 'x') + "\"}");
    EXPECT_EQ(str(client.nextOfType("error")["code"]), "message-too-large");
    EXPECT_EQ(client.waitClosed(), 1009);
}

TEST(SignalingLimits, JustUnderTheLimitIsAccepted) {
    ServerProcess server(Env{{"MAX_MESSAGE_BYTES", "4096"}});
    WsClient client(server.port());
    std::string message = R"({"type":"ping","pad":")";
    message += std::string(4096 - message.size() - 2, 'x') + "\"}";
    ASSERT_EQ(message.size(), 4096u);
    client.send(message);
    EXPECT_EQ(str(client.nextOfType("pong")["type"]), "pong");
}

TEST(SignalingLimits, FloodIsRateLimitedThenClosed1008) {
    ServerProcess server(Env{{"MAX_WS_MESSAGES_PER_SEC", "5"}});
    WsClient client(server.port());
    for (int i = 0; i < 30; ++i) client.send(R"({"type":"ping"})");
    int pongs = 0;
    std::string code;
    while (auto text = client.receive()) {
        auto message = json::parse(*text).as_object();
        if (str(message["type"]) == "pong") ++pongs;
        if (str(message["type"]) == "error") code = str(message["code"]);
    }
    EXPECT_EQ(code, "rate-limited");
    EXPECT_LE(pongs, 11) << "burst is twice the rate";
    EXPECT_GE(pongs, 10);
    EXPECT_EQ(client.waitClosed(), 1008);
}

TEST(SignalingLimits, InvalidUtf8TextFrameIsClosed1007) {
    ServerProcess server;
    WsClient client(server.port());
    client.send(std::string("{\"type\":\"ping\",\"x\":\"\xC3\x28\"}"));
    EXPECT_EQ(client.waitClosed(), 1007);
}

// With RESUME_GRACE_SECONDS=0 a dropped socket is announced at once (ResumeTest covers the
// grace period).
TEST(SignalingLimits, PeerLeftOnDisconnectWithoutCloseFrameWhenNoGrace) {
    ServerProcess server(Env{{"RESUME_GRACE_SECONDS", "0"}});
    WsClient stayer(server.port());
    stayer.join("drop-room");
    std::string leaverId;
    {
        WsClient leaver(server.port());
        leaverId = str(leaver.join("drop-room")["peerId"]);
        stayer.nextOfType("peer-joined");
    }  // destroyed: TCP closed with no close frame
    EXPECT_EQ(str(stayer.nextOfType("peer-left")["peerId"]), leaverId);
}
