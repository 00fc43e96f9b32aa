// Slow consumers, keep-alive pings and the SIGTERM drain.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <csignal>
#include <thread>

#include "ServerProcess.hpp"
#include "WsClient.hpp"

using namespace pulsemeet::testing;
namespace json = boost::json;

namespace {

std::string str(const json::value& value) {
    return std::string(value.as_string());
}

}  // namespace

TEST(Lifecycle, SlowReaderIsClosed1013WhileOthersAreUnaffected) {
    // These clients do not count (no data.received), so the slow consumer's place is released
    // when it is closed; were it held like a counting client's, the short grace keeps it short.
    ServerProcess server(Env{{"WRITE_QUEUE_BYTES", "65536"},
                             {"MAX_WS_MESSAGES_PER_SEC", "0"},
                             {"RESUME_GRACE_SECONDS", "1"}});
    WsClient sender(server.port()), slow(server.port()), healthy(server.port());
    const auto senderId = str(sender.join("slow-room")["peerId"]);
    const auto slowId = str(slow.join("slow-room")["peerId"]);
    const auto healthyId = str(healthy.join("slow-room")["peerId"]);

    // ~40 MB at the slow reader, which does not read: kernel buffers fill, then its queue.
    const std::string sdp = "v=0\r\n" + std::string(60000, 'a');
    const std::string offer = json::serialize(json::object{
        {"type", "offer"}, {"targetId", slowId}, {"data", {{"type", "offer"}, {"sdp", sdp}}}});
    std::thread flood([&] {
        for (int i = 0; i < 700; ++i) sender.send(offer);
    });
    // The server gives a slow reader 5 s to take its close frame. Read as soon as it starts
    // closing, not after the whole flood, which under a sanitizer can take longer than that.
    const bool closing = server.waitForLine("closing slow consumer", 60s);
    const auto code = slow.waitClosed(15s);
    flood.join();
    ASSERT_TRUE(closing);
    EXPECT_EQ(code, 1013);
    // Counted once the server has finished with the socket, which may be just after our close.
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (metricValue(server.port(),
                       "pulsemeet_websocket_closes_total{reason=\"slow_consumer\"}") < 1 &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_GE(
        metricValue(server.port(), "pulsemeet_websocket_closes_total{reason=\"slow_consumer\"}"),
        1);

    // Others carry on: the sender and the healthy peer still relay to each other.
    sender.send(json::object{
        {"type", "ice-candidate"}, {"targetId", healthyId}, {"data", {{"candidate", ""}}}});
    // The healthy peer sees the slow one leave and still gets the sender's candidate.
    bool sawLeave = false, sawCandidate = false;
    while (!(sawLeave && sawCandidate)) {
        auto message = healthy.next(10s);
        if (str(message["type"]) == "peer-left") sawLeave = str(message["peerId"]) == slowId;
        if (str(message["type"]) == "ice-candidate")
            sawCandidate = str(message["peerId"]) == senderId;
    }
    EXPECT_FALSE(sender.closed());
    EXPECT_FALSE(healthy.closed());
}

TEST(Lifecycle, SilentClientIsDroppedAfterThePongTimeout) {
    ServerProcess server(Env{{"PING_INTERVAL_SECONDS", "1"}, {"PONG_TIMEOUT_SECONDS", "2"}});
    WsClient silent(server.port());
    WsClient alive(server.port());
    // `alive` is pumped (answers pings); `silent` is not read at all for 4 s.
    EXPECT_FALSE(alive.receive(4s).has_value());
    EXPECT_FALSE(alive.closed()) << "answering pings keeps a socket open";
    EXPECT_TRUE(silent.waitClosed(5s).has_value());
    EXPECT_EQ(
        metricValue(server.port(), "pulsemeet_websocket_closes_total{reason=\"ping_timeout\"}"), 1);
}

TEST(Lifecycle, SigtermDrainsWith1012AndExitsZero) {
    ServerProcess server(Env{{"DRAIN_SECONDS", "5"}});
    WsClient a(server.port()), b(server.port());
    a.join("drain-room");
    b.join("drain-room");
    server.signal(SIGTERM);
    EXPECT_EQ(a.waitClosed(5s), 1012);
    EXPECT_EQ(b.waitClosed(5s), 1012);
    EXPECT_EQ(server.waitForExit(std::chrono::seconds(7)), 0);
    EXPECT_TRUE(server.waitForLine("drain finished", 1s));
}

TEST(Lifecycle, ReadyzTurns503WhileDraining) {
    // A client that never answers the close keeps the drain open long enough to look at readyz.
    ServerProcess server(Env{{"DRAIN_SECONDS", "3"}});
    WsClient stubborn(server.port());
    // Joined, so the hub surely holds it; from here on it is never read again.
    stubborn.join("stubborn-room");
    EXPECT_EQ(httpGet(server.port(), "/readyz").status, 200);
    const auto signalled = std::chrono::steady_clock::now();
    server.signal(SIGTERM);
    ASSERT_TRUE(server.waitForLine("\"msg\":\"draining\""));
    EXPECT_EQ(httpGet(server.port(), "/readyz").status, 503);
    EXPECT_EQ(httpGet(server.port(), "/healthz").status, 200);
    EXPECT_EQ(WsClient::refusedStatus(server.port(), {}), 503) << "no new upgrades while draining";
    // The stubborn client holds the drain open: the process still exits, 0, at DRAIN_SECONDS.
    EXPECT_EQ(server.waitForExit(std::chrono::seconds(8)), 0);
    const auto drained = std::chrono::steady_clock::now() - signalled;
    EXPECT_GE(drained, std::chrono::milliseconds(2900));
    EXPECT_LT(drained, std::chrono::milliseconds(4500));
    EXPECT_TRUE(server.waitForLine("\"connections_left\":1", 1s));
}
