// Request framing over a raw socket against the real binary (issue 14: `Transfer-Encoding:
// chunked, identity`, `xchunked` and `identity` were read as "no body", so the bytes after the
// header were answered as a second request: request smuggling behind any proxy that framed
// them as a body; and HTTP/1.1 without Host was answered).
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <string>
#include <vector>

#include "ServerProcess.hpp"

using namespace pulsemeet::testing;
namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

struct RawExchange {
    std::string received;  // every byte the server sent
    bool closedByServer;   // the server closed the connection (EOF), rather than the deadline
};

// Writes `bytes` as they are and reads until the server closes the connection (or 10 s pass,
// which counts as "not closed").
RawExchange exchange(std::uint16_t port, const std::string& bytes) {
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect({asio::ip::make_address("127.0.0.1"), port});
    asio::write(stream.socket(), asio::buffer(bytes));
    RawExchange result{{}, false};
    char chunk[4096];
    while (true) {
        beast::error_code ec;
        const auto n = stream.read_some(asio::buffer(chunk), ec);
        result.received.append(chunk, n);
        if (ec) {
            result.closedByServer = ec == asio::error::eof || ec == asio::error::connection_reset;
            return result;
        }
    }
}

int countOf(const std::string& text, const std::string& part) {
    int count = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
    return count;
}

// Responses in `text`: lines that start with a status line's "HTTP/1.".
int responsesIn(const std::string& text) {
    return (text.starts_with("HTTP/1.") ? 1 : 0) + countOf(text, "\nHTTP/1.");
}

// What an attacker hides after the header: a request of its own, answered only if the server
// took the header as bodiless. /readyz answers `{"status":"ready"}`, which nothing else does.
const std::string kSmuggled = "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n";

}  // namespace

TEST(Framing, TransferEncodingOtherThanChunkedIsRefusedAndNothingSmuggledIsAnswered) {
    ServerProcess server;
    const std::vector<std::string> codings = {
        "chunked, identity", "xchunked",    "identity", "chunked;x=1",      "gzip, chunked",
        "chunked, chunked",  "chunked\x0b", "",         "identity, chunked"};
    for (const auto& coding : codings) {
        const auto result = exchange(
            server.port(),
            "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + coding + "\r\n\r\n" +
                (coding.ends_with("chunked") ? std::string("0\r\n\r\n") : std::string()) +
                kSmuggled);
        const bool refused = result.received.starts_with("HTTP/1.1 501 ") ||
                             result.received.starts_with("HTTP/1.1 400 ");
        EXPECT_TRUE(refused) << coding << ":\n" << result.received;
        EXPECT_EQ(responsesIn(result.received), 1) << coding << ":\n" << result.received;
        EXPECT_EQ(result.received.find("ready"), std::string::npos) << coding;
        EXPECT_TRUE(result.closedByServer) << coding;
    }
    EXPECT_TRUE(server.waitForLine("request framing refused"));
}

TEST(Framing, TransferEncodingOnTwoLinesIsRefused) {
    ServerProcess server;
    for (const std::string lines : {"Transfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n",
                                    "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n",
                                    "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                                    "Content-Length: 5\r\nTransfer-Encoding: identity\r\n"}) {
        const auto result = exchange(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n" + lines +
                                                        "\r\n0\r\n\r\n" + kSmuggled);
        EXPECT_TRUE(result.received.starts_with("HTTP/1.1 501 ") ||
                    result.received.starts_with("HTTP/1.1 400 "))
            << lines << result.received;
        EXPECT_EQ(responsesIn(result.received), 1) << lines << result.received;
        EXPECT_TRUE(result.closedByServer) << lines;
    }
}

TEST(Framing, TransferEncodingInHttp10IsRefused) {
    ServerProcess server;
    const auto result = exchange(
        server.port(),
        "GET /healthz HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + kSmuggled);
    EXPECT_TRUE(result.received.starts_with("HTTP/1.1 400 ")) << result.received;
    EXPECT_EQ(responsesIn(result.received), 1) << result.received;
    EXPECT_TRUE(result.closedByServer);
}

TEST(Framing, ChunkedIsParsedAsABodyAndTheNextRequestIsAnsweredOnItsOwn) {
    ServerProcess server;
    // A chunked body that looks like a request: it must be read as body, not answered.
    const std::string body = "GET /readyz HTTP/1.1\r\nHost: y\r\n\r\n";
    char size[16];
    std::snprintf(size, sizeof size, "%zx", body.size());
    const auto result = exchange(
        server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:  Chunked \r\n\r\n" +
                           std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n" +
                           "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(countOf(result.received, "HTTP/1.1 200 OK\r\n"), 2) << result.received;
    EXPECT_EQ(countOf(result.received, R"({"status":"ok"})"), 2) << result.received;
    EXPECT_EQ(result.received.find("ready"), std::string::npos) << result.received;
    EXPECT_TRUE(result.closedByServer);
}

TEST(Framing, Http11WithoutHostIsRefused) {
    ServerProcess server;
    const auto result = exchange(server.port(), "GET /healthz HTTP/1.1\r\n\r\n" + kSmuggled);
    EXPECT_TRUE(result.received.starts_with("HTTP/1.1 400 ")) << result.received;
    EXPECT_EQ(responsesIn(result.received), 1) << result.received;
    EXPECT_TRUE(result.closedByServer);

    const auto twoHosts =
        exchange(server.port(), "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");
    EXPECT_TRUE(twoHosts.received.starts_with("HTTP/1.1 400 ")) << twoHosts.received;
    EXPECT_TRUE(twoHosts.closedByServer);
}

TEST(Framing, Http10WithoutHostIsStillServed) {
    ServerProcess server;
    const auto result = exchange(server.port(), "GET /healthz HTTP/1.0\r\n\r\n");
    EXPECT_TRUE(result.received.starts_with("HTTP/1.0 200 OK\r\n")) << result.received;
    EXPECT_NE(result.received.find(R"({"status":"ok"})"), std::string::npos);
    EXPECT_TRUE(result.closedByServer) << "HTTP/1.0 closes after the answer";
}
