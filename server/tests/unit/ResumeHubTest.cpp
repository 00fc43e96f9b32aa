// The hub's held places and resume, with a fake token scheme and a controlled clock.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "HubHarness.hpp"
#include "signaling/HeldPeers.hpp"

using namespace pulsemeet;
using namespace pulsemeet::signaling;
using namespace pulsemeet::signaling::testing;

namespace {

class ResumeHubTest : public HubHarness {
  protected:
    ResumeHubTest() {
        HubOptions options;
        options.resumeToken = [](const std::string& room, const std::string& peer) {
            return room + "/" + peer;
        };
        // "room/peer" is valid; anything else is forged.
        options.verifyResumeToken = [](std::string_view token) -> std::optional<ResumeClaim> {
            const auto slash = token.find('/');
            if (slash == std::string_view::npos) return std::nullopt;
            return ResumeClaim{std::string(token.substr(0, slash)),
                               std::string(token.substr(slash + 1))};
        };
        options.hold.grace = std::chrono::seconds(20);
        options.hold.maxMessages = 3;
        makeHub(std::move(options));
    }

    void join(const std::string& id, const std::string& token = "") {
        send(id, R"({"type":"join","roomId":"room","data":{"resumeToken":")" + token + "\"}}");
    }

    void offer(const std::string& from, const std::string& to, const std::string& tag = "") {
        send(from, R"({"type":"offer","targetId":")" + to +
                       R"(","data":{"type":"offer","sdp":"v=0\r\n)" + tag + "\"}}");
    }

    // "a" and "b" in the room, then b's socket drops: its place is held. Returns a's link.
    std::shared_ptr<RecordingLink> withHeldPeer() {
        auto a = connect("a");
        connect("b");
        join("a");
        join("b");
        hub->detach("b");
        return a;
    }

    // A join from a client that counts what it receives (data.received).
    void countingJoin(const std::string& id, std::uint64_t received,
                      const std::string& token = "") {
        send(id, R"({"type":"join","roomId":"room","data":{"resumeToken":")" + token +
                     R"(","received":)" + std::to_string(received) + "}}");
    }
};

}  // namespace

TEST_F(ResumeHubTest, ADroppedPeerIsHeldSilentlyAndResumesUnderItsId) {
    auto a = connect("a");
    auto b = connect("b");
    join("a");
    join("b");
    hub->detach("b");
    EXPECT_EQ(hub->heldCount(), 1u);
    EXPECT_EQ(hub->roomMembers("room").size(), 2u) << "the place is kept";
    offer("a", "b");
    EXPECT_EQ(a->types(), (std::vector<std::string>{"room-joined", "peer-joined"}))
        << "no error, no peer-left";

    auto again = connect("b2");
    join("b2", "room/b");
    EXPECT_EQ(again->types(), (std::vector<std::string>{"room-joined", "offer"}));
    EXPECT_EQ(hub->heldCount(), 0u);
    // The transport keeps using its own id; the hub maps it to the resumed one.
    offer("b2", "a");
    EXPECT_EQ(a->last().at("peerId").as_string(), "b");
    hub->detach("b2", Departure::left);
    EXPECT_EQ(a->last().at("type").as_string(), "peer-left");
    EXPECT_EQ(hub->connectionCount(), 1u);
}

TEST_F(ResumeHubTest, TheGracePeriodEndsThePlace) {
    auto a = withHeldPeer();
    hub->sweep(Hub::Clock::now() + std::chrono::seconds(5));
    EXPECT_EQ(a->last().at("type").as_string(), "peer-joined");
    hub->sweep(Hub::Clock::now() + std::chrono::seconds(21));
    EXPECT_EQ(a->last().at("type").as_string(), "peer-left");
    EXPECT_EQ(hub->heldCount(), 0u);
}

TEST_F(ResumeHubTest, AnOverflowingBufferEndsThePlaceRatherThanLosingMessages) {
    auto a = withHeldPeer();
    for (int i = 0; i < 4; ++i) offer("a", "b");  // one more than the buffer holds
    hub->sweep();
    EXPECT_EQ(a->last().at("type").as_string(), "peer-left");
    EXPECT_EQ(metrics.heldOverflows.value(), 1u);
}

TEST_F(ResumeHubTest, AForgedTokenIsAnOrdinaryJoin) {
    auto a = withHeldPeer();
    auto intruder = connect("x");
    join("x", "forged");
    EXPECT_EQ(intruder->last().at("peerId").as_string(), "x");
    EXPECT_EQ(a->last().at("type").as_string(), "peer-joined");
    // A valid token for another room is no better.
    auto other = connect("y");
    send("y", R"({"type":"join","roomId":"elsewhere","data":{"resumeToken":"room/b"}})");
    EXPECT_EQ(other->last().at("peerId").as_string(), "y");
}

TEST_F(ResumeHubTest, ARebuiltRoomDoesNotAnnounceResumedPeersToEachOther) {
    // A fresh hub after a restart: nothing is held, tokens still verify.
    auto a = connect("a2");
    join("a2", "room/a");
    auto b = connect("b2");
    join("b2", "room/b");
    EXPECT_EQ(a->types(), (std::vector<std::string>{"room-joined"}));
    EXPECT_EQ(b->last().at("peerId").as_string(), "b");
    auto c = connect("c");
    join("c");
    EXPECT_EQ(a->last().at("type").as_string(), "peer-joined");
    EXPECT_EQ(b->last().at("type").as_string(), "peer-joined");
    // A resumed peer is announced to someone who never met it.
    hub->detach("b2", Departure::left);
    auto b3 = connect("b3");
    join("b3", "room/b");
    EXPECT_EQ(a->last().at("type").as_string(), "peer-joined");
    EXPECT_EQ(a->last().at("peerId").as_string(), "b");
}

TEST_F(ResumeHubTest, ResumeTakesOverAStillOpenOldSocket) {
    auto a = connect("a");
    auto oldLink = connect("b");
    join("a");
    join("b");
    auto fresh = connect("b2");
    join("b2", "room/b");
    EXPECT_EQ(oldLink->closedWith, CloseCode::normal);
    hub->detach("b");  // the old socket's late close changes nothing
    EXPECT_EQ(a->last().at("type").as_string(), "peer-joined");
    offer("a", "b");
    EXPECT_EQ(fresh->last().at("type").as_string(), "offer");
}

namespace {

// The sdp tags of the offers in `inbox`, in order.
std::vector<std::string> offerTags(const RecordingLink& link) {
    std::vector<std::string> tags;
    for (const auto& message : link.inbox) {
        auto parsed = boost::json::parse(*message).as_object();
        if (parsed.at("type").as_string() != "offer") continue;
        const std::string sdp(parsed.at("data").as_object().at("sdp").as_string());
        tags.push_back(sdp.substr(sdp.find('\n') + 1));
    }
    return tags;
}

}  // namespace

TEST_F(ResumeHubTest, WhatADyingSocketSwallowedIsReplayedFromWhatTheClientCounted) {
    auto a = connect("a");
    connect("b");
    join("a");
    countingJoin("b", 0);
    // Written to b's socket, but its client read only the first before the socket died.
    offer("a", "b", "1");
    offer("a", "b", "2");
    hub->detach("b");
    offer("a", "b", "3");  // sent while it is away

    auto again = connect("b2");
    countingJoin("b2", 1, "room/b");
    EXPECT_EQ(again->types(), (std::vector<std::string>{"room-joined", "offer", "offer"}));
    EXPECT_EQ(offerTags(*again), (std::vector<std::string>{"2", "3"}));
    EXPECT_EQ(a->types(), (std::vector<std::string>{"room-joined", "peer-joined"}));
}

TEST_F(ResumeHubTest, ResumingOnANewSocketReplaysWhatTheStillOpenOldOneWasSent) {
    auto a = connect("a");
    auto oldLink = connect("b");
    join("a");
    countingJoin("b", 0);
    offer("a", "b", "1");  // half-open: the client never sees it
    auto fresh = connect("b2");
    countingJoin("b2", 0, "room/b");
    EXPECT_EQ(oldLink->closedWith, CloseCode::normal);
    EXPECT_EQ(offerTags(*fresh), (std::vector<std::string>{"1"}));
    // The replayed message is part of the new stream: acknowledged counts go on from there.
    hub->detach("b2");
    offer("a", "b", "2");
    auto third = connect("b3");
    countingJoin("b3", 1, "room/b");
    EXPECT_EQ(offerTags(*third), (std::vector<std::string>{"2"}));
}

TEST_F(ResumeHubTest, AcknowledgedMessagesAreForgottenAndAGapEndsThePlaceVisibly) {
    auto a = connect("a");
    connect("b");
    join("a");
    countingJoin("b", 0);
    offer("a", "b", "1");
    offer("a", "b", "2");
    hub->acknowledge("b", 2);  // a ping said so: nothing left to replay
    hub->detach("b");
    // A client claiming fewer than it acknowledged lacks messages the server no longer has:
    // not seamless, so the others see it leave and come back rather than nothing at all.
    auto again = connect("b2");
    countingJoin("b2", 1, "room/b");
    EXPECT_TRUE(offerTags(*again).empty());
    const auto types = a->types();
    EXPECT_EQ(std::vector<std::string>(types.end() - 2, types.end()),
              (std::vector<std::string>{"peer-left", "peer-joined"}));
}

TEST(DeliveryLog, KeepsTheUnacknowledgedTailWithinBounds) {
    DeliveryLog log;
    for (std::size_t i = 0; i < DeliveryLog::kMaxEntries + 5; ++i) {
        log.record(MessageType::offer, share(std::to_string(i)));
    }
    EXPECT_EQ(log.sent(), DeliveryLog::kMaxEntries + 5);
    EXPECT_EQ(log.firstIndex(), 5u) << "the oldest were forgotten";
    log.acknowledge(10);
    EXPECT_EQ(log.firstIndex(), 10u);
    log.acknowledge(3);  // an older count changes nothing
    EXPECT_EQ(log.firstIndex(), 10u);
    log.record(MessageType::answer, share(std::string(DeliveryLog::kMaxBytes, 'x')));
    const auto entries = log.release();
    ASSERT_EQ(entries.size(), 1u) << "the byte bound forgets older entries too";
    EXPECT_EQ(entries.front().first, MessageType::answer);
}

TEST(HeldPeers, BuffersInOrderWithinLimitsAndExpires) {
    HeldPeers held(HoldLimits{std::chrono::milliseconds(1000), 2, 1024});
    const auto t0 = HeldPeers::Clock::now();
    held.hold("p", "room", t0);
    EXPECT_EQ(held.buffer("q", MessageType::offer, share("x")), HeldPeers::BufferResult::refused);
    EXPECT_EQ(held.buffer("p", MessageType::offer, share("1")), HeldPeers::BufferResult::kept);
    EXPECT_EQ(held.buffer("p", MessageType::answer, share("2")), HeldPeers::BufferResult::kept);
    EXPECT_TRUE(held.expire(t0 + std::chrono::milliseconds(999)).empty());
    auto place = held.take("p");
    ASSERT_TRUE(place.has_value());
    ASSERT_EQ(place->messages.size(), 2u);
    EXPECT_EQ(*place->messages[1].second, "2");
    held.hold("p", "room", t0);
    EXPECT_EQ(held.expire(t0 + std::chrono::milliseconds(1000)).size(), 1u);
    held.hold("p", "room", t0);
    EXPECT_EQ(held.buffer("p", MessageType::offer, share(std::string(2000, 'x'))),
              HeldPeers::BufferResult::overflowed);
    EXPECT_EQ(held.expire(t0).size(), 1u) << "an overflowed place ends at once";
}
