#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "HubHarness.hpp"
#include "signaling/SignalingConnection.hpp"

using namespace pulsemeet;
using namespace pulsemeet::signaling;
using namespace pulsemeet::wire;
using namespace pulsemeet::signaling::testing;

namespace {

class HubTest : public HubHarness {
  protected:
    HubTest() {
        HubOptions options;
        options.maxPeersPerRoom = 2;
        options.iceServersJson = [](const std::string&, std::int64_t) { return std::string("[]"); };
        options.resumeTokens = &tokens;
        makeHub(std::move(options));
    }
    ~HubTest() override { hub.reset(); }  // it points at the tokens

    ResumeTokens tokens{"secret", std::chrono::hours(1)};

    void join(const std::string& id, const std::string& room, const std::string& name = "") {
        send(id, R"({"type":"join","roomId":")" + room + R"(","data":{"name":")" + name + "\"}}");
    }
};

}  // namespace

TEST_F(HubTest, JoinListsExistingPeersAndAnnouncesTheNewcomer) {
    auto a = connect("a");
    auto b = connect("b");
    join("a", "room", "Ann");
    auto joinedA = a->take();
    const auto claim =
        tokens.verify(std::string(joinedA["data"].as_object()["resumeToken"].as_string()));
    ASSERT_TRUE(claim.has_value());
    EXPECT_EQ(claim->roomId, "room");
    EXPECT_EQ(claim->peerId, "a");
    join("b", "room", "Ben");
    auto joinedB = b->take();
    auto peers = joinedB["data"].as_object()["peers"].as_array();
    ASSERT_EQ(peers.size(), 1u);
    EXPECT_EQ(peers[0].as_object()["name"].as_string(), "Ann");
    auto announced = a->take();
    EXPECT_EQ(announced["type"].as_string(), "peer-joined");
    EXPECT_EQ(announced["peerId"].as_string(), "b");
    EXPECT_EQ(hub->roomCount(), 1u);
    EXPECT_EQ(metrics.peers.value(), 2);
}

TEST_F(HubTest, CapacityIsEnforcedAndRejoiningTheSameRoomIsHarmless) {
    auto a = connect("a"), b = connect("b"), c = connect("c");
    join("a", "room");
    join("b", "room");
    join("c", "room");
    a->inbox.clear();
    EXPECT_EQ(c->take()["code"].as_string(), "room-full");
    join("a", "room");
    EXPECT_EQ(a->takeType(), "room-joined");
    EXPECT_EQ(b->inbox.size(), 1u) << "b saw its own room-joined and nothing since";
}

TEST_F(HubTest, MovingRoomsLeavesTheOldOneAndFullTargetKeepsYouWhereYouWere) {
    auto a = connect("a"), b = connect("b"), c = connect("c"), d = connect("d");
    join("a", "one");
    join("b", "one");
    join("c", "two");
    join("d", "two");
    for (auto* link : {a.get(), b.get(), c.get(), d.get()}) link->inbox.clear();
    join("a", "two");
    EXPECT_EQ(a->take()["code"].as_string(), "room-full");
    EXPECT_TRUE(b->inbox.empty());
    send("d", R"({"type":"leave"})");
    EXPECT_EQ(c->take()["type"].as_string(), "peer-left");
    join("a", "two");
    EXPECT_EQ(a->takeType(), "room-joined");
    EXPECT_EQ(b->take()["type"].as_string(), "peer-left");
    EXPECT_EQ(c->take()["type"].as_string(), "peer-joined");
    EXPECT_EQ(hub->roomMembers("one"), std::vector<std::string>{"b"});
}

TEST_F(HubTest, RoomsAreRemovedWhenEmpty) {
    connect("a");
    join("a", "room");
    EXPECT_EQ(hub->roomCount(), 1u);
    hub->detach("a");
    EXPECT_EQ(hub->roomCount(), 0u);
    EXPECT_EQ(hub->connectionCount(), 0u);
    EXPECT_EQ(metrics.rooms.value(), 0);
    EXPECT_EQ(metrics.peers.value(), 0);
}

TEST_F(HubTest, RelayStampsTheSenderAndReachesOnlyTheTarget) {
    auto a = connect("a"), b = connect("b"), outsider = connect("x");
    join("a", "room");
    join("b", "room");
    join("x", "elsewhere");
    a->inbox.clear();
    b->inbox.clear();
    send("a",
         R"({"type":"offer","targetId":"b","peerId":"x","data":{"type":"offer","sdp":"v=0"}})");
    auto offer = b->take();
    EXPECT_EQ(offer["peerId"].as_string(), "a");
    EXPECT_EQ(offer["data"].as_object()["sdp"].as_string(), "v=0");
    EXPECT_TRUE(a->inbox.empty());

    send("a", R"({"type":"ice-candidate","targetId":"x","data":{"candidate":""}})");
    EXPECT_EQ(a->take()["code"].as_string(), "peer-not-found") << "x is in another room";
    send("a", R"({"type":"ice-candidate","targetId":"nobody","data":{"candidate":""}})");
    EXPECT_EQ(a->take()["code"].as_string(), "peer-not-found");
    EXPECT_EQ(metrics.relayLatency.count(), 1u);
}

TEST_F(HubTest, FanOutSharesOneSerialisedMessage) {
    auto a = connect("a"), b = connect("b");
    HubOptions options;
    join("a", "room");
    join("b", "room");
    a->inbox.clear();
    b->inbox.clear();
    auto c = connect("c");
    // Capacity is 2 here, so use media-state for fan-out within the two.
    send("a", R"({"type":"media-state","data":{"audio":false,"video":false,"screen":false}})");
    ASSERT_EQ(b->inbox.size(), 1u);
    EXPECT_TRUE(a->inbox.empty()) << "not echoed to the sender";
    hub->detach("b");
    EXPECT_EQ(a->take()["type"].as_string(), "peer-left");
}

TEST_F(HubTest, ForbiddenRoomAndNameOverrideFromAdmission) {
    auto a = connect("a", Admission{"allowed", "Verified Name", 0, {}});
    join("a", "other");
    EXPECT_EQ(a->take()["code"].as_string(), "forbidden-room");
    auto b = connect("b");
    join("b", "allowed");
    join("a", "allowed", "Fake");
    EXPECT_EQ(b->inbox.size(), 2u);
    auto announced = boost::json::parse(*b->inbox.back()).as_object();
    EXPECT_EQ(announced["data"].as_object()["name"].as_string(), "Verified Name");
}

TEST_F(HubTest, ConnectionRateLimitRepliesThenCloses1008) {
    auto link = std::make_shared<RecordingLink>();
    SignalingConnection connection(*hub, metrics, "limited", 2.0);  // burst 4
    connection.open(link, {});
    const auto now = std::chrono::steady_clock::now();
    for (int i = 0; i < 6; ++i) connection.onText(R"({"type":"ping"})", now);
    int pongs = 0;
    std::string lastCode;
    for (const auto& message : link->inbox) {
        auto parsed = boost::json::parse(*message).as_object();
        if (parsed["type"].as_string() == "pong") ++pongs;
        if (parsed["type"].as_string() == "error") lastCode = parsed["code"].as_string().c_str();
    }
    EXPECT_EQ(pongs, 4);
    EXPECT_EQ(lastCode, "rate-limited");
    EXPECT_EQ(link->closedWith, CloseCode::policyViolation);
    EXPECT_EQ(link->inbox.size(), 5u) << "only one error, later frames are ignored";
}

TEST_F(HubTest, BinaryAndMalformedFramesGetErrors) {
    auto link = std::make_shared<RecordingLink>();
    SignalingConnection connection(*hub, metrics, "conn", 0);
    connection.open(link, {});
    const auto now = std::chrono::steady_clock::now();
    connection.onBinary(now);
    connection.onText("nope", now);
    connection.onTooLarge(100);
    EXPECT_EQ(link->take()["code"].as_string(), "bad-message");
    EXPECT_EQ(link->take()["code"].as_string(), "bad-json");
    EXPECT_EQ(link->take()["code"].as_string(), "message-too-large");
    EXPECT_FALSE(link->closedWith.has_value());
    EXPECT_EQ(metrics.errors(ErrorCode::badJson).value(), 1u);
}

TEST_F(HubTest, CloseAllAlsoClosesConnectionsAttachedDuringTheDrain) {
    auto early = connect("early");
    hub->closeAll(CloseCode::serviceRestart, "server restarting");
    EXPECT_EQ(early->closedWith, CloseCode::serviceRestart);
    auto late = connect("late");
    EXPECT_EQ(late->closedWith, CloseCode::serviceRestart);
}
