// THREADS=1 (how the benchmarks and small deployments run): no strand per connection, and the
// hub hands a relayed frame to its target's socket inline instead of posting it. The other
// integration tests run THREADS=2; these cover the single-thread path end to end.
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

json::object candidateTo(const std::string& target, int sequence) {
    return {{"type", "ice-candidate"},
            {"targetId", target},
            {"data",
             {{"candidate",
               "candidate:1 1 udp 2122260223 127.0.0.1 " + std::to_string(sequence) + " typ host"},
              {"sdpMid", "0"},
              {"sdpMLineIndex", 0}}}};
}

}  // namespace

TEST(SingleThread, RelaysInOrderAnswersErrorsAndPongsAndAnnouncesLeaves) {
    ServerProcess server(
        Env{{"THREADS", "1"}, {"RESUME_GRACE_SECONDS", "0"}, {"MAX_WS_MESSAGES_PER_SEC", "0"}});
    WsClient alice(server.port());
    const auto aliceId = str(alice.join("single")["peerId"]);
    WsClient bob(server.port());
    const auto bobId = str(bob.join("single")["peerId"]);
    EXPECT_EQ(str(alice.nextOfType("peer-joined")["peerId"]), bobId);

    // A burst: every frame arrives, in the order sent, stamped with the sender.
    constexpr int kFrames = 200;
    for (int i = 0; i < kFrames; ++i) alice.send(candidateTo(bobId, i));
    for (int i = 0; i < kFrames; ++i) {
        auto relayed = bob.nextOfType("ice-candidate");
        EXPECT_EQ(str(relayed["peerId"]), aliceId);
        EXPECT_NE(str(relayed["data"].as_object()["candidate"])
                      .find(" " + std::to_string(i) + " typ host"),
                  std::string::npos)
            << json::serialize(relayed);
    }

    // Replies to the sender itself go through the same inline path.
    alice.send("{not json");
    EXPECT_EQ(str(alice.nextOfType("error")["code"]), "bad-json");
    alice.send(R"({"type":"ping"})");
    EXPECT_EQ(str(alice.nextOfType("pong")["type"]), "pong");
    alice.send(candidateTo("nobody", 0));
    EXPECT_EQ(str(alice.nextOfType("error")["code"]), "peer-not-found");

    bob.closeNormally();
    EXPECT_EQ(str(alice.nextOfType("peer-left")["peerId"]), bobId);
}

TEST(SingleThread, RateLimitedErrorArrivesBeforeThe1008Close) {
    ServerProcess server(Env{{"THREADS", "1"}, {"MAX_WS_MESSAGES_PER_SEC", "5"}});
    WsClient client(server.port());
    for (int i = 0; i < 30; ++i) client.send(R"({"type":"ping"})");
    std::string code;
    while (auto text = client.receive()) {
        auto message = json::parse(*text).as_object();
        if (str(message["type"]) == "error") code = str(message["code"]);
    }
    EXPECT_EQ(code, "rate-limited");
    EXPECT_EQ(client.waitClosed(), 1008);
}
