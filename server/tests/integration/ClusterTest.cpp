// Several real `pulsemeet` instances sharing rooms through a real redis-server.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <csignal>
#include <memory>
#include <thread>

#include "ChildProcess.hpp"
#include "RedisServer.hpp"
#include "ServerProcess.hpp"
#include "SignalMessages.hpp"
#include "WsClient.hpp"

using namespace pulsemeet::testing;
namespace json = boost::json;

namespace {

constexpr int kHeartbeatSeconds = 2;

std::string str(const json::value& value) {
    return std::string(value.as_string());
}

const std::string kSdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

json::object sdpTo(const std::string& target, const std::string& type) {
    return {{"type", type}, {"targetId", target}, {"data", {{"type", type}, {"sdp", kSdp}}}};
}

std::vector<std::string> peerIds(json::object& roomJoined) {
    std::vector<std::string> ids;
    for (auto& peer : roomJoined["data"].as_object()["peers"].as_array()) {
        ids.push_back(str(peer.as_object()["peerId"]));
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

bool readyIs(std::uint16_t port, int status) {
    return eventually([&] { return httpGet(port, "/readyz").status == status; });
}

class Cluster : public ::testing::Test {
  protected:
    // Starts an instance on the shared Redis and waits until its bus is connected.
    std::unique_ptr<ServerProcess> instance(Env extra = {}) {
        Env env{{"REDIS_ENABLED", "true"},
                {"REDIS_ADDR", redis.addr()},
                {"REDIS_CHANNEL", "pmtest"},
                {"REDIS_HEARTBEAT_SECONDS", std::to_string(kHeartbeatSeconds)},
                {"LOG_LEVEL", "info"}};
        for (const auto& [key, value] : extra) env[key] = value;
        auto server = std::make_unique<ServerProcess>(env);
        EXPECT_TRUE(readyIs(server->port(), 200)) << "bus never connected";
        return server;
    }

    RedisServer redis;
};

}  // namespace

TEST_F(Cluster, PeersOnTwoInstancesShareOneRoomAndRelayBothWays) {
    auto first = instance();
    auto second = instance();

    WsClient alice(first->port());
    const std::string aliceId = str(alice.join("shared-room", "Alice")["peerId"]);
    WsClient bob(second->port());
    auto bobJoined = bob.join("shared-room", "Bob");
    const std::string bobId = str(bobJoined["peerId"]);
    ASSERT_EQ(peerIds(bobJoined), std::vector<std::string>{aliceId});
    EXPECT_EQ(str(bobJoined["data"].as_object()["peers"].as_array()[0].as_object()["name"]),
              "Alice");

    auto joined = alice.nextOfType("peer-joined");
    EXPECT_EQ(str(joined["peerId"]), bobId);
    EXPECT_EQ(str(joined["data"].as_object()["name"]), "Bob");

    // Offer one way, answer the other, candidates both ways: ids stamped by the sender's instance.
    alice.send(sdpTo(bobId, "offer"));
    auto offer = bob.nextOfType("offer");
    EXPECT_EQ(str(offer["peerId"]), aliceId);
    EXPECT_EQ(str(offer["data"].as_object()["sdp"]), kSdp);
    bob.send(sdpTo(aliceId, "answer"));
    EXPECT_EQ(str(alice.nextOfType("answer")["peerId"]), bobId);
    for (int i = 0; i < 3; ++i) {
        alice.send(candidateTo(bobId, i));
        bob.send(candidateTo(aliceId, i));
    }
    for (int i = 0; i < 3; ++i) {
        auto toBob = bob.nextOfType("ice-candidate");
        EXPECT_EQ(str(toBob["peerId"]), aliceId);
        EXPECT_NE(
            str(toBob["data"].as_object()["candidate"]).find("candidate:" + std::to_string(i)),
            std::string::npos)
            << "candidates arrive in order";
        EXPECT_EQ(str(alice.nextOfType("ice-candidate")["peerId"]), bobId);
    }

    bob.send(json::object{{"type", "media-state"},
                          {"data", {{"audio", false}, {"video", true}, {"screen", false}}}});
    auto media = alice.nextOfType("media-state");
    EXPECT_EQ(str(media["peerId"]), bobId);
    EXPECT_FALSE(media["data"].as_object()["audio"].as_bool());

    // A third person, back on the first instance, sees both, with Bob's current media state.
    WsClient carol(first->port());
    auto carolJoined = carol.join("shared-room", "Carol");
    auto expected = std::vector<std::string>{aliceId, bobId};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(peerIds(carolJoined), expected);
    for (auto& peer : carolJoined["data"].as_object()["peers"].as_array()) {
        auto& object = peer.as_object();
        if (str(object["peerId"]) == bobId) {
            EXPECT_FALSE(object["media"].as_object()["audio"].as_bool());
        }
    }
    EXPECT_EQ(str(bob.nextOfType("peer-joined")["peerId"]), str(carolJoined["peerId"]));

    // A relay to someone in no room anywhere is still refused.
    alice.send(sdpTo("0123456789abcdef0123456789abcdef", "offer"));
    EXPECT_EQ(str(alice.nextOfType("error")["code"]), "peer-not-found");

    bob.closeNormally();
    EXPECT_EQ(str(alice.nextOfType("peer-left")["peerId"]), bobId);
    EXPECT_EQ(str(carol.nextOfType("peer-left")["peerId"]), bobId);
}

TEST_F(Cluster, RoomCapacityHoldsAcrossInstancesWhenJoinsRace) {
    std::vector<std::unique_ptr<ServerProcess>> servers;
    for (int i = 0; i < 3; ++i) servers.push_back(instance({{"MAX_PEERS_PER_ROOM", "8"}}));
    std::vector<std::unique_ptr<WsClient>> clients;
    for (int i = 0; i < 20; ++i) {
        clients.push_back(std::make_unique<WsClient>(servers[i % 3]->port()));
    }
    // Every join is on the wire before any answer is read.
    for (auto& client : clients) {
        client->send(json::object{{"type", "join"}, {"roomId", "crowded"}});
    }
    int admitted = 0;
    int refused = 0;
    for (auto& client : clients) {
        while (true) {
            auto message = client->next(std::chrono::seconds(10));
            const std::string type = str(message["type"]);
            if (type == "room-joined") {
                ++admitted;
                break;
            }
            if (type == "error") {
                EXPECT_EQ(str(message["code"]), "room-full");
                ++refused;
                break;
            }
        }
    }
    EXPECT_EQ(admitted, 8);
    EXPECT_EQ(refused, 12);
    const auto members = redis.command({"HLEN", "pmtest:{crowded}:members"});
    EXPECT_EQ(members->integer, 8);
}

TEST_F(Cluster, PeersOfAKilledInstanceAreAnnouncedLeftWithinTheHeartbeatBound) {
    auto survivor = instance();
    auto doomed = instance();
    WsClient alice(survivor->port());
    alice.join("fragile", "Alice");
    WsClient bob(doomed->port());
    const std::string bobId = str(bob.join("fragile", "Bob")["peerId"]);
    WsClient bea(doomed->port());
    const std::string beaId = str(bea.join("fragile", "Bea")["peerId"]);
    alice.nextOfType("peer-joined");
    alice.nextOfType("peer-joined");

    const auto killedAt = std::chrono::steady_clock::now();
    doomed->signal(SIGKILL);
    ASSERT_NE(doomed->waitForExit(std::chrono::seconds(5)), -1);
    // Bound: TTL, plus one check interval (TTL/3), plus the grace after connecting (3 s).
    const auto bound = std::chrono::seconds(kHeartbeatSeconds * 2 + 3 + 2);
    std::vector<std::string> left{str(alice.nextOfType("peer-left", bound)["peerId"]),
                                  str(alice.nextOfType("peer-left", bound)["peerId"])};
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - killedAt);
    std::sort(left.begin(), left.end());
    auto expected = std::vector<std::string>{bobId, beaId};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(left, expected);
    std::cout << "[ measure ] peer-left after kill -9: " << took.count() << " ms (TTL "
              << kHeartbeatSeconds << " s)\n";
    // The room is consistent: only Alice is left in it.
    EXPECT_EQ(redis.command({"HLEN", "pmtest:{fragile}:members"})->integer, 1);
    EXPECT_GE(metricValue(survivor->port(), "pulsemeet_redis_evicted_peers_total"), 2);
}

TEST_F(Cluster, AFrozenInstanceThatWasPresumedDeadComesBackIntoItsRooms) {
    auto survivor = instance();
    auto frozen = instance();
    WsClient alice(survivor->port());
    const std::string aliceId = str(alice.join("thawing", "Alice")["peerId"]);
    WsClient bob(frozen->port());
    const std::string bobId = str(bob.join("thawing", "Bob")["peerId"]);
    alice.nextOfType("peer-joined");

    // Frozen (a stopped VM, a long pause): its sockets to Redis stay open, but its heartbeat
    // lapses and the survivor announces Bob as gone.
    frozen->signal(SIGSTOP);
    struct Thaw {  // whatever fails below, the process must not stay stopped
        ServerProcess& process;
        ~Thaw() { process.signal(SIGCONT); }
    } thaw{*frozen};
    const auto bound = std::chrono::seconds(kHeartbeatSeconds * 2 + 3 + 2);
    EXPECT_EQ(str(alice.nextOfType("peer-left", bound)["peerId"]), bobId);
    // Someone arrives while it cannot hear.
    WsClient carol(survivor->port());
    const std::string carolId = str(carol.join("thawing", "Carol")["peerId"]);
    alice.nextOfType("peer-joined");

    frozen->signal(SIGCONT);
    // It notices its own lapsed heartbeat, puts Bob back and says so: the others see him join
    // again, and Bob learns of Carol; the room is one room again.
    EXPECT_EQ(str(alice.nextOfType("peer-joined", bound)["peerId"]), bobId);
    EXPECT_EQ(str(carol.nextOfType("peer-joined", bound)["peerId"]), bobId);
    EXPECT_EQ(str(bob.nextOfType("peer-joined", bound)["peerId"]), carolId);
    EXPECT_TRUE(eventually([&] {
        return redis.command({"HLEN", "pmtest:{thawing}:members"})->integer == 3;
    }));
    alice.send(sdpTo(bobId, "offer"));
    EXPECT_EQ(str(bob.nextOfType("offer")["peerId"]), aliceId);
    bob.send(sdpTo(aliceId, "answer"));
    EXPECT_EQ(str(alice.nextOfType("answer")["peerId"]), bobId);
}

TEST_F(Cluster, RelayWorksAgainAfterRedisRestartsAndNothingIsSilentlyLost) {
    auto first = instance();
    auto second = instance();
    WsClient alice(first->port());
    const std::string aliceId = str(alice.join("resilient", "Alice")["peerId"]);
    WsClient bob(second->port());
    const std::string bobId = str(bob.join("resilient", "Bob")["peerId"]);
    alice.nextOfType("peer-joined");

    redis.kill();
    EXPECT_TRUE(readyIs(first->port(), 503));
    EXPECT_TRUE(readyIs(second->port(), 503));
    EXPECT_EQ(metricValue(first->port(), "pulsemeet_redis_up"), 0);

    // Sent while Redis is down, and it stays down past their deadline: not lost silently, the
    // sender is told for each, with the peer they were for.
    alice.send(sdpTo(bobId, "offer"));
    alice.send(candidateTo(bobId, 7));
    for (int i = 0; i < 2; ++i) {
        auto refused = alice.nextOfType("error", std::chrono::seconds(10));
        EXPECT_EQ(str(refused["code"]), "peer-unreachable");
        EXPECT_EQ(str(refused["targetId"]), bobId);
    }
    EXPECT_EQ(metricValue(first->port(), "pulsemeet_redis_expired_events_total{kind=\"relay\"}"),
              2);
    // A room whose peers are all on one instance keeps working meanwhile.
    WsClient local1(first->port());
    const std::string local1Id = str(local1.join("local-only")["peerId"]);
    WsClient local2(first->port());
    const std::string local2Id = str(local2.join("local-only")["peerId"]);
    local2.send(sdpTo(local1Id, "offer"));
    EXPECT_EQ(str(local1.nextOfType("offer")["peerId"]), local2Id);

    redis.start();
    EXPECT_TRUE(readyIs(first->port(), 200));
    EXPECT_TRUE(readyIs(second->port(), 200));
    // The retry the client makes goes through, and the expired ones, queued before it, never
    // arrive: the candidate after the offer is the new one.
    alice.send(sdpTo(bobId, "offer"));
    alice.send(candidateTo(bobId, 8));
    auto offer = bob.nextOfType("offer", std::chrono::seconds(15));
    EXPECT_EQ(str(offer["peerId"]), aliceId);
    auto candidate = bob.nextOfType("ice-candidate");
    EXPECT_NE(str(candidate["data"].as_object()["candidate"]).find("candidate:8 "),
              std::string::npos)
        << "an expired relay arrived: " << json::serialize(candidate);
    bob.send(sdpTo(aliceId, "answer"));
    EXPECT_EQ(str(alice.nextOfType("answer")["peerId"]), bobId);
    // Membership was re-registered in the restarted (empty) Redis.
    WsClient carol(second->port());
    auto carolJoined = carol.join("resilient", "Carol");
    auto expected = std::vector<std::string>{aliceId, bobId};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(peerIds(carolJoined), expected);
    EXPECT_EQ(metricValue(first->port(), "pulsemeet_redis_dropped_total"), 2)
        << "the two that expired, and nothing else";
}

TEST_F(Cluster, TrafficStaysWithTheInstancesOfTheRoom) {
    auto first = instance();
    auto second = instance();
    auto bystander = instance();
    WsClient other(bystander->port());
    other.join("elsewhere");

    WsClient alice(first->port());
    const std::string aliceId = str(alice.join("busy")["peerId"]);
    WsClient bob(second->port());
    const std::string bobId = str(bob.join("busy")["peerId"]);
    alice.nextOfType("peer-joined");
    EXPECT_EQ(redis.subscribers("pmtest:{busy}:events"), 2);
    EXPECT_EQ(redis.subscribers("pmtest:{elsewhere}:events"), 1);

    for (int i = 0; i < 20; ++i) alice.send(candidateTo(bobId, i));
    for (int i = 0; i < 20; ++i) bob.nextOfType("ice-candidate");
    EXPECT_GE(metricValue(second->port(), "pulsemeet_redis_received_total"), 20);
    EXPECT_EQ(metricValue(bystander->port(), "pulsemeet_redis_received_total"), 0);

    // Two peers on one instance: their relay never touches Redis.
    WsClient ann(first->port());
    const std::string annId = str(ann.join("busy")["peerId"]);
    alice.nextOfType("peer-joined");
    bob.nextOfType("peer-joined");
    EXPECT_TRUE(eventually(
        [&] { return metricValue(first->port(), "pulsemeet_redis_buffered_events") == 0; }));
    const double publishedBefore = metricValue(first->port(), "pulsemeet_redis_published_total");
    for (int i = 0; i < 10; ++i) alice.send(candidateTo(annId, i));
    for (int i = 0; i < 10; ++i) ann.nextOfType("ice-candidate");
    EXPECT_EQ(metricValue(first->port(), "pulsemeet_redis_published_total"), publishedBefore);

    // When the last local peer leaves, the instance unsubscribes.
    bob.closeNormally();
    EXPECT_TRUE(eventually([&] { return redis.subscribers("pmtest:{busy}:events") == 1; }));
    (void)aliceId;
}

// LOG_BUS=true: one instance, no Redis, and one log line for everything the hub hands the bus.
TEST(LogBus, OneInstanceLogsEveryBusEvent) {
    ServerProcess server(Env{{"LOG_BUS", "true"}, {"MAX_PEERS_PER_ROOM", "2"}});
    WsClient alice(server.port());
    const std::string aliceId = str(alice.join("logged")["peerId"]);
    WsClient bob(server.port());
    const std::string bobId = str(bob.join("logged")["peerId"]);
    alice.nextOfType("peer-joined");
    WsClient carol(server.port());
    carol.send(R"({"type":"join","roomId":"logged"})");
    EXPECT_EQ(str(carol.nextOfType("error")["code"]), "room-full") << "the bus counts capacity";

    alice.send(candidateTo(bobId, 1));
    bob.nextOfType("ice-candidate");
    alice.send(R"({"type":"media-state","data":{"audio":false,"video":true,"screen":false}})");
    bob.nextOfType("media-state");
    alice.send(candidateTo("0123456789abcdef0123456789abcdef", 2));
    EXPECT_EQ(str(alice.nextOfType("error")["code"]), "peer-not-found");
    bob.send(R"({"type":"leave"})");
    alice.nextOfType("peer-left");

    for (const std::string event : {"join", "join-answer", "joined", "media", "relay", "left"}) {
        EXPECT_TRUE(server.waitForLine(R"("event":")" + event + "\""))
            << "no cluster bus line for " << event;
    }
    EXPECT_TRUE(server.waitForLine(R"("event":"left","room":"logged","peer":")" + bobId));
    // A relay to a peer connected here never reaches the bus: only the unknown target did.
    std::size_t relayLines = 0;
    for (const auto& line : server.lines()) {
        if (line.find(R"("event":"relay")") != std::string::npos) ++relayLines;
    }
    EXPECT_EQ(relayLines, 1u);
    (void)aliceId;
}

TEST(LogBus, BadSettingsStopStartUpWithOneLine) {
    const auto bad = runToCompletion({{"LOG_BUS", "maybe"}}, {});
    EXPECT_EQ(bad.exitCode, 2);
    EXPECT_EQ(bad.output,
              "pulsemeet: LOG_BUS=maybe (environment) is invalid: expected true or false\n");
    const auto both = runToCompletion({{"LOG_BUS", "true"}, {"REDIS_ENABLED", "true"}}, {});
    EXPECT_EQ(both.exitCode, 2);
    EXPECT_EQ(both.output,
              "pulsemeet: LOG_BUS=true and REDIS_ENABLED=true: choose one cluster bus\n");
}
