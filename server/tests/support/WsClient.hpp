#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <variant>

namespace pulsemeet::testing {

using namespace std::chrono_literals;

// A real WebSocket client for integration tests, over plain TCP or TLS (wss). A read is always
// pending, but it only makes progress while the test waits on this client: a client nobody waits on
// is a slow reader.
class WsClient {
  public:
    struct Options {
        std::string target = "/ws";
        std::map<std::string, std::string> headers;
        // Non-empty: connect with TLS and trust only this PEM certificate (the test's own CA),
        // verifying that the server's certificate names 127.0.0.1.
        std::string tlsCaFile;
    };

    explicit WsClient(std::uint16_t port, Options options);
    explicit WsClient(std::uint16_t port) : WsClient(port, Options{}) {}
    ~WsClient();

    // The HTTP status of a refused upgrade (0 when it succeeded).
    static int refusedStatus(std::uint16_t port, const Options& options);

    void send(const std::string& text);
    void send(const boost::json::object& message);
    void sendBinary(const std::string& bytes);

    // Next text message, or nullopt at the deadline or once closed.
    std::optional<std::string> receive(std::chrono::milliseconds timeout = 5s);
    // Next message, parsed; fails the calling test (throws) at the deadline.
    boost::json::object next(std::chrono::milliseconds timeout = 5s);
    // Skips messages until one of `type`; throws at the deadline.
    boost::json::object nextOfType(const std::string& type, std::chrono::milliseconds timeout = 5s);

    // Joins and returns the room-joined message.
    boost::json::object join(const std::string& roomId, const std::string& name = "");

    // Waits until the server closes the socket; returns the close code (1006 when abnormal), or
    // nullopt at the deadline. Messages still queued before the close are discarded.
    std::optional<int> waitClosed(std::chrono::milliseconds timeout = 5s);
    bool closed() const { return closed_; }
    void closeNormally();
    const std::string& acceptedSubprotocol() const { return subprotocol_; }

  private:
    using PlainWebSocket = boost::beast::websocket::stream<boost::beast::tcp_stream>;
    using TlsWebSocket =
        boost::beast::websocket::stream<boost::beast::ssl_stream<boost::beast::tcp_stream>>;

    template <typename WebSocket>
    void connect(WebSocket& ws, std::uint16_t port, const Options& options);
    void startRead();
    bool pump(std::chrono::steady_clock::time_point deadline);

    boost::asio::io_context ioc_;
    boost::asio::ssl::context tls_;
    std::variant<PlainWebSocket, TlsWebSocket> ws_;
    boost::beast::flat_buffer buffer_;
    std::deque<std::string> inbox_;
    bool closed_ = false;
    int closeCode_ = 0;
    std::string subprotocol_;
};

}  // namespace pulsemeet::testing
