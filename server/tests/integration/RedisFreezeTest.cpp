// Redis hangs (SIGSTOP) for 35 s under two real instances whose peers keep relaying to each
// other: what arrives after it thaws, and what the senders are told. Redis frozen is worse than
// Redis gone: the kernel still accepts connections and bytes for it, so a command that timed
// out may still run when it thaws.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "RedisServer.hpp"
#include "ServerProcess.hpp"
#include "SignalMessages.hpp"
#include "WsClient.hpp"

using namespace pulsemeet::testing;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kFreeze = std::chrono::seconds(35);
constexpr auto kSendEvery = std::chrono::milliseconds(200);
// A relay sent this long before the thaw is far past any deadline a relay may have (seconds):
// it must never arrive. The margin is wide on purpose: this is about what arrives, not when.
constexpr auto kSurelyStale = std::chrono::seconds(10);
constexpr int kMarker = 1'000'000;

std::string str(const json::value& value) {
    return std::string(value.as_string());
}

// The index a candidateTo() message carries.
int indexOf(json::object& message) {
    const std::string candidate = str(message["data"].as_object()["candidate"]);
    return std::stoi(candidate.substr(std::string("candidate:").size()));
}

template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return condition();
}

// One direction of relays (one sender, one receiver): what was sent when, what arrived, and
// what the sender was told.
struct Direction {
    std::map<int, Clock::time_point> sentAt;
    std::map<int, int> arrivals;  // index -> times it arrived
    std::map<int, Clock::duration> age;
    int unreachable = 0;  // peer-unreachable errors the sender got
    std::map<std::string, int> otherErrors;

    int duplicates() const {
        int extra = 0;
        for (const auto& [index, times] : arrivals) extra += times - 1;
        return extra;
    }
    int delivered(int below) const {
        return static_cast<int>(std::count_if(arrivals.begin(), arrivals.end(),
                                              [&](auto& a) { return a.first < below; }));
    }
};

// One peer's socket: everything it reads is sorted into the directions and counters.
struct Peer {
    Peer(std::uint16_t port, Direction& in, Direction& out)
        : client(std::make_unique<WsClient>(port)), incoming(&in), outgoing(&out) {}

    std::unique_ptr<WsClient> client;
    std::string id;
    Direction* incoming = nullptr;          // relays to this peer
    Direction* outgoing = nullptr;          // relays from this peer (its errors)
    std::map<std::string, int> joinedSeen;  // peer-joined by peer id
    int mediaSeen = 0;

    // Reads what is there within `wait`; true if something was read.
    bool pump(std::chrono::milliseconds wait) {
        const auto text = client->receive(wait);
        if (!text) return false;
        json::object message = json::parse(*text).as_object();
        const std::string type = str(message["type"]);
        if (type == "ice-candidate") {
            const int index = indexOf(message);
            ++incoming->arrivals[index];
            if (const auto sent = incoming->sentAt.find(index); sent != incoming->sentAt.end()) {
                incoming->age[index] = std::max(incoming->age[index], Clock::now() - sent->second);
            }
        } else if (type == "error") {
            const std::string code = str(message["code"]);
            if (code == "peer-unreachable") {
                ++outgoing->unreachable;
            } else {
                ++outgoing->otherErrors[code];
            }
        } else if (type == "peer-joined") {
            ++joinedSeen[str(message["peerId"])];
        } else if (type == "media-state") {
            ++mediaSeen;
        }
        return true;
    }
    void send(Peer& to, int index) {
        to.incoming->sentAt[index] = Clock::now();
        client->send(candidateTo(to.id, index));
    }
    // Reads until relay `index` arrived; false at the deadline.
    bool pumpUntilArrived(int index, std::chrono::milliseconds timeout) {
        const auto deadline = Clock::now() + timeout;
        while (!incoming->arrivals.contains(index) && Clock::now() < deadline)
            pump(std::chrono::milliseconds(50));
        return incoming->arrivals.contains(index);
    }
};

std::unique_ptr<ServerProcess> instance(const RedisServer& redis) {
    auto server = std::make_unique<ServerProcess>(Env{{"REDIS_ENABLED", "true"},
                                                      {"REDIS_ADDR", redis.addr()},
                                                      {"REDIS_CHANNEL", "freeze"},
                                                      {"REDIS_HEARTBEAT_SECONDS", "2"},
                                                      {"LOG_LEVEL", "info"}});
    EXPECT_TRUE(eventually([&] { return httpGet(server->port(), "/readyz").status == 200; }))
        << "bus never connected";
    return server;
}

void report(const std::string& name, const Direction& d, int sentDuringFreeze) {
    Clock::duration oldest{};
    int late = 0;
    for (const auto& [index, age] : d.age) {
        if (index >= kMarker) continue;
        oldest = std::max(oldest, age);
        if (age > std::chrono::seconds(1)) ++late;
    }
    std::cout << "[ measure ] " << name << ": sent during the freeze " << sentDuringFreeze
              << ", delivered " << d.delivered(kMarker) - 1 << ", duplicates " << d.duplicates()
              << ", peer-unreachable " << d.unreachable << ", other errors " << d.otherErrors.size()
              << ", delivered more than 1 s after sending " << late << ", oldest delivered "
              << std::chrono::duration_cast<std::chrono::milliseconds>(oldest).count() << " ms\n";
}

}  // namespace

// 35 s of frozen Redis with relays flowing both ways between two instances, a media-state
// change and a join on the way. After the thaw: no relay arrives twice, none sent long before
// the thaw arrives at all, and every relay either arrived or its sender got peer-unreachable;
// the join and the media change (state, not negotiation) arrive once, late.
TEST(RedisFreeze, RelaysDuringAHangArriveOnceAndFreshOrTheSenderIsTold) {
    RedisServer redis;
    auto first = instance(redis);
    auto second = instance(redis);

    Direction aliceToBob, bobToAlice;
    Peer alice(first->port(), bobToAlice, aliceToBob);
    alice.id = str(alice.client->join("frozen-room", "Alice")["peerId"]);
    Peer bob(second->port(), aliceToBob, bobToAlice);
    bob.id = str(bob.client->join("frozen-room", "Bob")["peerId"]);
    alice.client->nextOfType("peer-joined");
    // The path works before the freeze.
    alice.send(bob, 0);
    ASSERT_TRUE(bob.pumpUntilArrived(0, std::chrono::seconds(5)));
    bob.send(alice, 0);
    ASSERT_TRUE(alice.pumpUntilArrived(0, std::chrono::seconds(5)));

    redis.signal(SIGSTOP);
    struct Thaw {  // whatever fails below, redis-server must not stay stopped
        RedisServer& redis;
        ~Thaw() { redis.signal(SIGCONT); }
    } thaw{redis};
    const auto frozenAt = Clock::now();
    std::unique_ptr<WsClient> carol;
    std::string carolId;
    bool mediaSent = false;
    int next = 1;
    auto nextSend = frozenAt;
    while (Clock::now() < frozenAt + kFreeze) {
        if (Clock::now() >= nextSend) {
            alice.send(bob, next);
            bob.send(alice, next);
            ++next;
            nextSend += kSendEvery;
        }
        if (!carol && Clock::now() >= frozenAt + std::chrono::seconds(5)) {
            // Joins while Redis hangs: admitted from what the instance knows.
            carol = std::make_unique<WsClient>(first->port());
            carolId = str(carol->join("frozen-room", "Carol")["peerId"]);
        }
        if (!mediaSent && Clock::now() >= frozenAt + std::chrono::seconds(6)) {
            alice.client->send(
                json::object{{"type", "media-state"},
                             {"data", {{"audio", false}, {"video", true}, {"screen", false}}}});
            mediaSent = true;
        }
        alice.pump(std::chrono::milliseconds(10));
        bob.pump(std::chrono::milliseconds(10));
        if (carol) carol->receive(std::chrono::milliseconds(1));
    }
    const int sentDuringFreeze = next - 1;
    redis.signal(SIGCONT);
    const auto thawedAt = Clock::now();

    EXPECT_TRUE(eventually([&] {
        alice.pump(std::chrono::milliseconds(10));
        bob.pump(std::chrono::milliseconds(10));
        return httpGet(first->port(), "/readyz").status == 200 &&
               httpGet(second->port(), "/readyz").status == 200;
    })) << "the instances did not come back";
    // A marker each way: a room's events keep their order, so once it arrived everything sent
    // before it has arrived or been refused. Bob answers only after Alice's arrived, so Alice's
    // errors (queued before her marker left) are read before Bob's marker.
    alice.send(bob, kMarker);
    ASSERT_TRUE(bob.pumpUntilArrived(kMarker, std::chrono::seconds(15)));
    bob.send(alice, kMarker);
    ASSERT_TRUE(alice.pumpUntilArrived(kMarker, std::chrono::seconds(15)));
    // And the path works again, without errors.
    for (int i = 1; i <= 3; ++i) alice.send(bob, kMarker + i);
    ASSERT_TRUE(bob.pumpUntilArrived(kMarker + 3, std::chrono::seconds(5)));
    ASSERT_TRUE(eventually([&] {
        bob.pump(std::chrono::milliseconds(10));
        return bob.joinedSeen.contains(carolId) && bob.mediaSeen > 0;
    })) << "the join or the media change made during the freeze never reached Bob";

    report("Alice -> Bob", aliceToBob, sentDuringFreeze);
    report("Bob -> Alice", bobToAlice, sentDuringFreeze);
    std::cout << "[ measure ] expired at the senders: "
              << metricValue(first->port(),
                             "pulsemeet_redis_expired_events_total{kind=\"relay\"}") +
                     metricValue(second->port(),
                                 "pulsemeet_redis_expired_events_total{kind=\"relay\"}")
              << ", duplicates dropped: "
              << metricValue(first->port(), "pulsemeet_redis_duplicate_events_total") +
                     metricValue(second->port(), "pulsemeet_redis_duplicate_events_total")
              << ", stale dropped: "
              << metricValue(first->port(), "pulsemeet_redis_stale_events_total") +
                     metricValue(second->port(), "pulsemeet_redis_stale_events_total")
              << "\n";

    for (Direction* d : {&aliceToBob, &bobToAlice}) {
        EXPECT_EQ(d->duplicates(), 0) << "a relay arrived twice";
        int stale = 0;
        for (const auto& [index, sentAt] : d->sentAt) {
            if (index > 0 && index < kMarker && sentAt < thawedAt - kSurelyStale &&
                d->arrivals.contains(index)) {
                ++stale;
            }
        }
        EXPECT_EQ(stale, 0) << "relays sent more than 10 s before the thaw arrived";
        EXPECT_EQ(d->delivered(kMarker) - 1 + d->unreachable, sentDuringFreeze)
            << "every relay sent during the freeze arrives or its sender is told, once";
        EXPECT_GT(d->unreachable, 0) << "nobody was told their relays could not be delivered";
        EXPECT_TRUE(d->otherErrors.empty());
    }
    // Each peer-unreachable stands for one relay the sender's instance counted as expired.
    EXPECT_EQ(metricValue(first->port(), "pulsemeet_redis_expired_events_total{kind=\"relay\"}"),
              aliceToBob.unreachable);
    EXPECT_EQ(metricValue(second->port(), "pulsemeet_redis_expired_events_total{kind=\"relay\"}"),
              bobToAlice.unreachable);
    EXPECT_EQ(bob.joinedSeen[carolId], 1) << "Carol's join, made during the freeze";
    EXPECT_EQ(bob.mediaSeen, 1) << "Alice's media change, made during the freeze";
}
