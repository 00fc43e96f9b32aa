// Rooms on the media server across instances (docs/architecture.md): two real `pulsemeet`
// instances with their media servers on one real redis-server. One instance owns a room's media;
// clients of the other get answers from the owner's media server; when the owner is killed the
// other takes the room over and its clients connect afresh to it; a Redis restart keeps owners.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <csignal>
#include <fstream>
#include <iostream>
#include <memory>
#include <regex>
#include <sstream>
#include <thread>

#include "ChildProcess.hpp"
#include "RedisServer.hpp"
#include "ServerProcess.hpp"
#include "WsClient.hpp"

using namespace pulsemeet::testing;
namespace json = boost::json;

namespace {

constexpr int kHeartbeatSeconds = 2;
const std::string kOwnerKey = "pmmedia:{stage}:media-owner";

std::string str(const json::value& value) {
    return std::string(value.as_string());
}

std::string chromeOffer() {
    std::ifstream in(std::string(PULSEMEET_SOURCE_DIR) +
                     "/server/tests/fixtures/sdp/chrome-audio-video.sdp");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Joins as our browser client does (it can use the media server).
json::object joinCapable(WsClient& client, const std::string& name) {
    client.send(json::object{
        {"type", "join"}, {"roomId", "stage"}, {"data", {{"name", name}, {"sfu", true}}}});
    return client.nextOfType("room-joined");
}

// The UDP port of the host candidate in a media-server answer: whose media server made it.
int candidatePort(const std::string& sdp) {
    static const std::regex candidate(R"(a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 (\d+) typ host)");
    std::smatch match;
    if (!std::regex_search(sdp, match, candidate)) return -1;
    return std::stoi(match[1]);
}

int offerAndAnswerPort(WsClient& client) {
    client.send(json::object{{"type", "sfu-offer"}, {"sdp", chromeOffer()}});
    auto answer = client.nextOfType("sfu-answer", std::chrono::seconds(10));
    return candidatePort(str(answer["sdp"]));
}

class ClusterMedia : public ::testing::Test {
  protected:
    struct Instance {
        std::unique_ptr<ServerProcess> process;
        int mediaPort = -1;
        std::string id;  // its bus's instance id, as owners are recorded
    };

    Instance instance() {
        Env env{{"REDIS_ENABLED", "true"},
                {"REDIS_ADDR", redis.addr()},
                {"REDIS_CHANNEL", "pmmedia"},
                {"REDIS_HEARTBEAT_SECONDS", std::to_string(kHeartbeatSeconds)},
                {"SFU_MODE", "always"},
                {"MEDIA_PORT", "0"},
                {"MEDIA_ANNOUNCED_IP", "127.0.0.1"},
                {"SESSION_SECRET", "cluster-media-test-secret-0123456789abcdef"},
                {"LOG_FORMAT", "json"},
                {"LOG_LEVEL", "info"}};
        Instance made;
        made.process = std::make_unique<ServerProcess>(env);
        EXPECT_TRUE(eventually([&] {
            return httpGet(made.process->port(), "/readyz").status == 200;
        })) << "bus never connected";
        static const std::regex mediaLine(R"("msg":"media server listening".*"port":(\d+))");
        static const std::regex busLine(
            R"re("msg":"redis bus starting".*"instance":"([0-9a-f]+)")re");
        for (const auto& line : made.process->lines()) {
            std::smatch match;
            if (std::regex_search(line, match, mediaLine)) made.mediaPort = std::stoi(match[1]);
            if (std::regex_search(line, match, busLine)) made.id = match[1];
        }
        EXPECT_GT(made.mediaPort, 0);
        EXPECT_FALSE(made.id.empty());
        return made;
    }

    std::string owner() const {
        const auto reply = redis.command({"GET", kOwnerKey});
        return reply->type == REDIS_REPLY_STRING ? std::string(reply->str, reply->len)
                                                 : std::string();
    }

    RedisServer redis;
};

}  // namespace

TEST_F(ClusterMedia, OneInstanceOwnsTheRoomAndServesTheOtherInstancesClients) {
    auto first = instance();
    auto second = instance();

    WsClient alice(first.process->port());
    auto aliceJoined = joinCapable(alice, "Alice");
    EXPECT_EQ(str(aliceJoined["data"].as_object()["mode"]), "sfu");
    const std::string aliceId = str(aliceJoined["peerId"]);
    ASSERT_TRUE(eventually([&] { return owner() == first.id; })) << "owner: " << owner();

    WsClient bob(second.process->port());
    EXPECT_EQ(str(joinCapable(bob, "Bob")["data"].as_object()["mode"]), "sfu");
    // Bob's instance learnt the owner and claimed nothing.
    EXPECT_EQ(owner(), first.id);

    // Both answers come from the first instance's media server.
    EXPECT_EQ(offerAndAnswerPort(alice), first.mediaPort);
    EXPECT_EQ(offerAndAnswerPort(bob), first.mediaPort);
    // What that media server tells Bob crosses back: Alice's tracks (her offer sends audio and
    // video).
    auto tracks = bob.nextOfType("sfu-tracks");
    ASSERT_EQ(tracks["tracks"].as_array().size(), 2u) << json::serialize(tracks);
    for (auto& track : tracks["tracks"].as_array()) {
        EXPECT_EQ(str(track.as_object()["peerId"]), aliceId);
    }
    EXPECT_EQ(metricValue(first.process->port(), "pulsemeet_redis_media_owner_claims_total"), 1);
    EXPECT_EQ(metricValue(second.process->port(), "pulsemeet_redis_media_owner_claims_total"), 0);

    // Chat goes over the WebSocket in a room on the media server: it crosses too.
    alice.send(json::object{{"type", "chat"}, {"text", "hello from one"}});
    auto chat = bob.nextOfType("chat");
    EXPECT_EQ(str(chat["from"]), aliceId);
    EXPECT_EQ(str(chat["text"]), "hello from one");

    // Bob's sfu-leave reaches the owner's media server: its transport is closed there.
    bob.send(json::object{{"type", "sfu-leave"}});
    EXPECT_TRUE(eventually([&] {
        return metricValue(first.process->port(), "pulsemeet_media_transports") == 1;
    })) << metricValue(first.process->port(), "pulsemeet_media_transports");
}

TEST_F(ClusterMedia, WhenTheOwnerIsKilledTheOtherInstanceTakesTheRoomOver) {
    auto survivor = instance();
    auto doomed = instance();

    // The doomed instance's client comes first: its instance owns the room.
    WsClient dora(doomed.process->port());
    joinCapable(dora, "Dora");
    ASSERT_TRUE(eventually([&] { return owner() == doomed.id; })) << "owner: " << owner();
    WsClient sam(survivor.process->port());
    joinCapable(sam, "Sam");
    EXPECT_EQ(offerAndAnswerPort(dora), doomed.mediaPort);
    EXPECT_EQ(offerAndAnswerPort(sam), doomed.mediaPort);

    // The survivor must be past its start-up grace before it presumes anyone dead.
    std::this_thread::sleep_for(std::chrono::seconds(kHeartbeatSeconds + 3));
    const auto killedAt = std::chrono::steady_clock::now();
    doomed.process->signal(SIGKILL);
    ASSERT_NE(doomed.process->waitForExit(std::chrono::seconds(5)), -1);

    // Sam's media went to the dead media server: told to connect afresh, within the heartbeat
    // bound (TTL, one check interval, slack).
    const auto bound = std::chrono::seconds(kHeartbeatSeconds * 2 + 4);
    auto closed = sam.nextOfType("sfu-closed", bound);
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - killedAt);
    EXPECT_EQ(str(closed["reason"]), "media-server-moved");
    EXPECT_EQ(owner(), survivor.id);
    // Its fresh offer is answered by the survivor's own media server.
    EXPECT_EQ(offerAndAnswerPort(sam), survivor.mediaPort);
    EXPECT_EQ(metricValue(survivor.process->port(), "pulsemeet_redis_media_takeovers_total"), 1);
    std::cout << "[ measure ] media takeover after kill -9: " << took.count() << " ms (TTL "
              << kHeartbeatSeconds << " s)\n";
}

TEST_F(ClusterMedia, AnOfferSentToTheOwnerAsItDiesIsAnsweredByTheNewOwner) {
    auto survivor = instance();
    auto doomed = instance();
    WsClient dora(doomed.process->port());
    joinCapable(dora, "Dora");
    ASSERT_TRUE(eventually([&] { return owner() == doomed.id; }));
    WsClient sam(survivor.process->port());
    joinCapable(sam, "Sam");
    std::this_thread::sleep_for(std::chrono::seconds(kHeartbeatSeconds + 3));
    doomed.process->signal(SIGKILL);
    ASSERT_NE(doomed.process->waitForExit(std::chrono::seconds(5)), -1);
    // Offered to the dead owner before anyone noticed: kept, and sent to the new owner.
    EXPECT_EQ(offerAndAnswerPort(sam), survivor.mediaPort);
}

TEST_F(ClusterMedia, AClientWhoseInstanceDiedResumesOnTheNewOwnerAndConnectsAfresh) {
    auto survivor = instance();
    auto doomed = instance();
    WsClient dora(doomed.process->port());
    auto joined = joinCapable(dora, "Dora");
    const std::string doraId = str(joined["peerId"]);
    const std::string token = str(joined["data"].as_object()["resumeToken"]);
    ASSERT_TRUE(eventually([&] { return owner() == doomed.id; }));
    WsClient sam(survivor.process->port());
    joinCapable(sam, "Sam");
    EXPECT_EQ(offerAndAnswerPort(dora), doomed.mediaPort);
    std::this_thread::sleep_for(std::chrono::seconds(kHeartbeatSeconds + 3));
    doomed.process->signal(SIGKILL);
    ASSERT_NE(doomed.process->waitForExit(std::chrono::seconds(5)), -1);
    ASSERT_TRUE(eventually([&] { return owner() == survivor.id; })) << "owner: " << owner();

    // Back through the load balancer on the survivor, after the takeover: its media connection
    // still points at the dead media server, and the takeover's sfu-closed went out before it
    // was here, so it gets one at its resume and its fresh offer is the survivor's.
    WsClient back(survivor.process->port());
    back.send(json::object{{"type", "join"},
                           {"roomId", "stage"},
                           {"data", {{"name", "Dora"}, {"sfu", true}, {"resumeToken", token}}}});
    auto resumed = back.nextOfType("room-joined");
    EXPECT_EQ(str(resumed["peerId"]), doraId);
    EXPECT_EQ(str(back.nextOfType("sfu-closed")["reason"]), "media-server-moved");
    EXPECT_EQ(offerAndAnswerPort(back), survivor.mediaPort);
}

TEST_F(ClusterMedia, RoomsKeepTheirOwnerAcrossARedisRestart) {
    auto first = instance();
    auto second = instance();
    WsClient alice(first.process->port());
    joinCapable(alice, "Alice");
    ASSERT_TRUE(eventually([&] { return owner() == first.id; }));
    WsClient bob(second.process->port());
    joinCapable(bob, "Bob");
    EXPECT_EQ(offerAndAnswerPort(bob), first.mediaPort);

    redis.kill();
    redis.start();
    // Re-claimed by its owner on reconnect (the key was lost with Redis's data).
    EXPECT_TRUE(eventually([&] { return owner() == first.id; }, std::chrono::seconds(15)))
        << "owner: " << owner();
    EXPECT_TRUE(eventually([&] {
        return httpGet(first.process->port(), "/readyz").status == 200 &&
               httpGet(second.process->port(), "/readyz").status == 200;
    }));
    EXPECT_EQ(offerAndAnswerPort(bob), first.mediaPort);
    EXPECT_EQ(metricValue(second.process->port(), "pulsemeet_redis_media_owner_claims_total"), 0);
}
