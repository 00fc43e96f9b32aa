// RedisBus in this process against a real redis-server, with a sink that models the hub: what
// happens between the bus's threads, which the tests with whole instances cannot aim at.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "RedisServer.hpp"
#include "cluster/ClusterEvent.hpp"
#include "cluster/MemberEntry.hpp"
#include "cluster/RedisBus.hpp"
#include "cluster/RedisKeys.hpp"
#include "obs/Logger.hpp"
#include "obs/Metrics.hpp"
#include "wire/ServerMessages.hpp"

using namespace pulsemeet;
using namespace pulsemeet::testing;

namespace {

// A bus's settings against the test's redis-server, under its own key prefix.
cluster::RedisBusSettings busSettings(const RedisServer& redis, std::string prefix) {
    cluster::RedisBusSettings settings;
    settings.endpoint.port = redis.port();
    settings.prefix = std::move(prefix);
    return settings;
}

}  // namespace

namespace {

constexpr auto kDeadline = std::chrono::seconds(5);

// The hub as far as the bus sees it: a room broadcast reaches only peers that have entered the
// room (the hub enters a joining peer when the bus answers its join).
class RoomSink : public cluster::BusSink {
  public:
    void deliverFromCluster(const std::string&, const std::string& targetId, wire::MessageType type,
                            const wire::SharedMessage&) override {
        std::lock_guard lock(mutex_);
        ++deliveries_;
        if (targetId.empty() && type == wire::MessageType::peerJoined) {
            announcedTo_ += static_cast<int>(members_.size());
        }
        changed_.notify_all();
    }
    void enter(const std::string& peerId) {
        std::lock_guard lock(mutex_);
        members_.insert(peerId);
    }
    // Waits until `count` deliveries happened; false at the deadline.
    bool awaitDeliveries(int count, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return deliveries_ >= count; });
    }
    // peer-joined announcements received by members (one per member per announcement).
    int announced() {
        std::lock_guard lock(mutex_);
        return announcedTo_;
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::set<std::string> members_;
    int deliveries_ = 0;
    int announcedTo_ = 0;
};

class Flag {
  public:
    void set(bool value) {
        std::lock_guard lock(mutex_);
        value_ = value;
        changed_.notify_all();
    }
    bool await(bool value) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, kDeadline, [&] { return value_ == value; });
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    bool value_ = false;
};

}  // namespace

// A peer of another instance joins while this instance's answer to a local join is being
// entered by the hub. The local peer must learn of it exactly once: in its room-joined (the
// join's roster) or as peer-joined after entering. It once fell between the two: the roster was
// read, the event was delivered to a room the peer had not entered yet, then the peer entered
// with the old roster and never heard of the newcomer (a call that never connects, since the
// peer already in the room is the one that makes the offer).
TEST(RedisBus, ARemoteJoinDuringALocalJoinIsSeenExactlyOnce) {
    RedisServer redis;
    obs::Registry registry;
    obs::Logger logger(config::LogLevel::off, config::LogFormat::json);
    cluster::RedisBusSettings settings = busSettings(redis, "rbtest");
    // Everything the bus's threads touch is declared before the bus, so it outlives them.
    Flag ready;
    RoomSink sink;
    std::size_t inRoomJoined = 0;
    Flag answered;
    const cluster::ClusterEvent remoteJoin{cluster::ClusterEvent::Kind::joined,
                                           "another-instance",
                                           "room",
                                           "newcomer",
                                           {},
                                           wire::MessageType::peerJoined,
                                           "N",
                                           "{}",
                                           wire::encodePeerJoined("room", "newcomer", "N", "{}")};
    cluster::RedisBus bus(settings, registry, logger, [&ready](bool up) { ready.set(up); });
    bus.start(sink);
    ASSERT_TRUE(ready.await(true));

    bus.join("room", "local", "L", "{}", 8, [&](cluster::JoinOutcome outcome) {
        inRoomJoined = outcome.remotePeers.size();
        // The other instance's peer joins now, while the hub is entering this one.
        redis.command({"PUBLISH", "rbtest:{room}:events", cluster::encodeEvent(remoteJoin)});
        // Time for the subscriber to deliver it, if it may while this answer is running.
        sink.awaitDeliveries(1, std::chrono::seconds(1));
        sink.enter("local");
        answered.set(true);
    });
    ASSERT_TRUE(answered.await(true));
    ASSERT_TRUE(sink.awaitDeliveries(1, kDeadline)) << "the event never arrived";
    EXPECT_EQ(inRoomJoined + static_cast<std::size_t>(sink.announced()), 1u)
        << "in room-joined: " << inRoomJoined << ", as peer-joined: " << sink.announced();
    bus.stop();
}

// A peer of another instance is registered in the room, and this instance reads it with the
// membership at a second local join before that peer's joined event arrives. The local peer
// already in the room must hear of it then (the event, when it comes, is for a peer already
// known and is not announced again). It once heard nothing: in a two-instance bench some
// clients never learnt of a room-mate, so that pair never connected.
TEST(RedisBus, APeerReadAtAJoinIsAnnouncedToThoseAlreadyInTheRoomOnce) {
    RedisServer redis;
    obs::Registry registry;
    obs::Logger logger(config::LogLevel::off, config::LogFormat::json);
    cluster::RedisBusSettings settings = busSettings(redis, "rbtest");
    Flag ready;
    RoomSink sink;
    Flag firstIn, secondIn;
    std::size_t secondSaw = 0;
    cluster::RedisBus bus(settings, registry, logger, [&ready](bool up) { ready.set(up); });
    bus.start(sink);
    ASSERT_TRUE(ready.await(true));
    bus.join("room", "first", "F", "{}", 8, [&](cluster::JoinOutcome) {
        sink.enter("first");
        firstIn.set(true);
    });
    ASSERT_TRUE(firstIn.await(true));

    // What another instance's join script leaves in Redis, before that instance publishes the
    // joined event (its heartbeat too, so the peer is not evicted as an orphan).
    const cluster::RedisKeys keys("rbtest");
    redis.command({"SET", keys.heartbeat("other"), "1", "EX", "30"});
    redis.command({"HSET", keys.members("room"), "remote",
                   cluster::MemberEntry{"other", "{}", "R"}.encode()});
    bus.join("room", "second", "S", "{}", 8, [&](cluster::JoinOutcome outcome) {
        secondSaw = outcome.remotePeers.size();
        sink.enter("second");
        secondIn.set(true);
    });
    ASSERT_TRUE(secondIn.await(true));
    EXPECT_EQ(secondSaw, 1u) << "the joiner learns of it in its room-joined";
    ASSERT_TRUE(sink.awaitDeliveries(1, kDeadline)) << "the first peer never heard of it";
    EXPECT_EQ(sink.announced(), 1) << "announced to the first peer only";

    // Now the other instance's joined event: already known, announced to nobody again.
    redis.command({"PUBLISH", keys.channel("room"),
                   cluster::encodeEvent({cluster::ClusterEvent::Kind::joined,
                                         "other",
                                         "room",
                                         "remote",
                                         {},
                                         wire::MessageType::peerJoined,
                                         "R",
                                         "{}",
                                         wire::encodePeerJoined("room", "remote", "R", "{}")})});
    // Then something that is announced, to know the event before it was processed.
    redis.command({"PUBLISH", keys.channel("room"),
                   cluster::encodeEvent({cluster::ClusterEvent::Kind::media,
                                         "other",
                                         "room",
                                         "remote",
                                         {},
                                         wire::MessageType::mediaState,
                                         {},
                                         R"({"audio":false})",
                                         wire::encodeRelay(wire::MessageType::mediaState, "room",
                                                           "remote", {}, R"({"audio":false})")})});
    ASSERT_TRUE(sink.awaitDeliveries(2, kDeadline));
    EXPECT_EQ(sink.announced(), 1) << "the joined event announced the peer a second time";
    bus.stop();
}

namespace {

// Records relayed messages per room, in arrival order.
class RelaySink : public cluster::BusSink {
  public:
    void deliverFromCluster(const std::string& roomId, const std::string&, wire::MessageType,
                            const wire::SharedMessage& message) override {
        std::lock_guard lock(mutex_);
        byRoom_[roomId].push_back(*message);
        ++count_;
        changed_.notify_all();
    }
    bool awaitCount(int count) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, kDeadline * 2, [&] { return count_ >= count; });
    }
    std::vector<std::string> room(const std::string& roomId) {
        std::lock_guard lock(mutex_);
        return byRoom_[roomId];
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::map<std::string, std::vector<std::string>> byRoom_;
    int count_ = 0;
};

}  // namespace

// A burst of relays across many rooms goes out in pipelined batches (one round trip for many
// PUBLISHes) and still arrives complete and, within each room, in the order it was sent.
TEST(RedisBus, ABurstAcrossRoomsIsPipelinedAndKeepsEachRoomsOrder) {
    RedisServer redis;
    obs::Registry registryA, registryB;
    obs::Logger logger(config::LogLevel::off, config::LogFormat::json);
    cluster::RedisBusSettings settings = busSettings(redis, "pipe");
    Flag readyA, readyB;
    RoomSink sinkA;
    RelaySink sinkB;
    cluster::RedisBus busA(settings, registryA, logger, [&](bool up) { readyA.set(up); });
    cluster::RedisBus busB(settings, registryB, logger, [&](bool up) { readyB.set(up); });
    busA.start(sinkA);
    busB.start(sinkB);
    ASSERT_TRUE(readyA.await(true));
    ASSERT_TRUE(readyB.await(true));

    constexpr int kRooms = 40;
    constexpr int kPerRoom = 25;
    const auto room = [](int r) { return "room-" + std::to_string(r); };
    std::mutex mutex;
    std::condition_variable joined;
    int joins = 0;
    const auto await = [&](int count) {
        std::unique_lock lock(mutex);
        return joined.wait_for(lock, kDeadline, [&] { return joins >= count; });
    };
    const auto done = [&](cluster::JoinOutcome) {
        std::lock_guard lock(mutex);
        ++joins;
        joined.notify_all();
    };
    // B's peers first, so A's joins read them from the room's membership.
    for (int r = 0; r < kRooms; ++r)
        busB.join(room(r), "b" + std::to_string(r), "B", "{}", 8, done);
    ASSERT_TRUE(await(kRooms));
    for (int r = 0; r < kRooms; ++r)
        busA.join(room(r), "a" + std::to_string(r), "A", "{}", 8, done);
    ASSERT_TRUE(await(2 * kRooms));

    // Interleaved: message k of every room, then k + 1 of every room, all queued at once.
    for (int k = 0; k < kPerRoom; ++k) {
        for (int r = 0; r < kRooms; ++r) {
            const auto outcome =
                busA.relay(room(r), "a" + std::to_string(r), "b" + std::to_string(r),
                           wire::MessageType::iceCandidate, wire::share(std::to_string(k)));
            ASSERT_NE(outcome, cluster::RelayOutcome::unknownTarget) << room(r);
        }
    }
    ASSERT_TRUE(sinkB.awaitCount(kRooms * kPerRoom)) << "not every relay arrived";
    for (int r = 0; r < kRooms; ++r) {
        std::vector<std::string> expected;
        for (int k = 0; k < kPerRoom; ++k) expected.push_back(std::to_string(k));
        EXPECT_EQ(sinkB.room(room(r)), expected) << room(r);
    }
    const std::string metrics = registryA.exposition();
    const std::string series = "\npulsemeet_redis_publish_batches_total ";
    const auto at = metrics.find(series);
    ASSERT_NE(at, std::string::npos);
    EXPECT_GT(std::stod(metrics.substr(at + series.size())), 0) << "no PUBLISH was pipelined";
    busA.stop();
    busB.stop();
}

namespace {

// The answers to resume-nonce swaps, in order, as the bus's worker gives them.
class SwapAnswers {
  public:
    cluster::Bus::ResumeSwapCallback callback() {
        return [this](cluster::ResumeSwap answer) {
            std::lock_guard lock(mutex_);
            answers_.push_back(answer);
            changed_.notify_all();
        };
    }
    // The `index`th answer; nullopt at the deadline.
    std::optional<cluster::ResumeSwap> await(std::size_t index) {
        std::unique_lock lock(mutex_);
        if (!changed_.wait_for(lock, kDeadline, [&] { return answers_.size() > index; })) {
            return std::nullopt;
        }
        return answers_[index];
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<cluster::ResumeSwap> answers_;
};

}  // namespace

// The compare-and-set behind one-use resume tokens: only the current nonce (or none known) is
// swapped, a tombstone refuses everything after it, and while Redis is unreachable a resume is
// told `unknown` at once (the hub decides locally) instead of waiting for Redis.
TEST(RedisBus, ResumeNonceSwapsAreCompareAndSetAndAnsweredWhileRedisIsDown) {
    RedisServer redis;
    obs::Registry registry;
    obs::Logger logger(config::LogLevel::off, config::LogFormat::json);
    cluster::RedisBusSettings settings = busSettings(redis, "rbresume");
    Flag ready;
    RoomSink sink;
    SwapAnswers answers;
    cluster::RedisBus bus(settings, registry, logger, [&ready](bool up) { ready.set(up); });
    bus.start(sink);
    ASSERT_TRUE(ready.await(true));
    const auto ttl = std::chrono::seconds(3600);

    bus.swapResumeNonce("peer", "", "n1", ttl, answers.callback());  // nothing known yet
    EXPECT_EQ(answers.await(0), cluster::ResumeSwap::swapped);
    bus.swapResumeNonce("peer", "n0", "n2", ttl, answers.callback());  // an older token
    EXPECT_EQ(answers.await(1), cluster::ResumeSwap::refused);
    bus.swapResumeNonce("peer", "n1", "n2", ttl, answers.callback());  // the current one
    EXPECT_EQ(answers.await(2), cluster::ResumeSwap::swapped);
    bus.swapResumeNonce("peer", "n1", "n3", ttl, answers.callback());  // spent
    EXPECT_EQ(answers.await(3), cluster::ResumeSwap::refused);
    bus.swapResumeNonce("peer", "n2", "-", ttl, {});  // revoked, without waiting
    bus.swapResumeNonce("peer", "n2", "n4", ttl, answers.callback());
    EXPECT_EQ(answers.await(4), cluster::ResumeSwap::refused);
    const auto stored = redis.command({"GET", "rbresume:resume:peer"});
    ASSERT_EQ(stored->type, REDIS_REPLY_STRING);
    EXPECT_EQ(std::string(stored->str, stored->len), "-");
    const auto ttlLeft = redis.command({"TTL", "rbresume:resume:peer"});
    EXPECT_GT(ttlLeft->integer, 3500) << "the key outlives every token it judges";

    redis.kill();
    ASSERT_TRUE(ready.await(false));
    bus.swapResumeNonce("other", "", "n1", ttl, answers.callback());
    EXPECT_EQ(answers.await(5), cluster::ResumeSwap::unknown);
    bus.stop();
}

namespace {

double metric(const obs::Registry& registry, const std::string& series) {
    const std::string text = registry.exposition();
    const auto at = text.find("\n" + series + " ");
    return at == std::string::npos ? -1 : std::stod(text.substr(at + series.size() + 2));
}

}  // namespace

// Redis hangs just long enough for the worker to give its connection up while a relay's PUBLISH
// is in flight, and thaws within the relay's deadline: the worker sends the relay again on a new
// connection, and the thawed Redis also runs the first copy it had been sent. The receiver gets
// it once. Before events were numbered it got it twice (9 relays after a 35 s hang in production).
TEST(RedisBus, ARelayResentAfterAHungConnectionArrivesOnce) {
    RedisServer redis;
    obs::Registry registryA, registryB;
    obs::Logger logger(config::LogLevel::off, config::LogFormat::json);
    cluster::RedisBusSettings settings = busSettings(redis, "hang");
    settings.relayDeadline = std::chrono::seconds(20);  // the re-send must be in time
    Flag readyA, readyB;
    RoomSink sinkA;
    RelaySink sinkB;
    cluster::RedisBus busA(settings, registryA, logger, [&](bool up) { readyA.set(up); });
    cluster::RedisBus busB(settings, registryB, logger, [&](bool up) { readyB.set(up); });
    busA.start(sinkA);
    busB.start(sinkB);
    ASSERT_TRUE(readyA.await(true));
    ASSERT_TRUE(readyB.await(true));
    Flag joinedB, joinedA;
    busB.join("room", "b", "B", "{}", 8, [&](cluster::JoinOutcome) { joinedB.set(true); });
    ASSERT_TRUE(joinedB.await(true));
    busA.join("room", "a", "A", "{}", 8, [&](cluster::JoinOutcome) { joinedA.set(true); });
    ASSERT_TRUE(joinedA.await(true));
    const auto relay = [&](const std::string& text) {
        return busA.relay("room", "a", "b", wire::MessageType::iceCandidate, wire::share(text));
    };
    ASSERT_EQ(relay("before"), cluster::RelayOutcome::queued);
    ASSERT_TRUE(sinkB.awaitCount(1));

    redis.signal(SIGSTOP);
    struct Thaw {
        RedisServer& redis;
        ~Thaw() { redis.signal(SIGCONT); }
    } thaw{redis};
    ASSERT_EQ(relay("in flight"), cluster::RelayOutcome::queued);
    // The worker's PUBLISH times out and it gives the connection up (A is not ready any more).
    ASSERT_TRUE(readyA.await(false));
    redis.signal(SIGCONT);
    ASSERT_TRUE(readyA.await(true));
    ASSERT_EQ(relay("after"), cluster::RelayOutcome::queued);
    ASSERT_TRUE(sinkB.awaitCount(3));
    // Whatever is still to come would come before "after": a room's events keep their order,
    // and the thawed Redis ran the old connection's bytes before it answered the new one.
    EXPECT_EQ(sinkB.room("room"), (std::vector<std::string>{"before", "in flight", "after"}));
    EXPECT_EQ(metric(registryB, "pulsemeet_redis_duplicate_events_total"), 1)
        << "the copy was not seen (the test did not hang a PUBLISH in flight)";
    busA.stop();
    busB.stop();
}

// This instance's subscriber connection drops (Redis closed it) while another instance's peer
// leaves: the `left` event is published while nobody here listens. When the subscriber is back,
// the instance reads its rooms' membership again and announces the departure, rather than
// keeping a peer that is gone (whose place its clients would keep offering to).
TEST(RedisBus, ADepartureMissedWhileTheSubscriberWasAwayIsAnnouncedWhenItIsBack) {
    RedisServer redis;
    obs::Registry registry;
    obs::Logger logger(config::LogLevel::off, config::LogFormat::json);
    cluster::RedisBusSettings settings = busSettings(redis, "away");
    Flag ready;
    RelaySink sink;
    cluster::RedisBus bus(settings, registry, logger, [&](bool up) { ready.set(up); });
    bus.start(sink);
    ASSERT_TRUE(ready.await(true));
    const cluster::RedisKeys keys("away");
    redis.command({"SET", keys.heartbeat("other"), "1", "EX", "60"});
    redis.command({"HSET", keys.members("room"), "remote",
                   cluster::MemberEntry{"other", "{}", "R"}.encode()});
    Flag joined;
    std::size_t remotes = 0;
    bus.join("room", "local", "L", "{}", 8, [&](cluster::JoinOutcome outcome) {
        remotes = outcome.remotePeers.size();
        joined.set(true);
    });
    ASSERT_TRUE(joined.await(true));
    ASSERT_EQ(remotes, 1u);
    const auto deliveredBefore = sink.room("room").size();

    // The peer leaves; its `left` event is lost to this instance (it is not even published
    // here: the subscriber could not have heard it).
    redis.command({"HDEL", keys.members("room"), "remote"});
    redis.command({"CLIENT", "KILL", "TYPE", "pubsub"});
    ASSERT_TRUE(sink.awaitCount(static_cast<int>(deliveredBefore) + 1))
        << "the departure was never announced";
    const auto messages = sink.room("room");
    EXPECT_NE(messages.back().find("\"type\":\"peer-left\""), std::string::npos) << messages.back();
    EXPECT_NE(messages.back().find("\"peerId\":\"remote\""), std::string::npos) << messages.back();
    bus.stop();
}
