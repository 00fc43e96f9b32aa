// The hub's held places and resume, with a fake token scheme and a controlled clock.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "HubHarness.hpp"
#include "signaling/HeldPeers.hpp"

using namespace pulsemeet;
using namespace pulsemeet::signaling;
using namespace pulsemeet::wire;
using namespace pulsemeet::signaling::testing;

namespace {

using namespace std::chrono_literals;

class ResumeHubTest : public HubHarness {
  protected:
    ResumeHubTest() {
        HubOptions options;
        options.resumeTokens = &tokens;
        options.wallClock = [this] { return wallNow; };
        options.hold.grace = std::chrono::seconds(20);
        options.hold.maxMessages = 3;
        makeHub(std::move(options));
    }
    ~ResumeHubTest() override { hub.reset(); }  // it points at the tokens and the clock

    // A join from our kind of client, which counts what it receives (data.received) and so is
    // the kind whose place is held: `received` is what it counted on the connection it resumes
    // with `token` (a fresh client has counted nothing).
    void join(const std::string& id, const std::string& token = "", std::uint64_t received = 0) {
        countingJoin(id, received, token);
    }
    // A join from a client that does not count (roomId and name only): it never resumes.
    void plainJoin(const std::string& id) {
        send(id, R"({"type":"join","roomId":"room","data":{"name":"Plain"}})");
    }

    void offer(const std::string& from, const std::string& to, const std::string& tag = "") {
        send(from, R"({"type":"offer","targetId":")" + to +
                       R"(","data":{"type":"offer","sdp":"v=0\r\n)" + tag + "\"}}");
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
    // The peer id the last room-joined `link` received gave it.
    static std::string idOf(const RecordingLink& link) {
        for (auto it = link.inbox.rbegin(); it != link.inbox.rend(); ++it) {
            auto message = boost::json::parse(**it).as_object();
            if (message.at("type").as_string() == "room-joined") {
                return std::string(message.at("peerId").as_string());
            }
        }
        ADD_FAILURE() << "no room-joined";
        return {};
    }

    // "a" and "b" in the room, then b's socket drops: its place is held. Returns a's link;
    // `bToken` is b's resume token.
    std::shared_ptr<RecordingLink> withHeldPeer() {
        auto a = connect("a");
        auto b = connect("b");
        join("a");
        join("b");
        bToken = tokenOf(*b);
        hub->detach("b");
        return a;
    }

    // A join from a client that counts what it receives (data.received).
    void countingJoin(const std::string& id, std::uint64_t received,
                      const std::string& token = "") {
        send(id, R"({"type":"join","roomId":"room","data":{"resumeToken":")" + token +
                     R"(","received":)" + std::to_string(received) + "}}");
    }

    ResumeTokens tokens{"secret", std::chrono::hours(1), "this-process"};
    // The same secret in the process that ran before a restart.
    ResumeTokens earlier{"secret", std::chrono::hours(1), "earlier-process"};
    std::chrono::system_clock::time_point wallNow = std::chrono::system_clock::now();
    std::string bToken;
};

}  // namespace

TEST_F(ResumeHubTest, ADroppedPeerIsHeldSilentlyAndResumesUnderItsId) {
    auto a = connect("a");
    auto b = connect("b");
    join("a");
    join("b");
    const std::string token = tokenOf(*b);
    hub->detach("b");
    EXPECT_EQ(hub->heldCount(), 1u);
    EXPECT_EQ(hub->roomMembers("room").size(), 2u) << "the place is kept";
    offer("a", "b");
    EXPECT_EQ(a->types(), (std::vector<std::string>{"room-joined", "peer-joined"}))
        << "no error, no peer-left";

    auto again = connect("b2");
    join("b2", token);
    EXPECT_EQ(again->types(), (std::vector<std::string>{"room-joined", "offer"}));
    EXPECT_EQ(idOf(*again), "b");
    EXPECT_EQ(hub->heldCount(), 0u);
    EXPECT_EQ(metrics.resumes.value(), 1u);
    // The transport keeps using its own id; the hub maps it to the resumed one.
    offer("b2", "a");
    EXPECT_EQ(a->last().at("peerId").as_string(), "b");
    hub->detach("b2", Departure::left);
    EXPECT_EQ(a->last().at("type").as_string(), "peer-left");
    EXPECT_EQ(hub->connectionCount(), 1u);
}

// A client that never said it counts (the plain contract: roomId and name) does not resume: a
// held place would be a ghost for the whole grace period, and its next connection a second
// person. Its drop is announced at once and its token dies with the place.
TEST_F(ResumeHubTest, ADroppedClientThatDoesNotCountIsAnnouncedAtOnceAndCannotResume) {
    auto a = connect("a");
    auto plain = connect("p");
    join("a");
    plainJoin("p");
    const std::string token = tokenOf(*plain);
    hub->detach("p");  // dropped: no close frame
    EXPECT_EQ(hub->heldCount(), 0u);
    EXPECT_EQ(hub->roomMembers("room"), std::vector<std::string>{"a"});
    const auto left = a->last();
    EXPECT_EQ(left.at("type").as_string(), "peer-left");
    EXPECT_EQ(left.at("peerId").as_string(), "p");
    offer("a", "p");
    EXPECT_EQ(a->last().at("code").as_string(), "peer-not-found");
    auto again = connect("p2");
    join("p2", token);
    EXPECT_EQ(idOf(*again), "p2") << "its token was revoked with its place";
    EXPECT_EQ(metrics.resumesRefused.value(), 1u);

    // Our kind of client, dropped the same way, is held: the others are told nothing.
    auto counting = connect("c");
    join("c");
    hub->detach("c");
    EXPECT_EQ(hub->heldCount(), 1u);
    EXPECT_EQ(a->last().at("type").as_string(), "peer-joined");
    EXPECT_EQ(a->last().at("peerId").as_string(), "c");
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
    send("y", R"({"type":"join","roomId":"elsewhere","data":{"resumeToken":")" + bToken + "\"}}");
    EXPECT_EQ(other->last().at("peerId").as_string(), "y");
    EXPECT_EQ(metrics.resumesRefused.value(), 2u);
    EXPECT_EQ(hub->heldCount(), 1u) << "b's place is untouched";
}

// Attack: a token seen once (a log, a proxy, a shoulder) is reused after its owner resumed.
TEST_F(ResumeHubTest, AnOldTokenIsRefusedOnceAResumeHasRotatedIt) {
    auto a = withHeldPeer();
    auto again = connect("b2");
    join("b2", bToken);
    ASSERT_EQ(idOf(*again), "b");
    const std::string rotated = tokenOf(*again);
    EXPECT_NE(rotated, bToken) << "a resume's room-joined carries a new token";
    // While b2 is connected: the old token takes nothing over.
    auto thief = connect("x");
    join("x", bToken);
    EXPECT_EQ(idOf(*thief), "x");
    EXPECT_FALSE(again->closedWith.has_value()) << "the owner's socket stays";
    // Nor once b2 dropped and its place is held.
    hub->detach("b2");
    auto thief2 = connect("y");
    join("y", bToken);
    EXPECT_EQ(idOf(*thief2), "y");
    EXPECT_EQ(hub->heldCount(), 1u) << "b's place still waits for its owner";
    EXPECT_EQ(a->last().at("peerId").as_string(), "y") << "the thief is a newcomer";
    // The owner, with the rotated token, comes back.
    auto owner = connect("b3");
    join("b3", rotated, again->counted());
    EXPECT_EQ(idOf(*owner), "b");
}

TEST_F(ResumeHubTest, ARejoinOnTheSameConnectionRotatesTheTokenToo) {
    auto a = connect("a");
    auto b = connect("b");
    join("a");
    join("b");
    const std::string first = tokenOf(*b);
    join("b");  // the same room again: room-joined again, with a new token
    const std::string second = tokenOf(*b);
    EXPECT_NE(first, second);
    hub->detach("b");
    auto thief = connect("x");
    join("x", first);
    EXPECT_EQ(idOf(*thief), "x");
    auto owner = connect("b2");
    join("b2", second);
    EXPECT_EQ(idOf(*owner), "b");
}

// Attack: a token kept after its owner pressed Leave.
TEST_F(ResumeHubTest, LeaveRevokesTheToken) {
    auto a = connect("a");
    auto b = connect("b");
    join("a");
    join("b");
    const std::string token = tokenOf(*b);
    send("b", R"({"type":"leave"})");
    EXPECT_EQ(a->last().at("type").as_string(), "peer-left");
    auto thief = connect("x");
    join("x", token);
    EXPECT_EQ(idOf(*thief), "x");
    EXPECT_EQ(a->last().at("peerId").as_string(), "x");
    EXPECT_EQ(metrics.resumesRefused.value(), 1u);
}

// Attack: a token kept after its owner closed the tab (close 1000/1001).
TEST_F(ResumeHubTest, AHangUpReleasesThePlaceAtOnceAndRevokesTheToken) {
    auto a = connect("a");
    auto b = connect("b");
    join("a");
    join("b");
    const std::string token = tokenOf(*b);
    hub->detach("b", Departure::left);
    EXPECT_EQ(a->last().at("type").as_string(), "peer-left") << "at once, no hold";
    EXPECT_EQ(hub->heldCount(), 0u);
    auto thief = connect("x");
    join("x", token);
    EXPECT_EQ(idOf(*thief), "x");
}

TEST_F(ResumeHubTest, TheEndOfTheHoldRevokesTheToken) {
    auto a = withHeldPeer();
    hub->sweep(Hub::Clock::now() + std::chrono::seconds(21));
    EXPECT_EQ(a->last().at("type").as_string(), "peer-left");
    auto late = connect("x");
    join("x", bToken);
    EXPECT_EQ(idOf(*late), "x") << "a token resumes a held place, not one that ended";
}

// Attack: a resume token used after the room token it was issued under has expired, with a
// newer room token (or one for every room) to get through the upgrade.
TEST_F(ResumeHubTest, ATokenNeverOutlivesTheRoomToken) {
    auto a = connect("a");
    join("a");
    const auto roomTokenExpiry = unixSeconds(wallNow + 60s);
    auto b = connect("b", Admission{"room", "", roomTokenExpiry, {}});
    join("b");
    const std::string token = tokenOf(*b);
    const auto claim = tokens.verify(token, wallNow);
    ASSERT_TRUE(claim.has_value());
    EXPECT_EQ(claim->expiresAt, roomTokenExpiry);
    hub->detach("b");
    wallNow += 61s;
    auto thief = connect("x", Admission{"*", "", unixSeconds(wallNow + 3600s), {}});
    join("x", token);
    EXPECT_EQ(idOf(*thief), "x");
}

// Attack: the new connection's own room token expired (the upgrade allows 30 s of leeway, and a
// socket may stay open long after): it cannot take a place over.
TEST_F(ResumeHubTest, AConnectionWhoseRoomTokenExpiredCannotResume) {
    auto a = withHeldPeer();
    auto stale = connect("x", Admission{"room", "", unixSeconds(wallNow - 1s), {}});
    join("x", bToken);
    EXPECT_EQ(idOf(*stale), "x");
    EXPECT_EQ(hub->heldCount(), 1u);
    // The refusal did not spend the token: its owner, with a valid room token, resumes.
    auto owner = connect("b2", Admission{"room", "", unixSeconds(wallNow + 600s), {}});
    join("b2", bToken);
    EXPECT_EQ(idOf(*owner), "b");
}

TEST_F(ResumeHubTest, AConnectionForAnotherRoomCannotResume) {
    withHeldPeer();
    auto elsewhere = connect("x", Admission{"other-room", "", 0, {}});
    join("x", bToken);
    EXPECT_EQ(elsewhere->last().at("code").as_string(), "forbidden-room");
    EXPECT_EQ(hub->heldCount(), 1u);
}

TEST_F(ResumeHubTest, ARebuiltRoomDoesNotAnnounceResumedPeersToEachOther) {
    // A fresh hub after a restart: nothing is held, tokens of the process before still verify.
    auto a = connect("a2");
    join("a2", earlier.issue("room", "a", 0, wallNow).token);
    auto b = connect("b2");
    join("b2", earlier.issue("room", "b", 0, wallNow).token);
    EXPECT_EQ(a->types(), (std::vector<std::string>{"room-joined"}));
    EXPECT_EQ(b->last().at("peerId").as_string(), "b");
    auto c = connect("c");
    join("c");
    EXPECT_EQ(a->last().at("type").as_string(), "peer-joined");
    EXPECT_EQ(b->last().at("type").as_string(), "peer-joined");
    // b hangs up: its place and every token for it are gone.
    hub->detach("b2", Departure::left);
    auto b3 = connect("b3");
    join("b3", earlier.issue("room", "b", 0, wallNow).token);
    EXPECT_EQ(a->last().at("type").as_string(), "peer-joined");
    EXPECT_EQ(a->last().at("peerId").as_string(), "b3");
}

// Attack: after a restart (no memory) a token of the process before is presented a second time.
TEST_F(ResumeHubTest, ATokenFromBeforeARestartWorksOnceOnly) {
    const auto current = earlier.issue("room", "a", 0, wallNow);
    const auto older = earlier.issue("room", "a", 0, wallNow - 60s);
    auto a = connect("a2");
    join("a2", current.token);
    EXPECT_EQ(idOf(*a), "a");
    const std::string rotated = tokenOf(*a);
    hub->detach("a2");
    for (const auto& [what, token] : std::vector<std::pair<std::string, std::string>>{
             {"the same token again", current.token}, {"an older one", older.token}}) {
        auto thief = connect("x-" + what);
        join("x-" + what, token);
        EXPECT_EQ(idOf(*thief), "x-" + what) << what;
    }
    EXPECT_EQ(hub->heldCount(), 1u);
    auto owner = connect("a3");
    join("a3", rotated);
    EXPECT_EQ(idOf(*owner), "a");
}

TEST_F(ResumeHubTest, ResumeTakesOverAStillOpenOldSocket) {
    auto a = connect("a");
    auto oldLink = connect("b");
    join("a");
    join("b");
    auto fresh = connect("b2");
    join("b2", tokenOf(*oldLink));
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
    auto b = connect("b");
    join("a");
    countingJoin("b", 0);
    // Written to b's socket, but its client read only the first before the socket died.
    offer("a", "b", "1");
    offer("a", "b", "2");
    hub->detach("b");
    offer("a", "b", "3");  // sent while it is away

    auto again = connect("b2");
    countingJoin("b2", 1, tokenOf(*b));
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
    countingJoin("b2", 0, tokenOf(*oldLink));
    EXPECT_EQ(oldLink->closedWith, CloseCode::normal);
    EXPECT_EQ(offerTags(*fresh), (std::vector<std::string>{"1"}));
    // The replayed message is part of the new stream: acknowledged counts go on from there,
    // and the second resume uses the token the first one's room-joined carried.
    hub->detach("b2");
    offer("a", "b", "2");
    auto third = connect("b3");
    countingJoin("b3", 1, tokenOf(*fresh));
    EXPECT_EQ(idOf(*third), "b");
    EXPECT_EQ(offerTags(*third), (std::vector<std::string>{"2"}));
}

TEST_F(ResumeHubTest, AcknowledgedMessagesAreForgottenAndAGapEndsThePlaceVisibly) {
    auto a = connect("a");
    auto b = connect("b");
    join("a");
    countingJoin("b", 0);
    offer("a", "b", "1");
    offer("a", "b", "2");
    hub->acknowledge("b", 2);  // a ping said so: nothing left to replay
    hub->detach("b");
    // A client claiming fewer than it acknowledged lacks messages the server no longer has:
    // not seamless, so the others see it leave and come back rather than nothing at all.
    auto again = connect("b2");
    countingJoin("b2", 1, tokenOf(*b));
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
