// Hostile input and resource abuse against the real binary: connection floods, slowloris,
// oversized headers, JSON nesting bombs, and memory given back after rooms come and go.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ServerProcess.hpp"
#include "WsClient.hpp"

using namespace pulsemeet::testing;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

const asio::ip::tcp::endpoint local(std::uint16_t port) {
    return {asio::ip::make_address("127.0.0.1"), port};
}

// Opens `count` WebSocket upgrades at once from one thread and counts how each one ended.
struct BurstResult {
    int upgraded = 0;
    int refused429 = 0;
    int other = 0;
};

class UpgradeBurst {
  public:
    UpgradeBurst(std::uint16_t port, int count) {
        for (int i = 0; i < count; ++i) {
            auto& attempt = attempts_.emplace_back(std::make_unique<Attempt>(ioc_));
            attempt->ws.next_layer().async_connect(
                local(port), [this, a = attempt.get()](beast::error_code ec) {
                    if (ec) {
                        a->done = true;
                        ++result_.other;
                        return;
                    }
                    a->ws.async_handshake(a->response, "127.0.0.1", "/ws",
                                          [this, a](beast::error_code error) {
                                              a->done = true;
                                              if (!error) {
                                                  ++result_.upgraded;
                                              } else if (a->response.result_int() == 429) {
                                                  ++result_.refused429;
                                              } else {
                                                  ++result_.other;
                                              }
                                          });
                });
        }
    }

    // Runs until every attempt has ended, or the deadline.
    BurstResult run(std::chrono::seconds deadline) {
        const auto until = std::chrono::steady_clock::now() + deadline;
        while (std::chrono::steady_clock::now() < until && !allDone()) {
            ioc_.run_for(std::chrono::milliseconds(100));
        }
        return result_;
    }

  private:
    struct Attempt {
        explicit Attempt(asio::io_context& ioc) : ws(ioc) {}
        websocket::stream<beast::tcp_stream> ws;
        websocket::response_type response;
        bool done = false;
    };
    bool allDone() const {
        return result_.upgraded + result_.refused429 + result_.other ==
               static_cast<int>(attempts_.size());
    }

    asio::io_context ioc_;
    std::vector<std::unique_ptr<Attempt>> attempts_;
    BurstResult result_;
};

double rssKiB(int pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6));
    }
    return 0;
}

// Waits until /metrics shows no rooms (the server has processed every leave).
bool waitForNoRooms(std::uint16_t port, std::chrono::seconds deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
        if (httpGet(port, "/metrics").body.find("\npulsemeet_rooms 0\n") != std::string::npos) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

// Creates `count` rooms, one client each, then empties them all.
void createAndEmptyRooms(std::uint16_t port, int count, const std::string& prefix) {
    std::vector<std::unique_ptr<WsClient>> clients;
    for (int i = 0; i < count; ++i) {
        clients.push_back(std::make_unique<WsClient>(port));
        clients.back()->join(prefix + std::to_string(i));
    }
    clients.clear();
}

}  // namespace

TEST(Hostile, ConnectionsOverThePerIpCapGet429UntilOneCloses) {
    ServerProcess server(Env{{"MAX_CONNS_PER_IP", "3"}});
    auto first = std::make_unique<WsClient>(server.port());
    WsClient second(server.port());
    WsClient third(server.port());
    EXPECT_EQ(WsClient::refusedStatus(server.port(), {}), 429);
    first.reset();
    // The server frees the place once it has seen the close; wait for that, with a deadline.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    int status = 429;
    while (status == 429 && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        status = WsClient::refusedStatus(server.port(), {});
    }
    EXPECT_EQ(status, 0) << "a freed place is usable again";
}

TEST(Hostile, BurstOfFiveThousandConnectsIsUpgradedOrRefusedAtTheCap) {
    ServerProcess server(Env{{"MAX_CONNS_PER_IP", "2500"}, {"MAX_HTTP_PER_MINUTE", "0"}});
    UpgradeBurst burst(server.port(), 5000);
    const auto result = burst.run(std::chrono::seconds(60));
    // Every attempt ends (none hang); upgrades hold their sockets, so no more than the cap get
    // through, and the rest are told 429 (or, past the listen backlog, reset by the kernel).
    EXPECT_EQ(result.upgraded + result.refused429 + result.other, 5000);
    EXPECT_LE(result.upgraded, 2500);
    EXPECT_GT(result.upgraded, 0);
    EXPECT_GT(result.refused429, 0);
    // The server is alive and still counting: with the cap full, plain HTTP is refused too.
    EXPECT_EQ(httpGet(server.port(), "/healthz").status, 429);
}

TEST(Hostile, SlowlorisDoesNotStopANewClientJoiningWithinASecond) {
    ServerProcess server(Env{{"MAX_CONNS_PER_IP", "2000"}});
    asio::io_context ioc;
    std::vector<asio::ip::tcp::socket> halfOpen;
    for (int i = 0; i < 1000; ++i) {
        auto& socket = halfOpen.emplace_back(ioc);
        socket.connect(local(server.port()));
        asio::write(socket, asio::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n")));
    }
    WsClient client(server.port());
    client.send(R"({"type":"join","roomId":"still-open"})");
    const auto joined = client.nextOfType("room-joined", std::chrono::seconds(1));
    EXPECT_TRUE(joined.contains("peerId"));
}

TEST(Hostile, OneMebibyteHeaderGets431AndTheServerCarriesOn) {
    ServerProcess server;
    asio::io_context ioc;
    asio::ip::tcp::socket socket(ioc);
    socket.connect(local(server.port()));
    const std::string request =
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(1 << 20, 'a') + "\r\n\r\n";
    // Write and read at once: the server answers long before the header is all sent.
    std::string response;
    std::array<char, 4096> chunk{};
    std::function<void()> readMore = [&] {
        socket.async_read_some(asio::buffer(chunk), [&](beast::error_code ec, std::size_t n) {
            response.append(chunk.data(), n);
            if (!ec) readMore();
        });
    };
    asio::async_write(socket, asio::buffer(request), [](beast::error_code, std::size_t) {});
    readMore();
    ioc.run_for(std::chrono::seconds(10));
    EXPECT_EQ(response.rfind("HTTP/1.1 431", 0), 0u) << response.substr(0, 80);
    EXPECT_EQ(httpGet(server.port(), "/healthz").status, 200);
}

TEST(Hostile, JsonNestingBombIsBadJsonAndTheSocketStaysOpen) {
    ServerProcess server;
    WsClient client(server.port());
    const int depth = 30000;  // 60 KB: under MAX_MESSAGE_BYTES, far past any sane depth
    client.send(R"({"type":"join","roomId":"abc","data":)" + std::string(depth, '[') +
                std::string(depth, ']') + "}");
    const auto error = client.nextOfType("error");
    EXPECT_EQ(std::string(error.at("code").as_string()), "bad-json");
    client.send(R"({"type":"ping"})");
    EXPECT_TRUE(client.nextOfType("pong").contains("timestamp"));
}

TEST(Hostile, ThousandRoomsCreatedAndEmptiedGiveTheirMemoryBack) {
    // No resume grace: dropped sockets leave at once, so the rooms really empty. Thousands of
    // rooms from one address: the per-address room limit is off, as for a load test.
    ServerProcess server(Env{{"MAX_HTTP_PER_MINUTE", "0"},
                             {"MAX_ROOMS_PER_IP_PER_MINUTE", "0"},
                             {"RESUME_GRACE_SECONDS", "0"}});
    // A first round brings the allocator's pools to their working size; the baseline is taken
    // after it, so what is compared is memory kept per room, not the allocator warming up.
    createAndEmptyRooms(server.port(), 1000, "warm-");
    ASSERT_TRUE(waitForNoRooms(server.port(), std::chrono::seconds(10)));
    const double baseline = rssKiB(server.pid());
    createAndEmptyRooms(server.port(), 1000, "room-");
    ASSERT_TRUE(waitForNoRooms(server.port(), std::chrono::seconds(10)));
    // The heap trimmer may have handed back pages after the warm-up round that this round
    // touched again; it hands them back within a second or two once the rooms are gone.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    double after = rssKiB(server.pid());
    while (after > baseline * 1.10 && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        after = rssKiB(server.pid());
    }
    EXPECT_LE(after, baseline * 1.10) << "baseline " << baseline << " KiB, 10 s later " << after;
}

TEST(Hostile, MemoryFreedWhenASurgeEndsGoesBackToTheSystem) {
    ServerProcess server(Env{{"MAX_HTTP_PER_MINUTE", "0"},
                             {"MAX_CONNS_PER_IP", "0"},
                             {"MAX_ROOMS_PER_IP_PER_MINUTE", "0"},
                             {"RESUME_GRACE_SECONDS", "0"}});
    const double before = rssKiB(server.pid());
    double peak = 0;
    {
        // Peers come and go out of order, as in a busy deployment: every other one leaves while
        // new ones arrive, so freed memory lies between allocations still in use, where the
        // allocator cannot return it from the top of its heap by itself.
        std::vector<std::unique_ptr<WsClient>> clients;
        for (int i = 0; i < 1500; ++i) {
            clients.push_back(std::make_unique<WsClient>(server.port()));
            clients.back()->join("surge-" + std::to_string(i));
        }
        for (std::size_t i = 0; i < clients.size(); i += 2) clients[i].reset();
        for (int i = 0; i < 750; ++i) {
            clients.push_back(std::make_unique<WsClient>(server.port()));
            clients.back()->join("late-" + std::to_string(i));
        }
        peak = rssKiB(server.pid());
    }
    ASSERT_TRUE(waitForNoRooms(server.port(), std::chrono::seconds(10)));
    // The server checks once a second; wait until at least a quarter of what the surge took is
    // back (without the trimmer none of it comes back: the RSS stays at the peak).
    const double target = peak - (peak - before) / 4;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    double after = rssKiB(server.pid());
    while (after > target && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        after = rssKiB(server.pid());
    }
    EXPECT_LE(after, target) << "before the surge " << before << " KiB, at its peak " << peak
                             << ", 10 s after it ended " << after;
    EXPECT_GE(metricValue(server.port(), "pulsemeet_heap_trims_total"), 1);
}
