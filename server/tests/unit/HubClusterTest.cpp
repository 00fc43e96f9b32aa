// The hub with a clustered bus: what it hands the bus and what it does with the answers.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "HubHarness.hpp"
#include "cluster/Bus.hpp"

using namespace pulsemeet;
using namespace pulsemeet::signaling;
using namespace pulsemeet::wire;
using namespace pulsemeet::signaling::testing;

namespace {

// Records every call; join answers wait until the test gives them, as a real bus answers later.
class RecordingBus : public cluster::Bus {
  public:
    bool clustered() const override { return true; }
    void start(cluster::BusSink&) override {}
    void stop() override {}
    void join(const std::string&, const std::string& peerId, const std::string&, const std::string&,
              int capacity, JoinCallback done) override {
        joins.emplace_back(peerId, std::move(done));
        lastCapacity = capacity;
    }
    void leave(const std::string&, const std::string& peerId, SharedMessage) override {
        left.push_back(peerId);
    }
    void announceJoined(const std::string&, const std::string& peerId, const std::string&,
                        const std::string&, SharedMessage) override {
        announced.push_back(peerId);
    }
    void announceMedia(const std::string&, const std::string& peerId, const std::string&,
                       SharedMessage) override {
        media.push_back(peerId);
    }
    cluster::RelayOutcome relay(const std::string&, const std::string&, const std::string& target,
                                MessageType, SharedMessage) override {
        relayed.push_back(target);
        return relayOutcome;
    }
    struct Swap {
        std::string peerId, expected, next;
        ResumeSwapCallback done;
    };
    void swapResumeNonce(const std::string& peerId, const std::string& expected,
                         const std::string& next, std::chrono::seconds,
                         ResumeSwapCallback done) override {
        swaps.push_back({peerId, expected, next, std::move(done)});
    }
    std::vector<Swap> swaps;

    std::vector<std::pair<std::string, JoinCallback>> joins;
    int lastCapacity = 0;
    std::vector<std::string> left, announced, media, relayed;
    cluster::RelayOutcome relayOutcome = cluster::RelayOutcome::queued;
};

class HubClusterTest : public HubHarness {
  protected:
    HubClusterTest() {
        HubOptions options;
        options.maxPeersPerRoom = 4;
        options.bus = &bus;
        options.resumeTokens = &tokens;
        makeHub(std::move(options));
    }
    // A hub that holds a dropped peer's place, as one with RESUME_GRACE_SECONDS does.
    void holdPlaces() {
        HubOptions options;
        options.maxPeersPerRoom = 4;
        options.bus = &bus;
        options.resumeTokens = &tokens;
        options.hold.grace = std::chrono::seconds(20);
        makeHub(std::move(options));
    }
    ~HubClusterTest() override { hub.reset(); }  // it points at the bus, which goes first
    // Joins through the bus, which admits with the given remote peers. The client counts what
    // it receives (data.received), as ours does, so its dropped place is held.
    void joinAdmitted(const std::string& id, std::vector<cluster::RemotePeer> remote = {}) {
        send(id, R"({"type":"join","roomId":"room","data":{"received":0}})");
        ASSERT_FALSE(bus.joins.empty());
        auto [peerId, done] = std::move(bus.joins.back());
        bus.joins.pop_back();
        EXPECT_EQ(peerId, id);
        done(cluster::JoinOutcome{true, std::move(remote)});
    }
    std::string relayTo(const std::string& target) {
        return R"({"type":"ice-candidate","targetId":")" + target +
               R"(","data":{"candidate":"candidate:1 1 udp 1 127.0.0.1 9 typ host"}})";
    }

    // The resume token of the last room-joined `link` received.
    static std::string tokenOf(const RecordingLink& link) {
        for (auto it = link.inbox.rbegin(); it != link.inbox.rend(); ++it) {
            auto message = boost::json::parse(**it).as_object();
            if (message.at("type").as_string() != "room-joined") continue;
            return std::string(message.at("data").as_object().at("resumeToken").as_string());
        }
        ADD_FAILURE() << "no room-joined";
        return {};
    }
    // Sends a resuming join from a client that counted `received` messages on the connection it
    // resumes; returns the bus's question about the token.
    RecordingBus::Swap resumeJoin(const std::string& id, const std::string& token,
                                  std::uint64_t received = 0) {
        send(id, R"({"type":"join","roomId":"room","data":{"resumeToken":")" + token +
                     R"(","received":)" + std::to_string(received) + "}}");
        EXPECT_FALSE(bus.swaps.empty());
        if (bus.swaps.empty()) return {};
        auto swap = std::move(bus.swaps.back());
        bus.swaps.pop_back();
        return swap;
    }
    // Answers the bus's pending join of `peerId`.
    void admit(const std::string& peerId) {
        ASSERT_FALSE(bus.joins.empty());
        auto [joined, done] = std::move(bus.joins.back());
        bus.joins.pop_back();
        EXPECT_EQ(joined, peerId);
        done(cluster::JoinOutcome{true, {}});
    }

    ResumeTokens tokens{"secret", std::chrono::hours(1), "this-instance"};
    RecordingBus bus;
};

}  // namespace

TEST_F(HubClusterTest, RoomJoinedListsRemotePeersAndTheJoinIsAnnounced) {
    auto a = connect("a");
    joinAdmitted("a", {{"remote", "Rita", R"({"audio":false,"video":true,"screen":false})"}});
    EXPECT_EQ(bus.lastCapacity, 4);
    auto joined = a->take();
    EXPECT_EQ(joined["type"].as_string(), "room-joined");
    auto peers = joined["data"].as_object()["peers"].as_array();
    ASSERT_EQ(peers.size(), 1u);
    EXPECT_EQ(peers[0].as_object()["peerId"].as_string(), "remote");
    EXPECT_EQ(peers[0].as_object()["name"].as_string(), "Rita");
    EXPECT_EQ(bus.announced, std::vector<std::string>{"a"});
}

TEST_F(HubClusterTest, TheBusRefusingMeansRoomFull) {
    auto a = connect("a");
    send("a", R"({"type":"join","roomId":"room"})");
    ASSERT_EQ(bus.joins.size(), 1u);
    EXPECT_TRUE(a->inbox.empty()) << "nothing before the bus answers";
    bus.joins[0].second(cluster::JoinOutcome{false, {}});
    EXPECT_EQ(a->take()["code"].as_string(), "room-full");
    EXPECT_TRUE(hub->roomMembers("room").empty());
}

TEST_F(HubClusterTest, LocalTargetsNeverTouchTheBusRemoteOnesDo) {
    auto a = connect("a");
    auto b = connect("b");
    joinAdmitted("a");
    joinAdmitted("b");
    a->inbox.clear();
    b->inbox.clear();
    send("a", relayTo("b"));
    EXPECT_EQ(b->take()["type"].as_string(), "ice-candidate");
    EXPECT_TRUE(bus.relayed.empty());

    send("a", relayTo("elsewhere"));
    EXPECT_EQ(bus.relayed, std::vector<std::string>{"elsewhere"});
    EXPECT_TRUE(a->inbox.empty()) << "queued: no error";

    bus.relayOutcome = cluster::RelayOutcome::unknownTarget;
    send("a", relayTo("nobody"));
    EXPECT_EQ(a->take()["code"].as_string(), "peer-not-found");
    // The bus's buffer is full: the peer exists, so the client is told to retry, not to forget.
    bus.relayOutcome = cluster::RelayOutcome::overloaded;
    send("a", relayTo("far"));
    auto refused = a->take();
    EXPECT_EQ(refused["code"].as_string(), "peer-unreachable");
    EXPECT_EQ(refused["targetId"].as_string(), "far");
}

TEST_F(HubClusterTest, EventsFromOtherInstancesReachTheRoomOrTheTarget) {
    auto a = connect("a");
    auto b = connect("b");
    auto outsider = connect("c");
    joinAdmitted("a");
    joinAdmitted("b");
    a->inbox.clear();
    b->inbox.clear();
    hub->deliverFromCluster("room", {}, MessageType::peerLeft, share(R"({"type":"peer-left"})"));
    EXPECT_EQ(a->take()["type"].as_string(), "peer-left");
    EXPECT_EQ(b->take()["type"].as_string(), "peer-left");
    hub->deliverFromCluster("room", "b", MessageType::offer, share(R"({"type":"offer"})"));
    EXPECT_TRUE(a->inbox.empty());
    EXPECT_EQ(b->take()["type"].as_string(), "offer");
    // A target that is not in that room is not reached.
    hub->deliverFromCluster("room", "c", MessageType::offer, share(R"({"type":"offer"})"));
    EXPECT_TRUE(outsider->inbox.empty());
}

TEST_F(HubClusterTest, LeavingAndMediaStateAreShared) {
    auto a = connect("a");
    joinAdmitted("a");
    send("a", R"({"type":"media-state","data":{"audio":false,"video":true,"screen":false}})");
    EXPECT_EQ(bus.media, std::vector<std::string>{"a"});
    hub->detach("a");
    EXPECT_EQ(bus.left, std::vector<std::string>{"a"});
}

TEST_F(HubClusterTest, APeerGoneBeforeTheBusAnswersGivesItsPlaceBack) {
    connect("a");
    send("a", R"({"type":"join","roomId":"room"})");
    hub->detach("a");
    bus.joins[0].second(cluster::JoinOutcome{true, {}});
    EXPECT_EQ(bus.left, std::vector<std::string>{"a"});
    EXPECT_TRUE(hub->roomMembers("room").empty());
}

// Which token of a place is current is the bus's to say (Redis, seen by every instance): a
// token rotated or revoked on another instance is refused here even though this instance
// still holds the place with that very token.
TEST_F(HubClusterTest, AResumeIsDecidedByTheBus) {
    holdPlaces();
    auto a = connect("a");
    joinAdmitted("a");
    auto b = connect("b");
    joinAdmitted("b");
    const std::string token = tokenOf(*b);
    const auto claim = tokens.verify(token);
    ASSERT_TRUE(claim.has_value());
    // Each join stored its token's nonce where the other instances look.
    ASSERT_EQ(bus.swaps.size(), 2u);
    EXPECT_EQ(bus.swaps[1].peerId, "b");
    EXPECT_EQ(bus.swaps[1].expected, "");
    EXPECT_EQ(bus.swaps[1].next, claim->nonce);
    EXPECT_FALSE(bus.swaps[1].done) << "stored without waiting";
    bus.swaps.clear();
    hub->detach("b");  // held here, with that token

    auto thief = connect("x");
    auto asked = resumeJoin("x", token);
    EXPECT_EQ(asked.peerId, "b");
    EXPECT_EQ(asked.expected, claim->nonce);
    EXPECT_TRUE(thief->inbox.empty()) << "nothing until the bus answers";
    asked.done(cluster::ResumeSwap::refused);  // another instance took the place meanwhile
    admit("x");
    EXPECT_EQ(thief->last().at("peerId").as_string(), "x");
    EXPECT_EQ(hub->heldCount(), 1u);

    auto owner = connect("b2");
    asked = resumeJoin("b2", token);
    asked.done(cluster::ResumeSwap::swapped);
    admit("b");
    const auto next = tokens.verify(tokenOf(*owner));
    EXPECT_EQ(owner->take().at("peerId").as_string(), "b");
    // Then what was kept for it while held: the thief's arrival.
    EXPECT_EQ(owner->take().at("type").as_string(), "peer-joined");
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->nonce, asked.next) << "room-joined carries the token the bus now has";
    EXPECT_EQ(hub->heldCount(), 0u);
}

TEST_F(HubClusterTest, WithoutAnAnswerFromTheBusTheInstanceDecidesFromWhatItKnows) {
    holdPlaces();
    auto a = connect("a");
    joinAdmitted("a");
    auto b = connect("b");
    joinAdmitted("b");
    const std::string token = tokenOf(*b);
    hub->detach("b");
    auto owner = connect("b2");
    resumeJoin("b2", token).done(cluster::ResumeSwap::unknown);  // Redis unreachable
    admit("b");
    EXPECT_EQ(owner->last().at("peerId").as_string(), "b");
    hub->detach("b2");
    auto thief = connect("x");
    resumeJoin("x", token).done(cluster::ResumeSwap::unknown);
    admit("x");
    EXPECT_EQ(thief->last().at("peerId").as_string(), "x") << "spent here: refused";
}

TEST_F(HubClusterTest, LeavingAndHangingUpStoreATombstone) {
    auto a = connect("a");
    joinAdmitted("a");
    auto b = connect("b");
    joinAdmitted("b");
    const auto aNonce = tokens.verify(tokenOf(*a))->nonce;
    const auto bNonce = tokens.verify(tokenOf(*b))->nonce;
    bus.swaps.clear();
    send("a", R"({"type":"leave"})");
    ASSERT_EQ(bus.swaps.size(), 1u);
    EXPECT_EQ(bus.swaps[0].peerId, "a");
    EXPECT_EQ(bus.swaps[0].expected, aNonce);
    EXPECT_EQ(bus.swaps[0].next, std::string(kRevokedResumeNonce));
    hub->detach("b", Departure::left);
    ASSERT_EQ(bus.swaps.size(), 2u);
    EXPECT_EQ(bus.swaps[1].peerId, "b");
    EXPECT_EQ(bus.swaps[1].expected, bNonce);
    EXPECT_EQ(bus.swaps[1].next, std::string(kRevokedResumeNonce));
}
