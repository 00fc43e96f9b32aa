// HTTP endpoints, static files, limits and the checks made before a WebSocket upgrade.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <filesystem>
#include <fstream>
#include <vector>

#include "ServerProcess.hpp"
#include "WsClient.hpp"

using namespace pulsemeet::testing;
namespace fs = std::filesystem;

namespace {

// A throwaway web/dist with an index page and a hashed asset.
class StaticDir {
  public:
    StaticDir()
        : path_(fs::temp_directory_path() / ("pulsemeet-static-" + std::to_string(::getpid()))) {
        fs::create_directories(path_ / "assets");
        std::ofstream(path_ / "index.html") << "<!doctype html><title>app</title>";
        std::ofstream(path_ / "assets" / "app-1234.js") << "console.log(1)";
    }
    ~StaticDir() { fs::remove_all(path_); }
    std::string path() const { return path_.string(); }

  private:
    fs::path path_;
};

}  // namespace

TEST(Http, HealthReadyAndIceServers) {
    ServerProcess server(Env{{"STUN_URLS", "stun:stun.example:3478"},
                             {"TURN_ENABLED", "true"},
                             {"TURN_URLS", "turn:turn.example:3478?transport=udp"},
                             {"TURN_USERNAME", "user"},
                             {"TURN_PASSWORD", "pass"}});
    EXPECT_EQ(httpGet(server.port(), "/healthz").status, 200);
    EXPECT_EQ(httpGet(server.port(), "/readyz").status, 200);
    const auto ice = httpGet(server.port(), "/ice-servers");
    EXPECT_EQ(ice.status, 200);
    EXPECT_EQ(
        ice.body,
        R"({"iceServers":[{"urls":["stun:stun.example:3478"]},)"
        R"({"urls":["turn:turn.example:3478?transport=udp"],"username":"user","credential":"pass"}],)"
        R"("iceTransportPolicy":"all"})");
    EXPECT_EQ(ice.headers.at("cache-control"), "no-store");
    EXPECT_EQ(httpGet(server.port(), "/ws").status, 426);
}

TEST(Http, StaticFilesWithSpaFallbackCachingAndSecurityHeaders) {
    StaticDir dir;
    ServerProcess server(Env{{"STATIC_DIR", dir.path()}});
    const auto index = httpGet(server.port(), "/");
    EXPECT_EQ(index.status, 200);
    EXPECT_EQ(index.body, "<!doctype html><title>app</title>");
    EXPECT_EQ(index.headers.at("cache-control"), "no-cache");
    EXPECT_NE(index.headers.at("content-security-policy").find("default-src 'self'"),
              std::string::npos);
    EXPECT_EQ(index.headers.at("x-content-type-options"), "nosniff");
    EXPECT_EQ(index.headers.at("referrer-policy"), "no-referrer");
    EXPECT_EQ(index.headers.at("permissions-policy"),
              "camera=(self), microphone=(self), display-capture=(self)");

    const auto room = httpGet(server.port(), "/r/some-room?x=1");
    EXPECT_EQ(room.status, 200);
    EXPECT_EQ(room.body, index.body);

    const auto asset = httpGet(server.port(), "/assets/app-1234.js");
    EXPECT_EQ(asset.status, 200);
    EXPECT_EQ(asset.headers.at("cache-control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(asset.headers.at("content-type"), "text/javascript; charset=utf-8");

    EXPECT_EQ(httpGet(server.port(), "/assets/missing.js").status, 404);
    EXPECT_EQ(httpGet(server.port(), "/../../etc/passwd").status, 404);
    EXPECT_EQ(httpGet(server.port(), "/assets/%2e%2e/%2e%2e/etc/passwd").status, 404);
}

// The hole an outside review found: with default settings `GET //etc/passwd` returned the file.
// Every spelling of a path outside the client folder, against the real server: 4xx, or the SPA's
// index page, and never a byte of the file. The server's own `.env` sits beside the folder.
TEST(Http, NoPathReachesAFileOutsideTheClientFolder) {
    StaticDir dir;
    const fs::path secret =
        fs::path(dir.path()) / ".." / ("pulsemeet-secret-" + std::to_string(::getpid()) + ".env");
    std::ofstream(secret) << "JWT_SECRET=do-not-serve-me";
    ServerProcess server(Env{{"STATIC_DIR", dir.path()}});
    const std::string name = secret.filename().string();
    const std::string absolute = fs::canonical(secret).string();  // "/tmp/pulsemeet-secret-N.env"
    const std::string inner = absolute.substr(1);
    for (const std::string& target : std::vector<std::string>{"//etc/passwd",
                                                              "///etc/passwd",
                                                              "/%2Fetc%2Fpasswd",
                                                              "/%2Fetc/passwd",
                                                              "/%2fetc/passwd",
                                                              "/%252Fetc%252Fpasswd",
                                                              "/r/..//etc/passwd",
                                                              "/assets/..%2F..",
                                                              "/assets/..%2F../etc/passwd",
                                                              "/..%2F..%2Fetc%2Fpasswd",
                                                              "/%2e%2e/%2e%2e/etc/passwd",
                                                              "/..%5C..%5Cetc%5Cpasswd",
                                                              "/etc/passwd%00.js",
                                                              "/" + absolute,
                                                              "/%2F" + inner,
                                                              "//" + inner,
                                                              "/r/..//" + inner,
                                                              "/../" + name,
                                                              "/assets/../../" + name,
                                                              "/assets/..%2F..%2F" + name,
                                                              "/%2e%2e/" + name,
                                                              "/%252e%252e/" + name}) {
        const auto response = httpGet(server.port(), target);
        EXPECT_EQ(response.body.find("root:"), std::string::npos) << target;
        EXPECT_EQ(response.body.find("do-not-serve-me"), std::string::npos) << target;
        const bool refused = response.status == 400 || response.status == 404;
        const bool spaIndex =
            response.status == 200 && response.body == "<!doctype html><title>app</title>";
        EXPECT_TRUE(refused || spaIndex) << target << " -> " << response.status;
    }
    fs::remove(secret);
}

TEST(Http, PlaceholderPageWhenTheClientIsNotBuilt) {
    ServerProcess server;
    const auto page = httpGet(server.port(), "/r/abc");
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("make build"), std::string::npos);
}

TEST(Http, PerIpRateLimitWithRetryAfterAndExemptProbes) {
    ServerProcess server(Env{{"MAX_HTTP_PER_MINUTE", "5"}});
    for (int i = 0; i < 5; ++i) EXPECT_EQ(httpGet(server.port(), "/ice-servers").status, 200);
    const auto limited = httpGet(server.port(), "/ice-servers");
    EXPECT_EQ(limited.status, 429);
    const int retryAfter = std::stoi(limited.headers.at("retry-after"));
    EXPECT_GE(retryAfter, 1);
    EXPECT_LE(retryAfter, 60);
    for (const char* exempt : {"/healthz", "/readyz", "/metrics"}) {
        EXPECT_EQ(httpGet(server.port(), exempt).status, 200) << exempt;
    }
    EXPECT_EQ(WsClient::refusedStatus(server.port(), {}), 429) << "upgrades count too";
}

TEST(Http, OversizedHeadersGet431) {
    ServerProcess server;
    const auto result =
        httpGet(server.port(), "/healthz", {{"X-Big", std::string(40 * 1024, 'a')}});
    EXPECT_EQ(result.status, 431);
}

TEST(Http, HalfSentRequestIsCutOffAtTheHeaderDeadline) {
    ServerProcess server(Env{{"HTTP_HEADER_TIMEOUT_SECONDS", "1"}});
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket socket(ioc);
    socket.connect({boost::asio::ip::make_address("127.0.0.1"), server.port()});
    boost::asio::write(socket,
                       boost::asio::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n")));
    // The server must close the socket; a blocking read then ends with EOF well before the
    // test's own timeout.
    const auto started = std::chrono::steady_clock::now();
    char byte;
    boost::system::error_code ec;
    socket.read_some(boost::asio::buffer(&byte, 1), ec);
    EXPECT_TRUE(ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset)
        << ec.message();
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
    // And the server still serves others.
    EXPECT_EQ(httpGet(server.port(), "/healthz").status, 200);
}

TEST(Upgrade, SignalingTokenInHeaderQueryOrSubprotocol) {
    ServerProcess server(Env{{"SIGNALING_TOKEN", "s3cret"}});
    EXPECT_EQ(WsClient::refusedStatus(server.port(), {}), 401);
    WsClient::Options wrong;
    wrong.headers = {{"Authorization", "Bearer nope"}};
    EXPECT_EQ(WsClient::refusedStatus(server.port(), wrong), 401);

    WsClient::Options header;
    header.headers = {{"Authorization", "Bearer s3cret"}};
    EXPECT_EQ(WsClient(server.port(), header).join("token-room")["type"].as_string(),
              "room-joined");

    WsClient::Options query;
    query.target = "/ws?token=s3cret";
    EXPECT_EQ(WsClient::refusedStatus(server.port(), query), 0);

    WsClient::Options subprotocol;
    subprotocol.headers = {{"Sec-WebSocket-Protocol", "pulsemeet, bearer.s3cret"}};
    WsClient viaProtocol(server.port(), subprotocol);
    EXPECT_EQ(viaProtocol.acceptedSubprotocol(), "pulsemeet");
}

TEST(Startup, BadConfigurationStopsWithOneLineAndExitCode2) {
    auto port = runToCompletion({{"PORT", "abc"}}, {});
    EXPECT_EQ(port.exitCode, 2);
    EXPECT_EQ(
        port.output,
        "pulsemeet: PORT=abc (environment) is invalid: expected an integer from 0 to 65535\n");
    auto peers = runToCompletion({{"MAX_PEERS_PER_ROOM", "0"}}, {});
    EXPECT_EQ(peers.exitCode, 2);
    EXPECT_NE(peers.output.find("MAX_PEERS_PER_ROOM=0"), std::string::npos);
    auto help = runToCompletion({}, {"--help"});
    EXPECT_EQ(help.exitCode, 0);
    EXPECT_NE(help.output.find("--max-message-bytes / MAX_MESSAGE_BYTES"), std::string::npos);
}
